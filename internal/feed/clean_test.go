package feed

import (
	"testing"
	"time"
)

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello, world", "Hello, world"},
		{"markup kept (escaped on output)", `<b>&amp;"'</b> ]]>`, `<b>&amp;"'</b> ]]>`},
		{"tab and LF kept", "a\tb\nc", "a\tb\nc"},
		{"CRLF and CR become LF", "a\r\nb\rc", "a\nb\nc"},
		{"C0 controls dropped", "a\x00b\x07c\x1bd\x7fe", "abcde"},
		{"C1 controls dropped", "a\u0085b\u009fc", "abc"},
		{"noncharacters FFFE FFFF dropped", "a\uFFFEb\uFFFFc", "abc"},
		{"invalid UTF-8 replaced per byte", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"truncated rune replaced", "日本"[:4], "日\uFFFD"},
		{"surrogate encoding replaced", "\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"},
		{"emoji, CJK, replacement char kept", "🚀 日本語 \uFFFD", "🚀 日本語 \uFFFD"},
		{"white space kept", "  x  ", "  x  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if Clean(got) != got {
				t.Errorf("Clean is not idempotent on %q", got)
			}
		})
	}
}

func TestTagURI(t *testing.T) {
	jan7 := time.Date(2022, 1, 7, 0, 0, 0, 0, time.UTC)
	lateInTokyo := time.Date(2022, 1, 7, 23, 0, 0, 0, time.FixedZone("JST", 9*3600))
	tests := []struct {
		name, host string
		date       time.Time
		specific   string
		want       string
	}{
		{"path", "example.org", jan7, "/posts/slug", "tag:example.org,2022-01-07:/posts/slug"},
		{"host lower-cased, dot and port dropped", "Example.ORG.:1965", jan7, "/", "tag:example.org,2022-01-07:/"},
		{"date kept in its own location", "example.org", lateInTokyo, "x", "tag:example.org,2022-01-07:x"},
		{"reserved characters escaped", "example.org", jan7, "/a b#c%d\"<>", "tag:example.org,2022-01-07:/a%20b%23c%25d%22%3C%3E"},
		{"allowed punctuation kept", "example.org", jan7, "/a-b_c.d~e!$&'()*+,;=:@?", "tag:example.org,2022-01-07:/a-b_c.d~e!$&'()*+,;=:@?"},
		{"non-ASCII percent-encoded", "example.org", jan7, "/posts/café", "tag:example.org,2022-01-07:/posts/caf%C3%A9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TagURI(tt.host, tt.date, tt.specific)
			if got != tt.want {
				t.Errorf("TagURI(%q, %v, %q) = %q, want %q", tt.host, tt.date, tt.specific, got, tt.want)
			}
			if err := checkIRI(got); err != nil {
				t.Errorf("TagURI result is not a valid id: %v", err)
			}
		})
	}
}
