package capsule

import (
	"regexp"
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

func TestTagSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"C#", "c-sharp"},
		{"C++", "c-plus-plus"},
		{"c++", "c-plus-plus"},
		{"F#", "f-sharp"},
		{"C", "c"},
		{"#gemini", "gemini"},
		{"C#/.NET", "c-sharp-net"},
		{"a+b", "a-plus-b"},
		{"+1", "1"},
		{"Press Freedom", "press-freedom"},
		{"c-sharp", "c-sharp"},
		{"!!", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := TagSlug(tt.in); got != tt.want {
				t.Errorf("TagSlug(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// spelt matches a "#" or "+" that ends a word, which TagSlug spells out.
var spelt = regexp.MustCompile(`[\p{L}\p{Nd}][#+]`)

// FuzzTagSlug checks that a tag slug is stable (the slug of a slug is
// itself, so /tags/SLUG/ names the same tag), safe in a path segment, and
// that "#" and "+" after a word never vanish into a shorter slug.
func FuzzTagSlug(f *testing.F) {
	for _, s := range []string{"C#", "C++", "F#", "#tag", "a+b", "Press Freedom", "x#+#", "é#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := TagSlug(s)
		if again := TagSlug(got); again != got {
			t.Fatalf("TagSlug(%q) = %q, but TagSlug(%q) = %q", s, got, got, again)
		}
		if strings.ContainsAny(got, "/?#% .+") || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Fatalf("TagSlug(%q) = %q: unsafe character or stray hyphen", s, got)
		}
		if w := Slugify(s); w != "" && !strings.ContainsAny(s, "#+") && got != w {
			t.Fatalf("TagSlug(%q) = %q differs from Slugify %q without # or +", s, got, w)
		}
		if spelt.MatchString(s) && got == Slugify(s) {
			t.Fatalf("TagSlug(%q) = %q: a # or + after a word vanished", s, got)
		}
	})
}

func TestTagSpellings(t *testing.T) {
	fsys := mapFS(map[string]string{
		"a.md": "---\ntitle: A\ntags: [C#, Press]\n---\n",
		"b.md": "---\ntitle: B\ntags: [C++, press]\n---\n",
		"c.md": "---\ntitle: C\n\ntags: [\"C#\", Press]\n---\n",
		"d.md": "---\ntitle: D\ntags: [c-sharp]\n---\n",
	})
	s := mustLoad(t, fsys, Options{})
	want := []string{
		`b.md:3:1: warning: tag "press" and tag "Press" (in 2 files) share the page /tags/press/ and count as one tag; write "Press"`,
		`d.md:3:1: warning: tag "c-sharp" and tag "C#" (in 2 files) share the page /tags/c-sharp/ and count as one tag; write "C#"`,
	}
	var got []string
	for _, p := range s.Problems {
		if p.Code == CodeTagSpelling {
			got = append(got, p.String())
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tag spelling warnings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	slugs := map[string]bool{}
	for _, d := range s.Docs {
		for _, tag := range d.Tags {
			slugs[tag.Slug] = true
		}
	}
	if !slugs["c-sharp"] || !slugs["c-plus-plus"] || slugs["c"] {
		t.Errorf("slugs %v: C# and C++ must not share one", slugs)
	}
}
