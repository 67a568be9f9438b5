package gemtext

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestFallback checks what a document over one of its budgets becomes: its
// text as one preformatted block, nothing lost or interpreted, with a
// warning that says why.
func TestFallback(t *testing.T) {
	openers := strings.Repeat("[a](", 50000)
	tests := []struct {
		name   string
		src    string
		conv   *Converter
		reason string
	}{
		{"work", "# Title\n\n" + openers + "\n\n```\n=> x\n", New(Options{}), "link openers: parsing would scan more than"},
		{"output", "[x]: /" + strings.Repeat("u", 1000) + "\n\n" + strings.Repeat("[x]\n\n", 20000), New(Options{}),
			"the converted text would be larger than"},
		{"deadline", string(article(200 << 10)), &Converter{parser: newParser(), deadline: time.Nanosecond}, "conversion took too long"},
		{"panic", "[a](b)\n", New(Options{}), "internal error in the converter: rewriter failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rewrite LinkRewriter
			if tt.name == "panic" {
				rewrite = func(string) string { panic("rewriter failed") }
			}
			doc, err := tt.conv.Convert([]byte(tt.src), rewrite)
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Warnings) != 1 || !strings.HasPrefix(doc.Warnings[0], "shown as plain text, not converted: "+tt.reason) {
				t.Errorf("warnings %q, want one starting %q", doc.Warnings, tt.reason)
			}
			checkOutput(t, doc.Gemtext)
			lines := strings.Split(strings.TrimSuffix(string(doc.Gemtext), "\n"), "\n")
			if lines[0] != "```" || lines[len(lines)-1] != "```" {
				t.Fatalf("not one preformatted block: starts %q, ends %q", lines[0], lines[len(lines)-1])
			}
			var body []string
			for _, l := range lines[1 : len(lines)-1] {
				body = append(body, Unescape(l))
			}
			if got, want := strings.Join(body, "\n"), strings.TrimRight(tt.src, "\n"); got != want {
				t.Errorf("block does not hold the source as written (%d bytes, want %d)", len(got), len(want))
			}
			if doc.Title != "" || doc.Summary != "" || doc.Words == 0 {
				t.Errorf("title %q, summary %q, words %d: want no title or summary and the words counted", doc.Title, doc.Summary, doc.Words)
			}
		})
	}
}

// TestCaps checks the limits that keep a document converted, with what
// lies past them shown as text.
func TestCaps(t *testing.T) {
	deepQuote := "intro\n\n" + strings.Repeat("> ", MaxNesting+3) + "deep\n"
	deepList := strings.Repeat("- ", MaxNesting+1) + "item\n"
	deepEmphasis := strings.Repeat("*a ", MaxNesting+5) + "x" + strings.Repeat(" a*", MaxNesting+5) + "\n"
	tests := []struct {
		name    string
		src     string
		check   func(out string) bool
		warning string
	}{
		{"quotes", deepQuote, func(out string) bool {
			return strings.Contains(out, "> > > > deep") && !strings.Contains(out, "> > > > > deep")
		}, "line 3: nested more than 32 levels deep"},
		{"lists", deepList, func(out string) bool {
			return strings.Contains(out, "- item") && strings.Count(out, "*") == MaxNesting
		}, "line 1: nested more than 32 levels deep"},
		{"emphasis", deepEmphasis, func(out string) bool {
			return strings.Count(out, "a") == 2*(MaxNesting+5) && strings.Contains(out, " x ")
		}, "line 1: nested more than 32 levels deep"},
		{"table cells", strings.Repeat("|a", 300) + "|\n" + strings.Repeat("|-", 300) + "|\n" + strings.Repeat("b\n", 300),
			func(out string) bool { return !strings.Contains(out, "```") && strings.Contains(out, "|a|a|") },
			"line 1: table would have more empty cells than text; shown as text"},
		{"heading attributes", "# Title {#id .c}\n\n## Braces " + strings.Repeat("{", 9) + "x}\n",
			func(out string) bool {
				return strings.HasPrefix(out, "# Title\n") && strings.Contains(out, "## Braces {{{{{{{{{x}")
			}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := New(Options{}).Convert([]byte(tt.src), nil)
			if err != nil {
				t.Fatal(err)
			}
			out := string(doc.Gemtext)
			checkOutput(t, doc.Gemtext)
			if !tt.check(out) {
				t.Errorf("unexpected output:\n%s", out)
			}
			if tt.warning == "" {
				if len(doc.Warnings) != 0 {
					t.Errorf("warnings %q, want none", doc.Warnings)
				}
			} else if len(doc.Warnings) != 1 || !strings.HasPrefix(doc.Warnings[0], tt.warning) {
				t.Errorf("warnings %q, want one starting %q", doc.Warnings, tt.warning)
			}
		})
	}
}

// TestWideTable checks that a table whose padding would dwarf its text is
// written with its cells as they are.
func TestWideTable(t *testing.T) {
	wide := strings.Repeat("w", 20000)
	var src strings.Builder
	src.WriteString("| " + wide + " | b |\n|---:|---|\n")
	for i := range 10 {
		fmt.Fprintf(&src, "| %d | c |\n", i)
	}
	doc, err := New(Options{}).Convert([]byte(src.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkOutput(t, doc.Gemtext)
	want := "```\n" + wide + " | b\n" + strings.Repeat("-", 20000) + "-|-" + "-\n"
	for i := range 10 {
		want += fmt.Sprintf("%d | c\n", i)
	}
	want += "```\n"
	if got := string(doc.Gemtext); got != want {
		t.Errorf("got %d bytes, want %d: %.200q", len(got), len(want), got)
	}
	// A table within the limit is still padded and aligned.
	doc, err = New(Options{}).Convert([]byte("| long header | b |\n|---:|---|\n| 1 | c |\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "```\nlong header | b\n------------|--\n          1 | c\n```\n"; string(doc.Gemtext) != want {
		t.Errorf("got\n%s\nwant\n%s", doc.Gemtext, want)
	}
}

// TestManyLinks checks that link lines stay one per URL per block once the
// block holds enough links for the renderer to index them.
func TestManyLinks(t *testing.T) {
	var b strings.Builder
	for i := range 100 {
		fmt.Fprintf(&b, "[a%d](/%d) [again](/%d) ", i, i%40, i%40)
	}
	for _, mode := range []LinkMode{LinksAfterBlock, LinksNumbered} {
		doc, err := New(Options{Links: mode}).Convert([]byte(b.String()), nil)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(doc.Gemtext), "\n=> "); n != 40 {
			t.Errorf("mode %d: %d link lines, want 40", mode, n)
		}
		if mode == LinksNumbered && !strings.Contains(string(doc.Gemtext), "a99[20] again[20]") {
			t.Errorf("numbered markers lost: %.300s", doc.Gemtext)
		}
	}
}
