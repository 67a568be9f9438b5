package gemtext

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// The hardened parser must read ordinary Markdown exactly as goldmark does.
// These tests render the trees of both parsers with goldmark's own HTML
// renderer and compare: the CommonMark spec examples and goldmark's
// extension test cases, the golden inputs, and (FuzzParserMatchesGoldmark)
// whatever the fuzzer makes.

var htmlRenderer = renderer.NewRenderer(renderer.WithNodeRenderers(
	util.Prioritized(html.NewRenderer(), 1000),
	util.Prioritized(extension.NewTableHTMLRenderer(), 500),
	util.Prioritized(extension.NewStrikethroughHTMLRenderer(), 500),
	util.Prioritized(extension.NewTaskCheckBoxHTMLRenderer(), 500),
	util.Prioritized(extension.NewFootnoteHTMLRenderer(), 500),
))

var hardened = newParser()

// bothHTML returns the HTML of src through stock goldmark and through the
// hardened parser, and whether they are comparable: they are not when the
// hardened parser applied one of its caps (nesting, heading attributes) or
// ran out of budget, which it does on purpose.
func bothHTML(t testing.TB, src []byte) (stock, hard string, comparable bool) {
	t.Helper()
	var b bytes.Buffer
	if err := stockMarkdown().Convert(src, &b); err != nil {
		t.Fatal(err)
	}
	stock = b.String()
	b.Reset()
	pc := parser.NewContext()
	bud := newBudget(len(src), -1)
	pc.Set(budgetKey, bud)
	comparable = true
	func() {
		defer func() {
			if v := recover(); v != nil {
				if _, ok := v.(overBudget); !ok {
					panic(v)
				}
				comparable = false
			}
		}()
		root := hardened.Parse(newSourceReader(src, bud), parser.WithContext(pc))
		if err := htmlRenderer.Render(&b, src, root); err != nil {
			t.Fatal(err)
		}
	}()
	if pc.Get(cappedKey) != nil || pc.Get(tableCappedKey) != nil {
		comparable = false
	}
	for line := range bytes.SplitSeq(src, []byte("\n")) {
		if bytes.IndexByte(line, '{') >= 0 && !attributesSafe(line) {
			comparable = false
		}
	}
	return stock, b.String(), comparable
}

func checkSame(t *testing.T, name string, src []byte) {
	t.Helper()
	stock, hard, comparable := bothHTML(t, src)
	if comparable && stock != hard {
		t.Errorf("%s: hardened parser differs from goldmark\ninput:\n%q\ngoldmark:\n%s\nhardened:\n%s", name, src, stock, hard)
	}
}

func TestParserMatchesGoldmark(t *testing.T) {
	t.Run("golden inputs", func(t *testing.T) {
		inputs, _ := filepath.Glob(filepath.Join("testdata", "*.md"))
		if len(inputs) == 0 {
			t.Fatal("no golden inputs")
		}
		for _, in := range inputs {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, in, src)
		}
	})
	t.Run("hand-picked", func(t *testing.T) {
		for _, src := range differentialSeeds {
			checkSame(t, "seed", []byte(src))
		}
	})
	dir := goldmarkDir(t)
	t.Run("CommonMark spec", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(dir, "_test", "spec.json"))
		if err != nil {
			t.Fatal(err)
		}
		var examples []struct {
			Markdown string `json:"markdown"`
			Example  int    `json:"example"`
		}
		if err := json.Unmarshal(raw, &examples); err != nil {
			t.Fatal(err)
		}
		if len(examples) < 600 {
			t.Fatalf("only %d spec examples", len(examples))
		}
		for _, ex := range examples {
			checkSame(t, "spec example "+itoa(ex.Example), []byte(ex.Markdown))
		}
	})
	for _, file := range []string{"_test/extra.txt", "extension/_test/footnote.txt", "extension/_test/linkify.txt",
		"extension/_test/strikethrough.txt", "extension/_test/table.txt", "extension/_test/tasklist.txt"} {
		t.Run(file, func(t *testing.T) {
			cases := goldmarkCases(t, filepath.Join(dir, file))
			if len(cases) == 0 {
				t.Fatalf("no cases in %s", file)
			}
			for i, src := range cases {
				checkSame(t, file+" case "+itoa(i+1), []byte(src))
			}
		})
	}
}

// goldmarkDir finds goldmark's module folder, whose test cases serve as a
// corpus here.
func goldmarkDir(t *testing.T) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yuin/goldmark").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("goldmark's module folder not found (%v): skipping its test cases", err)
	}
	return dir
}

// goldmarkCases reads the Markdown of each case of one of goldmark's test
// files: the text between the first two "//- - - - - - - - -//" lines of
// each case.
func goldmarkCases(t *testing.T, path string) []string {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const sep = "//- - - - - - - - -//"
	var cases []string
	for c := range strings.SplitSeq(string(raw), "//= = = = = = = = = = = = = = = = = = = = = = = =//") {
		parts := strings.Split(c, sep+"\n")
		if len(parts) >= 3 {
			cases = append(cases, strings.ReplaceAll(parts[1], "\\t", "\t"))
		}
	}
	return cases
}

// differentialSeeds exercise the replaced parts of goldmark: emphasis
// matching, reference definitions, footnotes, escaped pipes in tables.
var differentialSeeds = []string{
	"*a **b** c*", "**x [a*b**c*](d)", "*a_ *b_ c*", "a**b" + strings.Repeat("c* ", 5),
	"*a **a *a **a b a** a* a** a*", "_a *b_ c*", "***a***", "a***b***c", "~~a~~ ~b~ ~~~c~~~ ~~d~",
	"*[a*](b) c*", "[*a](b*) *c*", "*a `*` b*", "__a__b__", "*(*a*)*", "**a*b*c**",
	"[a]: /u\n[b]: /v 'title'\n[c]:\n/w\n\"long\ntitle\"\n\n[a] [b] [c]\n",
	"[a]: /u\n\"title\" garbage\n[b]: /v\n\n[a] [b]\n", "[a]: /u\n\"ti\ntle\" [b]: /v\nrest\n\n[a] [b]\n",
	"> [a]: /u\n> [b]: /v\n\n[a][b]\n", "- [a]: /u\n  text\n\n[a]\n", "[a]: <> \n[b]: <x y>\n\n[a] [b]\n",
	"x[^1] y[^2] z[^1] ![^2]\n\n[^1]: one\n[^2]: two [link](/l)\n[^3]: unused\n[^1]: duplicate\n",
	"[^a]: nested\n\n    [^b]: inner\n\ntext[^a][^b]\n",
	"| a | b |\n|---|---|\n| `x\\|y` | `\\|` \\| |\n| `a\\|b\\|c` | d |\n",
	"# Title {#id .a .b}\n\nSetext {.c}\n===\n", "## not {attr\n", "1. a\n   > b\n   > - c\n",
	"`a` ``b`` ` c ` `` ` `` \\`d` `e``f`` `g", "\\`` \\`` x` y``", "`a\nb` ``\nc\n``", "``a` b`` `c``",
}

// FuzzParserMatchesGoldmark compares the two parsers on small inputs
// (goldmark's own quadratic cases do not matter at that size).
func FuzzParserMatchesGoldmark(f *testing.F) {
	for _, s := range differentialSeeds {
		f.Add([]byte(s))
	}
	inputs, _ := filepath.Glob(filepath.Join("testdata", "*.md"))
	for _, in := range inputs {
		if src, err := os.ReadFile(in); err == nil && len(src) <= 4096 {
			f.Add(src)
		}
	}
	for _, h := range hostile {
		f.Add([]byte(h.gen(12)))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		checkSame(t, "fuzz", src)
	})
}
