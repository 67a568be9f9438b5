package export

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"broadside/internal/site"
)

// mollyFile is the part of Molly Brown's configuration molly-brown.conf
// sets, decoded as Molly Brown decodes it (BurntSushi/toml).
type mollyFile struct {
	DefaultLang   string
	PermRedirects map[string]string
	TempRedirects map[string]string
	MimeOverrides map[string]string
}

// mollyRedirect does what Molly Brown does with a request path: the first
// matching pattern's replacement, or "" if none matches.
func mollyRedirect(t *testing.T, rules map[string]string, p string) string {
	t.Helper()
	for pattern, to := range rules {
		re, err := regexp.Compile(pattern)
		if err != nil {
			t.Fatalf("pattern %q: %v", pattern, err)
		}
		if re.MatchString(p) {
			return re.ReplaceAllString(p, to)
		}
	}
	return ""
}

func TestMollyConf(t *testing.T) {
	p := &plan{
		redirects: []redirect{
			{from: escapePath("/old/a.gmi"), to: "/posts/a.gmi"},
			{from: escapePath("/$money (1).gmi"), to: escapePath("/posts/$1 [x].gmi")},
			{from: escapePath("/tmp"), to: "/posts/", temporary: true},
			{from: escapePath("/away"), to: "gemini://other.example/"},
		},
		gone: []string{"/gone.gmi"},
	}
	meta := map[string]string{
		"posts/fr.gmi":           "text/gemini; charset=utf-8; lang=fr",
		"posts/en.gmi":           "text/gemini; charset=utf-8; lang=en",
		"atom.xml":               "application/atom+xml",
		"tags/x/atom.xml":        "application/atom+xml",
		"a/b.gmi":                "text/gemini; charset=utf-8; lang=de",
		"z/a/b.gmi":              "text/gemini; charset=utf-8; lang=en",
		"dir with \"quote\".gmi": "text/gemini; charset=utf-8; lang=pt-BR",
	}
	conf := mollyConf(site.Options{Lang: "en"}, p, meta)
	var m mollyFile
	if _, err := toml.Decode(string(conf), &m); err != nil {
		t.Fatalf("molly-brown.conf is not TOML: %v\n%s", err, conf)
	}
	if m.DefaultLang != "en" {
		t.Errorf("DefaultLang = %q", m.DefaultLang)
	}
	for _, c := range []struct {
		rules    map[string]string
		from, to string
	}{
		{m.PermRedirects, "/old/a.gmi", "/posts/a.gmi"},
		{m.PermRedirects, "/$money (1).gmi", "/posts/$1 [x].gmi"},
		{m.PermRedirects, "/old/a.gmix", ""},
		{m.PermRedirects, "/x/old/a.gmi", ""},
		{m.PermRedirects, "/old/aXgmi", ""},
		{m.TempRedirects, "/tmp", "/posts/"},
		{m.PermRedirects, "/tmp", ""},
		{m.PermRedirects, "/away", ""},
	} {
		if got := mollyRedirect(t, c.rules, c.from); got != c.to {
			t.Errorf("Molly Brown redirects %q to %q, want %q", c.from, got, c.to)
		}
	}
	if !strings.Contains(string(conf), "# /away -> gemini://other.example/") || !strings.Contains(string(conf), "# 52 /gone.gmi") {
		t.Errorf("skipped redirect or gone path not noted:\n%s", conf)
	}
	wantTypes := map[string]string{
		"/posts/fr\\.gmi$":           "text/gemini; lang=fr",
		"/atom\\.xml$":               "application/atom+xml",
		"/tags/x/atom\\.xml$":        "application/atom+xml",
		"/dir with \"quote\"\\.gmi$": "text/gemini; lang=pt-BR",
		"/z/a/b\\.gmi$":              "", // default language: no override
		"/a/b\\.gmi$":                "", // would match z/a/b.gmi too
	}
	for pattern, want := range wantTypes {
		if got := m.MimeOverrides[pattern]; got != want {
			t.Errorf("MimeOverrides[%q] = %q, want %q", pattern, got, want)
		}
	}
	if len(m.MimeOverrides) != 4 {
		t.Errorf("MimeOverrides = %q", m.MimeOverrides)
	}
}

// FuzzMollyConf checks, for any paths, that molly-brown.conf is TOML
// whose patterns compile, match their own path and nothing longer, and
// lead to their target.
func FuzzMollyConf(f *testing.F) {
	f.Add("/old/a.gmi", "/posts/a.gmi", "posts/fr.gmi", "fr")
	f.Add("/$1\\.*+?()[]{}|^", "/a$b$$c${x}", "x\"y\\z.gmi", "de-CH")
	f.Add("/é\u2028\x7f", "/日本", "tags/日本/atom.xml", "")
	f.Fuzz(func(t *testing.T, from, to, file, lang string) {
		for _, s := range []string{from, to, file, lang} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
				return // site paths never hold these
			}
		}
		if !strings.HasPrefix(from, "/") || !strings.HasPrefix(to, "/") || file == "" {
			return
		}
		if strings.ContainsFunc(lang, func(r rune) bool { return r != '-' && !('a' <= r && r <= 'z') && !('0' <= r && r <= '9') }) {
			return // a BCP 47 tag, as front matter validates it
		}
		p := &plan{redirects: []redirect{{from: escapePath(from), to: escapePath(to)}}}
		meta := map[string]string{file: "text/gemini; lang=" + lang + "x"}
		conf := mollyConf(site.Options{Lang: "en"}, p, meta)
		var m mollyFile
		if _, err := toml.Decode(string(conf), &m); err != nil {
			t.Fatalf("not TOML: %v\n%s", err, conf)
		}
		from, _ = url.PathUnescape(escapePath(from))
		to, _ = url.PathUnescape(escapePath(to))
		if got := mollyRedirect(t, m.PermRedirects, from); got != to {
			t.Fatalf("%q redirects to %q, want %q", from, got, to)
		}
		if got := mollyRedirect(t, m.PermRedirects, from+"x"); got != "" {
			t.Fatalf("%q+x redirects to %q", from, got)
		}
		for pattern, mt := range m.MimeOverrides {
			re, err := regexp.Compile(pattern)
			if err != nil {
				t.Fatal(err)
			}
			if !re.MatchString("/srv/export/gemini/"+file) || !re.MatchString("/"+file) {
				t.Fatalf("pattern %q does not match %q", pattern, file)
			}
			if mt != "text/gemini; lang="+lang+"x" {
				t.Fatalf("type %q", mt)
			}
		}
	})
}
