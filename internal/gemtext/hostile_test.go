package gemtext

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// hostile lists inputs on which Markdown parsers are known to go
// quadratic or to blow up their output: the cases of issue 10, cmark's and
// md4c's pathological tests, and the ones found while hardening goldmark.
// Each generator takes a repetition count; n is the count used by
// TestHostile, chosen to make inputs of 10 KB to 2 MB, far past the point
// where the quadratic versions took seconds.
var hostile = []struct {
	name string
	n    int
	gen  func(n int) string
}{
	// Issue 10.
	{"link openers", 50000, func(n int) string { return strings.Repeat("[a](", n) }},
	{"reference definitions", 100000, func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "[r%d]: /u%d\n", i, i)
		}
		return b.String()
	}},
	{"nested quotes", 50000, func(n int) string { return strings.Repeat("> ", n) + "a\n" }},
	{"nested list markers", 4096, func(n int) string { return strings.Repeat("- ", n) + "x\n" }},

	// Nesting.
	{"nested ordered lists", 20000, func(n int) string { return strings.Repeat("1. ", n) + "x\n" }},
	{"quotes in lists", 20000, func(n int) string { return strings.Repeat("> - ", n) + "x\n" }},
	{"lists in quotes", 20000, func(n int) string { return strings.Repeat("- > ", n) + "x\n" }},
	{"indented lists", 1500, func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat("  ", i) + "* a\n")
		}
		return b.String()
	}},
	{"quote lines deepening", 1500, func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat(">", i) + " x\n")
		}
		return b.String()
	}},
	{"nested footnote definitions", 20000, func(n int) string { return "[^a]\n\n" + strings.Repeat("[^a]: ", n) + "x\n" }},
	{"nested strong emphasis", 30000, func(n int) string {
		return strings.Repeat("*a **a ", n) + "b" + strings.Repeat(" a** a*", n)
	}},
	{"nested images", 20000, func(n int) string { return strings.Repeat("![", n) + "a" + strings.Repeat("](b)", n) }},
	{"nested brackets", 50000, func(n int) string { return strings.Repeat("[", n) + "a" + strings.Repeat("]", n) }},
	{"nested links", 20000, func(n int) string { return strings.Repeat("[", n) + "a" + strings.Repeat("](b)", n) }},

	// Emphasis delimiters.
	{"emphasis closers without openers", 65000, func(n int) string { return strings.Repeat("a_ ", n) }},
	{"emphasis openers without closers", 65000, func(n int) string { return strings.Repeat("_a ", n) }},
	{"mismatched emphasis", 50000, func(n int) string { return strings.Repeat("*a_ ", n) }},
	{"emphasis multiple of 3", 50000, func(n int) string { return "a**b" + strings.Repeat("c* ", n) }},
	{"triple emphasis", 65000, func(n int) string { return strings.Repeat("a***", n) }},
	{"mixed underscores and stars", 50000, func(n int) string { return strings.Repeat("_a*", n) }},
	{"delimiters that neither open nor close", 40000, func(n int) string { return strings.Repeat(" * a* ", n) }},
	{"emphasis around links", 40000, func(n int) string { return strings.Repeat("*[a](b) ", n) }},
	{"link openers and emphasis closers", 50000, func(n int) string { return strings.Repeat("[ a_", n) }},
	{"strikethrough", 50000, func(n int) string { return strings.Repeat("~a~~", n) }},

	// Links and references.
	{"unclosed links", 50000, func(n int) string { return strings.Repeat("[a](b", n) }},
	{"unclosed angle links", 50000, func(n int) string { return strings.Repeat("[a](<b", n) }},
	{"broken link titles", 50000, func(n int) string { return strings.Repeat("[ (](", n) }},
	{"unclosed titles over lines", 50000, func(n int) string { return strings.Repeat("[a](b \"\n", n) }},
	{"brackets over lines", 50000, func(n int) string { return strings.Repeat("]([\n", n) }},
	{"image brackets", 50000, func(n int) string { return strings.Repeat("![[]()", n) }},
	{"link closers without openers", 65000, func(n int) string { return strings.Repeat("a]", n) }},
	{"link openers without closers", 65000, func(n int) string { return strings.Repeat("[a", n) }},
	{"reference openers", 50000, func(n int) string { return strings.Repeat("[a][", n) }},
	{"many references used", 20000, func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "[%d]: u\n", i)
		}
		b.WriteString(strings.Repeat("[0] ", n))
		return b.String()
	}},
	{"multi-line reference definitions", 50000, func(n int) string { return strings.Repeat("[a]:\n/u\n", n) }},
	{"reference expansion", 4000, func(n int) string {
		return "[x]: /" + strings.Repeat("u", 4*n) + "\n\n" + strings.Repeat("[x]\n\n", 8*n)
	}},
	{"many distinct links in a block", 50000, func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "[a](/%d) ", i)
		}
		return b.String()
	}},

	// Code spans and HTML.
	{"backtick runs", 10000, func(n int) string {
		var b strings.Builder
		for i := 1; i < n/10; i++ {
			b.WriteString("e" + strings.Repeat("`", i))
		}
		return b.String()
	}},
	{"escaped backticks", 50000, func(n int) string { return strings.Repeat("\\``", n) }},
	{"unclosed code spans", 50000, func(n int) string { return strings.Repeat("`a ", n) }},
	{"unclosed comments", 100000, func(n int) string { return "</" + strings.Repeat("<!--", n) }},
	{"processing instructions", 50000, func(n int) string { return "x" + strings.Repeat("<?", n) }},
	{"CDATA openers", 50000, func(n int) string { return "x" + strings.Repeat("<![CDATA[", n) }},
	{"empty tags", 50000, func(n int) string { return strings.Repeat("<>", n) }},
	{"quoted attributes", 50000, func(n int) string { return "x " + strings.Repeat("<a \"", n) }},
	{"HTML blocks", 50000, func(n int) string { return strings.Repeat("<div>\n", n) }},
	{"autolink openers", 50000, func(n int) string { return strings.Repeat("<a@", n) }},
	{"bare URLs", 50000, func(n int) string { return strings.Repeat("www.a.b ", n) }},

	// Headings, tables, footnotes.
	{"heading attributes", 50000, func(n int) string { return "# h {" + strings.Repeat(".a ", n) + "}\n" }},
	{"heading braces", 50000, func(n int) string { return "# h " + strings.Repeat("{", n) + "\n" }},
	{"setext attributes", 50000, func(n int) string { return "h {" + strings.Repeat(".a ", n) + "}\n===\n" }},
	{"table with many columns", 5000, func(n int) string {
		return strings.Repeat("|a", n) + "|\n" + strings.Repeat("|-", n) + "|\n" + strings.Repeat("a\n", n)
	}},
	{"table with a wide cell", 20000, func(n int) string {
		return "|" + strings.Repeat("a", n) + "|b|\n|-:|-|\n" + strings.Repeat("a|b\n", n)
	}},
	{"escaped pipes in table code", 20000, func(n int) string { return "a|b\n-|-\n" + strings.Repeat("`\\|`|x\n", n) }},
	{"footnote definitions", 20000, func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "x[^%d]\n\n[^%d]: note\n\n", i, i)
		}
		return b.String()
	}},
	{"footnote references", 50000, func(n int) string { return strings.Repeat("[^1] ", n) + "\n\n[^1]: note\n" }},

	// Size.
	{"one long line", 1 << 20, func(n int) string { return strings.Repeat("a", n) }},
	{"hard breaks", 50000, func(n int) string { return strings.Repeat("a\\\n", n) }},
	{"blank lines", 200000, func(n int) string { return strings.Repeat("\n", n) }},
	{"lone carriage returns", 100000, func(n int) string { return strings.Repeat("a\r", n) }},
	{"fence toggles", 50000, func(n int) string { return strings.Repeat("```\n", n) }},
	{"unclosed fence", 100000, func(n int) string { return "```\n" + strings.Repeat("a\n", n) }},
	{"thematic breaks", 50000, func(n int) string { return strings.Repeat("***\n", n) }},
	{"task items", 50000, func(n int) string { return strings.Repeat("- [ ] a\n", n) }},
}

// TestHostile converts every hostile input and checks the output contract,
// an output of at most 4 times the input plus a constant, and (as a hang
// detector, not a measure) that each finishes within a generous time even
// under the race detector on a busy machine. The quadratic versions took
// from seconds to hours on these inputs.
func TestHostile(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			checkHostile(t, []byte(h.gen(max(h.n/raceScale, 1))), 10*time.Second)
		})
	}
}

// TestHostileFullSize runs the hostile generators at the largest size the
// capsule accepts (capsule.MaxDocSize, 8 MiB) and logs the time each takes:
// the figures of the closing report. It takes minutes, so it only runs
// when BROADSIDE_HOSTILE_FULL is set.
func TestHostileFullSize(t *testing.T) {
	if os.Getenv("BROADSIDE_HOSTILE_FULL") == "" {
		t.Skip("set BROADSIDE_HOSTILE_FULL=1 to run")
	}
	const size = 8 << 20
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			// Grow n until the input reaches the size, then trim.
			n := h.n
			src := h.gen(n)
			for len(src) < size && n < 1<<26 {
				n *= 2
				src = h.gen(n)
			}
			if len(src) > size {
				src = src[:size]
			}
			start := time.Now()
			doc := checkHostile(t, []byte(src), time.Minute)
			t.Logf("%d bytes in %v: %d bytes out, %d warnings %.80q", len(src), time.Since(start).Round(time.Millisecond),
				len(doc.Gemtext), len(doc.Warnings), doc.Warnings)
		})
	}
}

// checkHostile converts src in the default and the numbered modes and
// checks the bounds and the output contract.
func checkHostile(t *testing.T, src []byte, limit time.Duration) *Document {
	t.Helper()
	var first *Document
	for _, opts := range []Options{{}, {Links: LinksNumbered, KeepEmphasis: true}} {
		start := time.Now()
		doc, err := New(opts).Convert(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > limit {
			t.Errorf("%d bytes took %v", len(src), d)
		}
		if max := outputPerByte*len(src) + outputBase + 64; len(doc.Gemtext) > max {
			t.Errorf("%d bytes in, %d out (limit %d)", len(src), len(doc.Gemtext), max)
		}
		checkOutput(t, doc.Gemtext)
		for _, w := range doc.Warnings {
			if strings.Contains(w, "internal error") || strings.Contains(w, "took too long") {
				t.Errorf("warning %q: a bound that should have applied did not", w)
			}
		}
		if first == nil {
			first = doc
		}
	}
	return first
}
