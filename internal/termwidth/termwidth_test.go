package termwidth

import (
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"ascii", "hello", 5},
		{"empty", "", 0},
		{"cjk", "日本語", 6},
		{"fullwidth", "ＡＢ", 4},
		{"combining acute", "e\u0301", 1},
		{"hangul syllables", "한국", 4},
		{"zero width space", "a\u200bb", 2},
		{"emoji", "🙂", 2},
		{"latin accents", "café", 4},
		{"control", "a\x1bb", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		cols int
		want string
	}{
		{"hello", 3, "hel"},
		{"日本語", 3, "日"},
		{"日本語", 4, "日本"},
		{"e\u0301x", 1, "e\u0301"},
		{"abc", 10, "abc"},
		{"abc", 0, ""},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.cols); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.cols, got, tt.want)
		}
	}
}

func TestPad(t *testing.T) {
	if got := Pad("日本", 6); got != "日本  " {
		t.Errorf("Pad = %q", got)
	}
	if got := Pad("long", 2); got != "long" {
		t.Errorf("Pad = %q", got)
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("日本語 text e\u0301", 5)
	f.Fuzz(func(t *testing.T, s string, cols int) {
		if cols < 0 || cols > 1000 || !utf8.ValidString(s) {
			return
		}
		got := Truncate(s, cols)
		if String(got) > cols {
			t.Fatalf("Truncate(%q, %d) = %q is %d columns", s, cols, got, String(got))
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Truncate cut inside a rune: %q", got)
		}
		if len(got) > len(s) || s[:len(got)] != got {
			t.Fatalf("Truncate(%q) = %q is not a prefix", s, got)
		}
	})
}
