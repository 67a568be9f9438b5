package gemtext

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	src := "# Title\r\n## Sub\n### Third\ntext\n=> gemini://x/ A label\n=>  /rel\n=>\n* item\n> quote\n```go\n# not a heading\n=> not a link\n```\n\n"
	want := []Line{
		{Kind: Heading, Level: 1, Text: "Title"},
		{Kind: Heading, Level: 2, Text: "Sub"},
		{Kind: Heading, Level: 3, Text: "Third"},
		{Kind: Text, Text: "text"},
		{Kind: Link, URL: "gemini://x/", Text: "A label"},
		{Kind: Link, URL: "/rel"},
		{Kind: Text, Text: "=>"},
		{Kind: ListItem, Text: "item"},
		{Kind: Quote, Text: "quote"},
		{Kind: PreToggle, Text: "go"},
		{Kind: Preformatted, Text: "# not a heading"},
		{Kind: Preformatted, Text: "=> not a link"},
		{Kind: PreToggle},
		{Kind: Text},
	}
	got := Parse(src)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse mismatch\n got %#v\nwant %#v", got, want)
	}
}

func TestLooksLikeLineType(t *testing.T) {
	for s, want := range map[string]bool{
		"=> x": true, "#x": true, "* x": true, ">x": true, "```": true,
		"*x": false, "x => y": false, " # x": false, "": false, "=x": false,
	} {
		if got := LooksLikeLineType(s); got != want {
			t.Errorf("LooksLikeLineType(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("# a\n=> b c\n```\nx\n```\n")
	f.Fuzz(func(t *testing.T, src string) {
		pre := false
		for _, l := range Parse(src) {
			switch l.Kind {
			case Link:
				if l.URL == "" {
					t.Fatalf("link with empty URL from %q", src)
				}
			case Heading:
				if l.Level < 1 || l.Level > 3 {
					t.Fatalf("heading level %d", l.Level)
				}
			case PreToggle:
				pre = !pre
			case Preformatted:
				if !pre {
					t.Fatalf("preformatted line outside a block in %q", src)
				}
			}
		}
	})
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"=> x", "# h", "* i", "> q", "```", "plain", "", "*x"} {
		e := Escape(s)
		pre := false
		if l := ParseLine(e, &pre); l.Kind != Text {
			t.Errorf("Escape(%q) = %q parses as kind %d", s, e, l.Kind)
		}
		if got := Unescape(e); got != s {
			t.Errorf("Unescape(Escape(%q)) = %q", s, got)
		}
	}
}
