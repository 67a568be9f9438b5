package gemtext

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestMarkdownLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"other.md", "other.gmi"},
		{"../x.MARKDOWN", "../x.gmi"},
		{"a/b.Md?x=1#frag", "a/b.gmi?x=1#frag"},
		{"page.md#sec", "page.gmi#sec"},
		{"/posts/a.md", "/posts/a.gmi"},
		{"https://example.org/a.md", "https://example.org/a.md"},
		{"gemini://example.org/a.md", "gemini://example.org/a.md"},
		{"//example.org/a.md", "//example.org/a.md"},
		{"mailto:x.md", "mailto:x.md"},
		{"file.mdx", "file.mdx"},
		{".md", ".md"},
		{"dir/.md", "dir/.md"},
		{"notes.txt", "notes.txt"},
		{"", ""},
		{"#anchor", "#anchor"},
		{"a.html?file=x.md", "a.html?file=x.md"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MarkdownLink(tt.in); got != tt.want {
				t.Errorf("MarkdownLink(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDocumentFields(t *testing.T) {
	tests := []struct {
		name, src string
		want      Document
	}{
		{
			name: "h1 title and first paragraph summary",
			src:  "## Before\n\n# The *Title*\n\nFirst   paragraph\nover two lines.\n\nSecond paragraph.\n",
			want: Document{Title: "The Title", Summary: "First paragraph over two lines.", Words: 10},
		},
		{
			name: "first heading of any level",
			src:  "### Small\n\ntext\n",
			want: Document{Title: "Small", Summary: "text", Words: 2},
		},
		{
			name: "more marker",
			src:  "# T\n\nOne para.\n\nTwo para.<!--more--> Not in summary.\n\nThree.\n",
			want: Document{Title: "T", Summary: "One para. Two para.", Words: 9},
		},
		{
			name: "more marker as block",
			src:  "Intro here.\n\n<!--more-->\n\nRest.\n",
			want: Document{Summary: "Intro here.", Words: 3},
		},
		{
			name: "no heading no paragraph",
			src:  "```\ncode only\n```\n",
			want: Document{},
		},
		{
			name: "cjk words",
			src:  "日本語 and English\n",
			want: Document{Summary: "日本語 and English", Words: 5},
		},
		{
			name: "warnings name lines",
			src:  "ok\nbad \xff byte\nnul\x00\n",
			want: Document{Summary: "ok bad \ufffd byte nul", Words: 4, Warnings: []string{
				"line 2: invalid UTF-8 replaced with U+FFFD",
				"line 3: control character U+0000 dropped",
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := New(Options{}).Convert([]byte(tt.src), nil)
			if err != nil {
				t.Fatal(err)
			}
			doc.Gemtext = nil
			if !reflect.DeepEqual(*doc, tt.want) {
				t.Errorf("got %#v\nwant %#v", *doc, tt.want)
			}
		})
	}
}

func TestRewriter(t *testing.T) {
	src := "[a](a.md) [b](https://x.org/b) [drop](secret.md) ![img](p.png) [anchor](#x)\n"
	var seen []string
	rewrite := func(dest string) string {
		seen = append(seen, dest)
		switch dest {
		case "secret.md":
			return ""
		case "a.md":
			return "/posts/a.gmi"
		}
		return dest + " x"
	}
	doc, err := New(Options{}).Convert([]byte(src), rewrite)
	if err != nil {
		t.Fatal(err)
	}
	want := "a b drop img anchor\n=> /posts/a.gmi a\n=> https://x.org/b%20x b\n=> p.png%20x img\n"
	if got := string(doc.Gemtext); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if wantSeen := []string{"a.md", "https://x.org/b", "secret.md", "p.png"}; !reflect.DeepEqual(seen, wantSeen) {
		t.Errorf("rewriter saw %q, want %q (anchors never reach it)", seen, wantSeen)
	}
}

func TestConvertWriter(t *testing.T) {
	var b bytes.Buffer
	if err := Convert(&b, []byte("# Hi\n\n[x](y.md)\n")); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "# Hi\n\n=> y.gmi x\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := Convert(failWriter{}, []byte("text")); !errors.Is(err, errFail) {
		t.Errorf("writer error not returned: %v", err)
	}
}

var errFail = errors.New("fail")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errFail }

// TestConcurrent converts different inputs from 8 goroutines with one shared
// Converter and compares with sequential output; run with -race.
func TestConcurrent(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	c := New(Options{Links: LinksNumbered})
	var srcs [][]byte
	var want []string
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := c.Convert(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
		want = append(want, string(doc.Gemtext))
	}
	var wg sync.WaitGroup
	errs := make([]string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 5 {
				i := (g*7 + round*3) % len(srcs)
				for j := range srcs {
					k := (i + j) % len(srcs)
					doc, err := c.Convert(srcs[k], nil)
					if err != nil || string(doc.Gemtext) != want[k] {
						errs[g] = "goroutine output differs for " + inputs[k]
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if msg := strings.Join(errs, ""); msg != "" {
		t.Error(msg)
	}
}
