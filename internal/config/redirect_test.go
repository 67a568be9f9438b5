package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestRedirects(t *testing.T) {
	c := mustParse(t, `title = "x"

[[redirect]]
from = "/old/"
to = "/posts/"

[[redirect]]
from = "/feed.xml"
to = "/atom.xml"
permanent = false

[[redirect]]
from = "/moved/"
to = "gemini://new.example/archive/"
`)
	want := []Redirect{
		{From: "/old/", To: "/posts/", Permanent: true, Line: 3},
		{From: "/feed.xml", To: "/atom.xml", Permanent: false, Line: 7},
		{From: "/moved/", To: "gemini://new.example/archive/", Permanent: true, Line: 12},
	}
	if !reflect.DeepEqual(c.Redirects, want) {
		t.Errorf("redirects\n got %+v\nwant %+v", c.Redirects, want)
	}
}

func TestRedirectErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // each must appear in the error text
	}{
		{"not an array", "redirect = \"/a\"\n", []string{"redirect: want an array of tables"}},
		{"missing to", "[[redirect]]\nfrom = \"/a\"\n", []string{":1: redirect: rule 1: needs both from and to"}},
		{"relative from", "[[redirect]]\nfrom = \"a\"\nto = \"/b\"\n", []string{":1: redirect.from: rule 1: \"a\" must start with /"}},
		{"unclean from", "[[redirect]]\nfrom = \"/a/../b\"\nto = \"/b\"\n", []string{`write "/b"`}},
		{"escaped from", "[[redirect]]\nfrom = \"/a%20b\"\nto = \"/b\"\n", []string{"unescaped path"}},
		{"root", "[[redirect]]\nfrom = \"/\"\nto = \"/b/\"\n", []string{"whole site"}},
		{"relative to", "[[redirect]]\nfrom = \"/a\"\nto = \"b\"\n", []string{"absolute path"}},
		{"space in to", "[[redirect]]\nfrom = \"/a\"\nto = \"/b c\"\n", []string{"percent-encode"}},
		{"prefix to a file", "[[redirect]]\nfrom = \"/a/\"\nto = \"/b\"\n", []string{`to must end in / too: "/b/"`}},
		{"duplicate", "[[redirect]]\nfrom = \"/a\"\nto = \"/b\"\n[[redirect]]\nfrom = \"/a\"\nto = \"/c\"\n", []string{":4: redirect.from: rule 2: \"/a\" is already redirected by rule 1"}},
		{"wrong type", "[[redirect]]\nfrom = 5\nto = \"/b\"\npermanent = \"yes\"\n", []string{"redirect.from: rule 1: want a string", "redirect.permanent: rule 1: want true or false"}},
		{"unknown key", "[[redirect]]\nfrom = \"/a\"\nto = \"/b\"\ncode = 30\n", []string{":1: redirect.code: rule 1: unknown key"}},
		{"loop", "[[redirect]]\nfrom = \"/a\"\nto = \"/b\"\n[[redirect]]\nfrom = \"/b\"\nto = \"/a\"\n", []string{"redirect loop: /a -> /b -> /a -> /b"}},
		{"prefix loop", "[[redirect]]\nfrom = \"/a/\"\nto = \"/a/b/\"\n", []string{"redirect loop: /a/x -> /a/b/x -> /a/b/b/x"}},
		{"self", "[[redirect]]\nfrom = \"/a\"\nto = \"/a\"\n", []string{"redirect loop: /a -> /a -> /a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), siteFile)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestRedirectChainsThatEnd(t *testing.T) {
	rules := []Redirect{
		{From: "/a", To: "/b"},
		{From: "/b", To: "/c"},
		{From: "/old/", To: "/new/"},
		{From: "/new/", To: "gemini://elsewhere.example/new/"},
		{From: "/x/", To: "/y/"},
		{From: "/x/deep/", To: "/x/"}, // longest prefix first: /x/deep/q -> /x/q -> /y/q
	}
	if loops := RedirectLoops(rules); len(loops) > 0 {
		t.Errorf("false loops: %v", loops)
	}
}

func TestCacheSize(t *testing.T) {
	for src, want := range map[string]int64{
		`size = "64MB"`:    64 << 20,
		`size = "1.5 GiB"`: 3 << 29,
		`size = "512kb"`:   -1,
		`size = 2097152`:   2 << 20,
		`size = "2g"`:      2 << 30,
		`size = "lots"`:    -1,
		`size = "2TB"`:     -1,
		`size = true`:      -1,
	} {
		c, err := Parse([]byte("[cache]\n"+src+"\n"), siteFile)
		switch {
		case want < 0 && err == nil:
			t.Errorf("%s: accepted as %d", src, c.Cache.Size)
		case want < 0 && !strings.Contains(err.Error(), ":2: cache.size: "):
			t.Errorf("%s: error does not name the key and line: %v", src, err)
		case want >= 0 && err != nil:
			t.Errorf("%s: %v", src, err)
		case want >= 0 && c.Cache.Size != want:
			t.Errorf("%s = %d, want %d", src, c.Cache.Size, want)
		}
	}
}

func TestStrings(t *testing.T) {
	c := mustParse(t, `lang = "fr"

[strings.fr]
"index.recent" = "Derniers articles"
byline.reading_time = { one = "{n} minute", other = "{n} minutes" }

[strings.de]
"nav.home" = "Zurück zu {site}"
`)
	if got := c.Strings["fr"]["index.recent"]; got != "Derniers articles" {
		t.Errorf("strings.fr index.recent = %v", got)
	}
	if _, ok := c.Strings["fr"]["byline"].(map[string]any); !ok {
		t.Errorf("dotted key not kept as a table: %#v", c.Strings["fr"])
	}
	for path, want := range map[string]int{"strings fr index.recent": 4, "strings fr byline reading_time": 5, "strings de nav.home": 8, "strings de nope": 0} {
		if got := c.StringsLine(strings.Split(path, " ")); got != want {
			t.Errorf("StringsLine(%s) = %d, want %d", path, got, want)
		}
	}
	if _, err := Parse([]byte("[strings]\nfr = \"x\"\n"), siteFile); err == nil || !strings.Contains(err.Error(), ":2: strings.fr: want a table") {
		t.Errorf("a language that is not a table: %v", err)
	}
}

func TestTitan(t *testing.T) {
	const cert = "aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44"
	c := mustParse(t, `[titan]
enabled = true
max_size = "2MB"

[[titan.authors]]
name = "Editor"
certificate = "`+strings.ToUpper(cert)+`"

[[titan.authors]]
name = "Guest"
certificate = "bb11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44"
paths = ["/posts/guest/"]
`)
	want := Titan{Enabled: true, MaxSize: 2 << 20, Authors: []TitanAuthor{
		{Name: "Editor", Certificate: cert, Line: 5},
		{Name: "Guest", Certificate: "bb11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44", Paths: []string{"/posts/guest/"}, Line: 9},
	}}
	if !reflect.DeepEqual(c.Titan, want) {
		t.Errorf("titan\n got %+v\nwant %+v", c.Titan, want)
	}
	if d := mustParse(t, ""); d.Titan.Enabled || d.Titan.MaxSize != 1<<20 || !strings.HasSuffix(d.State, "/state") {
		t.Errorf("defaults: %+v, state %q", d.Titan, d.State)
	}
	for name, tt := range map[string]struct{ src, want string }{
		"no authors":    {"[titan]\nenabled = true\n", ":2: titan.enabled: uploads are enabled but no [[titan.authors]]"},
		"short cert":    {"[[titan.authors]]\nname = \"A\"\ncertificate = \"abc\"\n", ":1: titan.authors.certificate: author 1 (A): want the SHA-256"},
		"no name":       {"[[titan.authors]]\ncertificate = \"" + cert + "\"\n", ":1: titan.authors.name: author 1: needs a name"},
		"same cert":     {"[[titan.authors]]\nname = \"A\"\ncertificate = \"" + cert + "\"\n[[titan.authors]]\nname = \"B\"\ncertificate = \"" + cert + "\"\n", ":4: titan.authors.certificate: author 2 (B): the same certificate as author 1"},
		"bad path":      {"[[titan.authors]]\nname = \"A\"\ncertificate = \"" + cert + "\"\npaths = [\"posts/\"]\n", `"posts/" is not a clean absolute path`},
		"unknown key":   {"[titan]\nenable = true\n", "titan.enable: unknown key"},
		"unknown field": {"[[titan.authors]]\nname = \"A\"\ncertificate = \"" + cert + "\"\nkey = 1\n", ":1: titan.authors.key: rule 1: unknown key"},
		"huge":          {"[titan]\nmax_size = \"1GB\"\n", "titan.max_size: 1073741824 bytes is outside"},
	} {
		_, err := Parse([]byte(tt.src), siteFile)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", name, err, tt.want)
		}
	}
}
