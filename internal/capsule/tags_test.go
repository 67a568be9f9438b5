package capsule

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Press Freedom", "press-freedom"},
		{"press-freedom", "press-freedom"},
		{"  Press   Freedom!  ", "press-freedom"},
		{"Français", "français"},
		{"FRANÇAIS", "français"},
		{"Franc\u0327ais", "français"}, // decomposed: NFC makes it the same slug
		{"日本", "日本"},
		{"日本 語", "日本-語"},
		{"Straße", "strasse"},
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ"},
		{"C++", "c"},
		{"go1.22", "go1-22"},
		{"snake_case", "snake_case"},
		{"a/b?c#d%e.f", "a-b-c-d-e-f"},
		{"../etc", "etc"},
		{"tab\there", "tab-here"},
		{"emoji 🎉 party", "emoji-party"},
		{"!!", ""},
		{"", ""},
		{"   ", ""},
		{"٣ arabic digits", "٣-arabic-digits"},
		{"ꭴ", "ꭴ"}, // Cherokee: both cases give one slug
		{"Ꭴ", "ꭴ"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Slugify(tt.in); got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzSlugify checks that a slug is stable and safe in a URL path segment.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Press Freedom", "Français", "日本", "Straße", "ǰ", "ΐ", "a\u0301", "\u0345", "ﬃ", "-a-", "x.y/z", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slugify(s)
		if again := Slugify(got); again != got {
			t.Fatalf("Slugify(%q) = %q, but Slugify(%q) = %q", s, got, got, again)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Slugify(%q) = %q: invalid UTF-8", s, got)
		}
		if strings.ContainsAny(got, "/?#% .") {
			t.Fatalf("Slugify(%q) = %q: unsafe character", s, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.IsSpace(r) {
				t.Fatalf("Slugify(%q) = %q: control or space %U", s, got, r)
			}
		}
		if strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Fatalf("Slugify(%q) = %q: stray hyphen", s, got)
		}
	})
}
