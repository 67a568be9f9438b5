package gemtext

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// article generates a realistic Markdown article of about size bytes:
// sections with headings, paragraphs with links and emphasis, quotes, lists,
// a table and code, repeated with varying text.
func article(size int) []byte {
	var b strings.Builder
	b.WriteString("# A long article about small protocols\n\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "## Section %d: what the numbers say\n\n", i+1)
		fmt.Fprintf(&b, "For most of the last two decades the web has grown heavier every year, and section %d\n"+
			"looks at why. A typical page downloads *several megabytes* of scripts before it shows a\n"+
			"paragraph, as the [HTTP Archive](https://httparchive.org/reports/page-weight?s=%d) shows,\n"+
			"while a capsule page is **tiny** by comparison and loads in `one round trip`.\n\n", i+1, i)
		b.WriteString("> The constraint is the feature. When a page cannot grow, the writer has to decide\n" +
			"> what matters, and the reader gets [the point](notes/constraint.md) sooner.\n\n")
		b.WriteString("Readers mention the same things again and again:\n\n" +
			"- calm reading without pop-ups or trackers;\n" +
			"- fast loading, even on [slow links](https://example.org/slow);\n" +
			"  - and on old hardware;\n" +
			"- text that can be archived and read in fifty years.\n\n")
		if i%2 == 0 {
			b.WriteString("| Year | Capsules | Median size |\n|-----:|---------:|------------:|\n" +
				"| 2022 | 2 400 | 2.4 KB |\n| 2023 | 3 100 | 2.6 KB |\n| 2024 | 3 900 | 2.5 KB |\n\n")
		} else {
			b.WriteString("```toml\ntitle    = \"My capsule\"\nhostname = \"example.org\"\n\n[gemini]\nlisten = \":1965\"\n```\n\n")
		}
		b.WriteString("Nobody expects small protocols to replace the web; the more modest hope is that they\n" +
			"remain a place where reading is calm and writing is cheap. See the\n" +
			"[list of clients](https://geminiprotocol.net/software/) and our [archive](/posts/).\n\n")
	}
	return []byte(b.String())
}

var benchSizes = []struct {
	name string
	size int
}{{"15KB", 15 << 10}, {"200KB", 200 << 10}}

func BenchmarkConvert(b *testing.B) {
	c := New(Options{})
	for _, s := range benchSizes {
		src := article(s.size)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Convert(src, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGoldmarkHTML is the baseline: stock goldmark with the same
// extensions, parsing and rendering HTML from the same input.
func BenchmarkGoldmarkHTML(b *testing.B) {
	md := stockMarkdown()
	for _, s := range benchSizes {
		src := article(s.size)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				if err := md.Convert(src, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParser compares the hardened goldmark parser with stock
// goldmark on the same input, parsing only: the cost of the bounds.
func BenchmarkParser(b *testing.B) {
	stock := stockMarkdown().Parser()
	hard := newParser()
	for _, s := range benchSizes {
		src := article(s.size)
		b.Run("stock/"+s.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				stock.Parse(text.NewReader(src))
			}
		})
		b.Run("hardened/"+s.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				pc := parser.NewContext()
				bud := newBudget(len(src), 0)
				pc.Set(budgetKey, bud)
				hard.Parse(newSourceReader(src, bud), parser.WithContext(pc))
			}
		})
	}
}
