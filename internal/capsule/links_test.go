package capsule

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLinkRewriter(t *testing.T) {
	tests := []struct {
		source, dest, want string
	}{
		{"posts/a.md", "other.md", "/posts/other.gmi"},
		{"posts/a.md", "./other.md", "/posts/other.gmi"},
		{"posts/a.md", "../x.md#frag", "/x.gmi#frag"},
		{"posts/a.md", "../x.md?q=1#f", "/x.gmi?q=1#f"},
		{"posts/a.md", "../x.markdown", "/x.gmi"},
		{"posts/a.md", "X.MD", "/posts/X.gmi"},
		{"posts/a.md", "?q", "?q"},
		{"posts/a.md", "#top", ""},
		{"posts/a.md", "", ""},
		{"posts/a.md", "../../../etc/passwd", ""},
		{"posts/a.md", "../..", ""},
		{"posts/a.md", "%2e%2e/%2e%2e/etc/passwd", ""},
		{"posts/a.md", "sub/../../../x", ""},
		{"posts/a.md", "sub/../../x.md", "/x.gmi"},
		{"posts/a.md", "https://example.com/a.md", "https://example.com/a.md"},
		{"posts/a.md", "mailto:a@example.com", "mailto:a@example.com"},
		{"posts/a.md", "gemini://example.com/x.md", "gemini://example.com/x.md"},
		{"posts/a.md", "gopher://example.com:70/0/x", "gopher://example.com:70/0/x"},
		{"posts/a.md", "//example.com/x.md", "//example.com/x.md"},
		{"posts/a.md", "/abs.md", "/abs.gmi"},
		{"posts/a.md", "/img/a.png", "/img/a.png"},
		{"posts/a.md", "a%20b.md", "/posts/a%20b.gmi"},
		{"posts/a.md", "a b.md", "/posts/a%20b.gmi"},
		{"posts/a.md", "a%3Fb.md", "/posts/a%3Fb.gmi"},
		{"posts/a.md", "100%.md", "/posts/100%25.gmi"},
		{"posts/a.md", "日本.md", "/posts/%E6%97%A5%E6%9C%AC.gmi"},
		{"posts/a.md", "sub/", "/posts/sub/"},
		{"posts/a.md", "../", "/"},
		{"posts/a.md", ".", "/posts"},
		{"posts/a.md", "img.png", "/posts/img.png"},
		{"a.md", "posts/b.md", "/posts/b.gmi"},
		{"a.md", "../b.md", ""},
		{"a.md", "/", "/"},
		{"deep/er/a.md", "../../b.md#x", "/b.gmi#x"},
	}
	for _, tt := range tests {
		t.Run(tt.source+" "+tt.dest, func(t *testing.T) {
			if got := linkRewriter(tt.source)(tt.dest); got != tt.want {
				t.Errorf("rewrite(%q) from %s = %q, want %q", tt.dest, tt.source, got, tt.want)
			}
		})
	}
}

func TestLinksThroughLoad(t *testing.T) {
	src := "# A\n\n" +
		"See [other](other.md), [x](../x.md#frag), [query](?q) and [secret passwd](../../../etc/passwd).\n\n" +
		"* [web](https://example.com/a.md)\n* [mail](mailto:a@example.com)\n* [gem](gemini://example.com/x.md)\n\n" +
		"[abs](/abs.md) and [spaced](a%20b.md) and ![pic](img/p.png)\n"
	s := mustLoad(t, mapFS(map[string]string{"posts/a.md": src}), Options{})
	d := docBySource(t, s, "posts/a.md")
	body := bodyOf(t, s, d)
	want := []string{
		"/posts/other.gmi", "/x.gmi#frag", "?q",
		"https://example.com/a.md", "mailto:a@example.com", "gemini://example.com/x.md",
		"/abs.gmi", "/posts/a%20b.gmi", "/posts/img/p.png",
	}
	if got := linkLines(body); !slices.Equal(got, want) {
		t.Errorf("link lines = %q\nwant %q\nbody:\n%s", got, want, body)
	}
	if !strings.Contains(string(body), "secret passwd") {
		t.Errorf("text of the dropped link lost:\n%s", body)
	}
	if strings.Contains(string(body), "etc") {
		t.Errorf("escaping link kept:\n%s", body)
	}
}

// FuzzLinkRewriter checks that, whatever the destination, a rewritten link
// is dropped, an absolute URL left unchanged, or a path inside the capsule.
func FuzzLinkRewriter(f *testing.F) {
	for _, s := range []string{"other.md", "../x.md#frag", "?q", "#a", "../../../etc/passwd",
		"https://example.com/", "//h/x", "/abs.md", "a%20b.md", "%2e%2e/x", "..%2f..%2fx", "a/./b/../../..", "C:\\x", "\x00", "日本.md"} {
		f.Add("posts/a.md", s)
	}
	f.Add("a.md", "../b")
	f.Add("x/y/z.md", "../../../..")
	f.Fuzz(func(t *testing.T, source, dest string) {
		if !utf8.ValidString(source) || Hidden(source) || strings.Contains(source, "..") {
			t.Skip()
		}
		got := linkRewriter(source)(dest)
		switch {
		case got == "":
			return
		case hasScheme(dest) || strings.HasPrefix(dest, "//"):
			if got != dest {
				t.Fatalf("absolute URL %q rewritten to %q", dest, got)
			}
			return
		case strings.HasPrefix(dest, "?"):
			// Same document with another query.
			if got != dest {
				t.Fatalf("query-only link %q rewritten to %q", dest, got)
			}
			return
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") {
			t.Fatalf("rewrite(%q) = %q: not a path from the root", dest, got)
		}
		p := got
		if i := strings.IndexAny(p, "?#"); i >= 0 {
			if want := dest[strings.IndexAny(dest, "?#"):]; p[i:] != want {
				t.Fatalf("rewrite(%q) = %q: query or fragment %q not kept", dest, got, want)
			}
			p = p[:i]
		}
		u, err := url.PathUnescape(p)
		if err != nil {
			t.Fatalf("rewrite(%q) = %q: bad escape: %v", dest, got, err)
		}
		for seg := range strings.SplitSeq(u, "/") {
			if seg == ".." || seg == "." {
				t.Fatalf("rewrite(%q) = %q: path %q has a %q segment", dest, got, u, seg)
			}
		}
		if strings.ContainsAny(p, " \t\r\n") {
			t.Fatalf("rewrite(%q) = %q: unescaped white space", dest, got)
		}
	})
}

func TestLinkPositions(t *testing.T) {
	src := "---\ntitle: T\n---\n[ref]: other.md\n\nA [x](a.md) and [again](a.md).\n\nB ![pic](img/p.png) [r][ref] [out](../../up.md)\n=> gemini://example.org/ not a link line in Markdown\n[g](gemini://example.org/x)\n"
	d := Parse("posts/t.md", []byte(src), Options{})
	var got []string
	for _, l := range d.Links {
		got = append(got, fmt.Sprintf("%s@%d:%d", l.Target, l.Line, l.Col))
	}
	want := "/posts/a.gmi@6:7 /posts/a.gmi@6:25 /posts/img/p.png@8:10 /posts/other.gmi@4:8 gemini://example.org/x@10:5"
	if strings.Join(got, " ") != want {
		t.Errorf("links %s\nwant  %s", strings.Join(got, " "), want)
	}
	if ps := significant(d.Problems); len(ps) != 1 || ps[0].Code != CodeLinkOutside || ps[0].Line != 8 {
		t.Errorf("problems %v, want the link out of the capsule on line 8", ps)
	}
}
