package frontend

import (
	"os"
	"strings"
	"testing"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/gopher/gophertest"
	"broadside/internal/site"
	"broadside/internal/site/sitetest"
)

func TestGeminiRoundTrip(t *testing.T) {
	l := liveTest(t)
	tests := []struct {
		name, request, header, body string
	}{
		{"index", "gemini://example.org/", "20 text/gemini; charset=utf-8; lang=en", "=> /posts/third.gmi 2024-03-01 Third\n"},
		{"empty path", "gemini://example.org", "20 text/gemini; charset=utf-8; lang=en", "# Test Site\n"},
		{"article", "gemini://example.org/posts/second.gmi", "20 text/gemini; charset=utf-8; lang=fr", "Bonjour.\n"},
		{"escaped path", "gemini://example.org/tags/fran%C3%A7ais/", "20 text/gemini; charset=utf-8; lang=en", "# Français\n"},
		{"tags", "gemini://example.org/tags/", "20 text/gemini; charset=utf-8; lang=en", "=> /tags/go/ go (2 articles)\n"},
		{"tag", "gemini://example.org/tags/news/", "20 text/gemini; charset=utf-8; lang=en", "=> /posts/2024-01-05-first.gmi 2024-01-05 First <post> & more\n"},
		{"feed", "gemini://example.org/atom.xml", "20 application/atom+xml", "<feed xmlns=\"http://www.w3.org/2005/Atom\""},
		{"tag feed", "gemini://example.org/tags/go/atom.xml", "20 application/atom+xml", "<title type=\"text\">Test Site: go</title>"},
		{"static", "gemini://example.org/images/a.png", "20 image/png", "\x89PNG"},
		{"markdown source", "gemini://example.org/posts/second.md", "31 /posts/second.gmi", ""},
		{"alias", "gemini://example.org/old/first.gmi", "31 /posts/2024-01-05-first.gmi", ""},
		{"folder slash", "gemini://example.org/docs", "31 /docs/", ""},
		{"folder index", "gemini://example.org/docs/", "20 text/gemini; charset=utf-8; lang=en", "Folder index.\n"},
		{"removed", "gemini://example.org/posts/retracted.gmi", "52 Gone", ""},
		{"missing", "gemini://example.org/nope.gmi", "51 Not found", ""},
		{"draft", "gemini://example.org/posts/draft.gmi", "51 Not found", ""},
		{"future", "gemini://example.org/posts/future.gmi", "51 Not found", ""},
		{"hidden", "gemini://example.org/.git/config", "51 Not found", ""},
		{"traversal", "gemini://example.org/../../etc/passwd", "59", ""},
		{"other host", "gemini://other.example/", "53", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, body := geminiGet(t, l, tt.request)
			if !strings.HasPrefix(header, tt.header) {
				t.Fatalf("header = %q, want %q", header, tt.header)
			}
			if tt.body == "" && body != "" {
				t.Errorf("non-20 response has a body: %q", body)
			}
			if !strings.Contains(body, tt.body) {
				t.Errorf("body lacks %q:\n%s", tt.body, body)
			}
		})
	}
}

func TestGopherRoundTrip(t *testing.T) {
	h := liveTest(t)
	tests := []struct {
		name, selector string
		menu           bool
		want           []string
		not            []string
	}{
		{"root empty", "", true, []string{"iTest Site\t", "02024-03-01 Third\t/posts/third.gmi\texample.org\t7070\r\n", "1Tags (3)\t/tags/\texample.org\t7070\r\n"}, nil},
		{"root slash", "/", true, []string{"02024-02-01 Second\t/posts/second.gmi\texample.org\t7070\r\n"}, nil},
		{"tag menu", "/tags/go/", true, []string{"02024-02-01 Second\t/posts/second.gmi\texample.org\t7070\r\n", "0Atom feed for this tag\t/tags/go/atom.xml\t"}, nil},
		{"unicode tag menu", "/tags/français/", true, []string{"iFrançais\t"}, nil},
		{"escaped tag menu", "/tags/fran%C3%A7ais/", true, []string{"iFrançais\t"}, nil},
		{"article text", "/posts/second.gmi", false, []string{"Second\r\n======\r\n", "Bonjour.\r\n", "Références\r\n----------\r\n", "gopher://example.org:7070/1/tags/go/\r\n", "gopher://example.org:7070/1/posts/second.gmi;menu"}, []string{"\t"}},
		{"article menu", "/posts/second.gmi;menu", true, []string{"0Cette page en texte, pour la lire et l'enregistrer\t/posts/second.gmi\texample.org\t7070\r\n", "1Étiquette\u00a0: go\t/tags/go/\t", "iBonjour.\t"}, nil},
		{"page text", "/about.gmi", false, []string{"About us\r\n", "We write things."}, nil},
		{"hand-written gmi menu", "/notes.gmi;menu", true, []string{"0About\t/about.gmi\texample.org\t7070\r\n"}, nil},
		{"alias followed", "/old/first.gmi", false, []string{"First <post> & more\r\n"}, nil},
		{"markdown source followed", "/posts/second.md", false, []string{"Bonjour."}, nil},
		{"feed as text", "/atom.xml", false, []string{"<feed xmlns", "\r\n"}, nil},
		{"url redirect", "URL:https://example.org/a?b=1&c=<x>", false, []string{"<meta http-equiv=\"refresh\"", "https://example.org/a?b=1&amp;c=&lt;x&gt;"}, []string{"<x>"}},
		{"url redirect with slash", "/URL:gemini://example.org/", false, []string{"url=gemini://example.org/"}, nil},
		{"url redirect bad scheme", "URL:javascript:alert(1)", true, []string{"3"}, []string{"alert"}},
		{"caps", "/caps.txt", false, []string{"CAPS\r\n", "PathDelimeter=/"}, nil},
		{"missing", "/nope.gmi", true, []string{"3Not found."}, []string{"nope"}},
		{"removed", "/posts/retracted.gmi", true, []string{"3This page has been removed."}, nil},
		{"draft", "/posts/draft.gmi", true, []string{"3Not found."}, []string{"Secret"}},
		{"dot dot", "/../../etc/passwd", true, []string{"3"}, []string{"root:"}},
		{"escaped dot dot", "/%2e%2e/%2e%2e/etc/passwd", true, []string{"3"}, []string{"root:"}},
		{"hidden", "/.git/config", true, []string{"3"}, []string{"secret"}},
		{"nul", "/posts/second.gmi\x00", true, []string{"3"}, []string{"Bonjour"}},
		{"escape sequence", "/\x1b[31m", true, []string{"3"}, []string{"\x1b"}},
		{"tab search ignored", "/posts/second.gmi\tquery", false, []string{"Bonjour."}, nil},
		{"static image", "/images/a.png", false, []string{"\x89PNG"}, nil},
		{"long line", strings.Repeat("a", 64<<10), true, []string{"3"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := gopherGet(t, h, tt.selector)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("response lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("response contains %q:\n%s", n, got)
				}
			}
			if tt.menu {
				if err := gophertest.LintMenu([]byte(got)); err != nil {
					t.Errorf("menu fails lint: %v\n%s", err, got)
				}
			}
		})
	}
}

// TestGopherHostileTitle checks that TAB, CR and LF in a title, a tag and
// a file name never reach a menu field.
func TestGopherHostileTitle(t *testing.T) {
	fsys := testCapsule()
	fsys["posts/2024-05-01-evil\tname.md"] = file("---\ntitle: \"Evil\\ttitle\\r\\n1fake\\tselector\\thost\\t70\"\ntags: [\"bad\\ttag\\r\\n\"]\n---\n\nText.\n")
	h := liveOf(buildTest(t, fsys))
	for _, sel := range []string{"/", "/tags/", "/archive/", "/tags/bad-tag/"} {
		got := gopherGet(t, h, sel)
		if err := gophertest.LintMenu([]byte(got)); err != nil {
			t.Errorf("%s: %v\n%s", sel, err, got)
		}
		if strings.Contains(got, "\r\n1fake") {
			t.Errorf("%s: injected a menu line:\n%s", sel, got)
		}
	}
}

// TestSampleCapsuleMenusLint runs the menu linter over every menu the
// shipped sample capsule produces, and checks every text view.
func TestSampleCapsuleMenusLint(t *testing.T) {
	root, err := os.OpenRoot("../../capsule")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	snap, err := capsule.Load(root.FS(), capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := snap.Errors(); n > 0 {
		t.Errorf("sample capsule has %d errors: %v", n, snap.Problems)
	}
	// After every sample article's date, before the scheduled one's.
	when := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	s := site.Build(snap, site.Options{Title: "Sample", Hostname: "localhost", GopherPort: 7070, Static: root.FS()}, when)
	h := liveOf(s)
	menus := 0
	for _, p := range s.Paths() {
		if pg := s.Lookup(p).Page; pg == nil || !strings.HasPrefix(pg.Type, "text/gemini") {
			continue
		}
		sel := p
		if !strings.HasSuffix(p, "/") {
			sel += MenuSuffix
			text := gopherGet(t, h, p)
			for i, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
				if line == "." || strings.ContainsAny(line, "\r\n") {
					t.Errorf("%s text line %d is %q", p, i+1, line)
				}
			}
		}
		if err := gophertest.LintMenu([]byte(gopherGet(t, h, sel))); err != nil {
			t.Errorf("%s: %v", sel, err)
		}
		menus++
	}
	if menus < 15 {
		t.Errorf("only %d menus checked", menus)
	}
}

// TestRedirectRulesOverProtocols: Gemini answers 31 or 30 with the
// target; Gopher, which has no redirects, follows local rules itself and
// offers a link for a rule to another host.
func TestRedirectRulesOverProtocols(t *testing.T) {
	fsys := testCapsule()
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(fsys)
	opts.Redirects = []site.RedirectRule{
		{From: "/old/", To: "/posts/"},
		{From: "/feed.xml", To: "/atom.xml", Temporary: true},
		{From: "/moved/", To: "gemini://new.example/archive/"},
	}
	l := liveOf(site.Build(snap, opts, sitetest.Now))
	for _, tt := range []struct{ request, header string }{
		{"gemini://example.org/old/third.gmi", "31 /posts/third.gmi"},
		{"gemini://example.org/feed.xml", "30 /atom.xml"},
		{"gemini://example.org/moved/a.gmi", "31 gemini://new.example/archive/a.gmi"},
	} {
		if header, body := geminiGet(t, l, tt.request); header != tt.header || body != "" {
			t.Errorf("%s: %q %q, want %q and no body", tt.request, header, body, tt.header)
		}
	}
	if got := gopherGet(t, l, "/old/third.gmi"); !strings.HasPrefix(got, "Third\r\n") {
		t.Errorf("gopher did not follow the local rule:\n%s", got)
	}
	got := gopherGet(t, l, "/moved/a.gmi")
	if !strings.Contains(got, "\tURL:gemini://new.example/archive/a.gmi\t") {
		t.Errorf("gopher offers no link to the external target:\n%s", got)
	}
	if err := gophertest.LintMenu([]byte(got)); err != nil {
		t.Errorf("menu fails lint: %v\n%s", err, got)
	}
}
