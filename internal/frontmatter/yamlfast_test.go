package frontmatter

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// simpleBlocks are blocks simpleYAML must read itself: the front matter
// of ordinary articles.
var simpleBlocks = []string{
	"title: \"Journalist tender censorship district\"\ndate: 2025-12-08T00:00:00Z\nauthor: Writer 34\ntags: [\"capsule collective\", \"censorship\"]\n",
	"title: Hello, world\ndate: 2024-01-07\ntags: [go, Small Web, \"日本\", Français]\ndraft: false\n",
	"title: 'Single quoted'\nsummary: A summary, with a comma\nslug: my-post\naliases: [/old.gmi, old2.md]\n",
	"# a comment\ntitle: T\n\nlastmod: 2024-01-08 10:00:00\nweight: 10\ncustom_key: value\npublished: TRUE\nlang: fr\nid: urn:uuid:1234\n",
	"title:\ndate: 2024-01-02\ntags: []\nsummary: ~\nslug: null\n",
	"title: T\nodd: 2024-1-2\n",
	"title: 1984\ntags: [1, 2024-01-01, \"x\", null, true]\n",
	"title: C# and C++ notes\ndescription: He said \"hello\" twice\n",
	"",
	"# only a comment\n",
}

// otherBlocks are blocks simpleYAML must leave to yaml.v3.
var otherBlocks = []string{
	"title: T\ntags:\n  - a\n  - b\n",
	"title: \"escaped \\\" quote\"\n",
	"title: T # comment\n",
	"title: &a anchor\nsummary: *a\n",
	"title: |\n  block\n",
	"title: 'it''s'\n",
	"taxonomies: {tags: [a]}\n",
	"title: T\ntitle: again\n",
	"  title: indented\n",
	"title: a: b\n",
	"date: 2024-13-45\n",
	"weight: 0x10\n",
	"weight: -1\n",
	"weight: 1e5\n",
	"weight: 1_000\n",
	"weight: 0777\n",
	"title: .inf\n",
	"title:\ttab\n",
	"title: T\r\n",
	"tags: [a, [b]]\n",
	"tags: [a, , b]\n",
	"title:no-space\n",
	"title: T\n---\n",
}

func TestSimpleYAML(t *testing.T) {
	for _, b := range simpleBlocks {
		got, ok := simpleYAML([]byte(b), 2)
		if !ok {
			t.Errorf("simpleYAML refused %q", b)
			continue
		}
		want, errs := yamlNodeEntries("f.md", []byte(b), 2, 100)
		if len(errs) != 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\nsimple %+v\nyaml.v3 %+v %v", b, got, want, errs)
		}
	}
	for _, b := range otherBlocks {
		if got, ok := simpleYAML([]byte(b), 2); ok {
			t.Errorf("simpleYAML read %q as %+v; it should leave it to yaml.v3", b, got)
		}
	}
	// The whole of Parse agrees either way.
	for _, b := range simpleBlocks {
		src := []byte("---\n" + b + "---\nBody.\n")
		doc, _ := Parse("f.md", src, time.UTC)
		if doc.Broken() && !strings.Contains(b, "1984") {
			t.Errorf("%q: %v", b, doc.Diagnostics)
		}
	}
}

// FuzzSimpleYAML checks that whatever block simpleYAML accepts, it reads
// exactly as yaml.v3 does: the same keys, values, types and positions.
func FuzzSimpleYAML(f *testing.F) {
	for _, b := range append(simpleBlocks, otherBlocks...) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b string) {
		got, ok := simpleYAML([]byte(b), 2)
		if !ok {
			return
		}
		want, errs := yamlNodeEntries("f.md", []byte(b), 2, 2+strings.Count(b, "\n"))
		if len(errs) != 0 {
			t.Fatalf("simpleYAML read %q, which yaml.v3 refuses: %v", b, errs[0])
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nsimple  %+v\nyaml.v3 %+v", b, got, want)
		}
	})
}

func BenchmarkYAMLEntries(b *testing.B) {
	block := []byte(simpleBlocks[0])
	b.Run("simple", func(b *testing.B) {
		for b.Loop() {
			simpleYAML(block, 2)
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		for b.Loop() {
			yamlNodeEntries("f.md", block, 2, 10)
		}
	})
}
