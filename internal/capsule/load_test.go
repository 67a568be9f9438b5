package capsule

import (
	"bytes"
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoadKindsAndDates(t *testing.T) {
	tests := []struct {
		name      string
		file, src string
		kind      Kind
		dated     bool
		date      string // YYYY-MM-DD when dated
		path      string
	}{
		{"front matter date", "posts/hello.md", "---\ndate: 2022-01-07\n---\nText.\n", Article, true, "2022-01-07", "/posts/hello.gmi"},
		{"file name prefix", "posts/2022-01-07-hello.md", "Text.\n", Article, true, "2022-01-07", "/posts/2022-01-07-hello.gmi"},
		{"front matter beats prefix", "posts/2021-05-05-hello.md", "---\ndate: 2022-01-07\n---\nText.\n", Article, true, "2022-01-07", "/posts/2021-05-05-hello.gmi"},
		{"publishDate", "posts/x.md", "---\npublishDate: 2020-02-29\n---\nText.\n", Article, true, "2020-02-29", "/posts/x.gmi"},
		{"toml date", "posts/x.md", "+++\ndate = 2019-03-04\n+++\nText.\n", Article, true, "2019-03-04", "/posts/x.gmi"},
		{"markdown extension", "posts/2022-01-07-x.markdown", "Text.\n", Article, true, "2022-01-07", "/posts/2022-01-07-x.gmi"},
		{"page", "about.md", "# About\n\nText.\n", Page, false, "", "/about.gmi"},
		{"impossible prefix is a page", "2022-13-01-x.md", "Text.\n", Page, false, "", "/2022-13-01-x.gmi"},
		{"prefix without dash is a page", "2022-01-07.md", "Text.\n", Page, false, "", "/2022-01-07.gmi"},
		{"gemtext with prefix", "log/2022-01-07-entry.gmi", "# Entry\n", Gemtext, true, "2022-01-07", "/log/2022-01-07-entry.gmi"},
		{"gemtext without prefix", "notes.gmi", "# Notes\n", Gemtext, false, "", "/notes.gmi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustLoad(t, mapFS(map[string]string{tt.file: tt.src}), Options{})
			d := s.Docs[tt.path]
			if d == nil {
				t.Fatalf("no document at %s; docs: %v", tt.path, served(s))
			}
			if d.Kind != tt.kind || d.Dated != tt.dated {
				t.Errorf("kind, dated = %v, %v; want %v, %v", d.Kind, d.Dated, tt.kind, tt.dated)
			}
			if tt.dated {
				if !d.Date.Equal(day(tt.date)) {
					t.Errorf("date = %v, want %s", d.Date, tt.date)
				}
				if d.Updated.Before(d.Date) {
					t.Errorf("updated %v is before date %v", d.Updated, d.Date)
				}
			} else if !d.Date.IsZero() {
				t.Errorf("undated document has date %v", d.Date)
			}
			if ps := significant(s.Problems); len(ps) != 0 {
				t.Errorf("problems: %v", ps)
			}
		})
	}
}

func TestLoadLocation(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*3600)
	fsys := mapFS(map[string]string{
		"a.md":              "---\ndate: 2022-01-07\n---\nText.\n",
		"2022-01-07-b.md":   "Text.\n",
		"2022-01-07-c.gmi":  "Text.\n",
		"d.md":              "---\ndate: 2022-01-07T10:00:00Z\n---\nText.\n",
		"2022-01-07-up.md":  "---\nupdated: 2022-02-01\n---\nText.\n",
		"2022-01-07-old.md": "---\nupdated: 2021-02-01\n---\nText.\n",
	})
	s := mustLoad(t, fsys, Options{Location: zone})
	local := time.Date(2022, 1, 7, 0, 0, 0, 0, zone)
	tests := []struct {
		source        string
		date, updated time.Time
	}{
		{"a.md", local, local},
		{"2022-01-07-b.md", local, local},
		{"2022-01-07-c.gmi", local, local},
		{"d.md", time.Date(2022, 1, 7, 10, 0, 0, 0, time.UTC), time.Date(2022, 1, 7, 10, 0, 0, 0, time.UTC)},
		{"2022-01-07-up.md", local, time.Date(2022, 2, 1, 0, 0, 0, 0, zone)},
		{"2022-01-07-old.md", local, local}, // an earlier "updated" is ignored
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			d := docBySource(t, s, tt.source)
			if !d.Date.Equal(tt.date) || !d.Updated.Equal(tt.updated) {
				t.Errorf("date, updated = %v, %v; want %v, %v", d.Date, d.Updated, tt.date, tt.updated)
			}
		})
	}
}

func TestVisibleListed(t *testing.T) {
	fsys := mapFS(map[string]string{
		"2022-01-07-old.md":   "Text.\n",
		"2030-01-01-later.md": "Text.\n",
		"dated-later.md":      "---\ndate: 2030-01-01\n---\nText.\n",
		"draft.md":            "---\ndate: 2022-01-07\ndraft: true\n---\nText.\n",
		"draft-page.md":       "---\ndraft: true\n---\nText.\n",
		"unpublished.md":      "---\ndate: 2022-01-07\npublished: false\n---\nText.\n",
		"published.md":        "---\ndate: 2022-01-07\npublished: true\n---\nText.\n",
		"page.md":             "Text.\n",
		"2030-01-01-x.gmi":    "Text.\n",
		"2022-01-07-y.gmi":    "Text.\n",
		"plain.gmi":           "Text.\n",
	})
	s := mustLoad(t, fsys, Options{})
	now := day("2024-06-01")
	after := day("2031-01-01")
	tests := []struct {
		source                    string
		visible, listed           bool
		visibleLater, listedLater bool
	}{
		{"2022-01-07-old.md", true, true, true, true},
		{"2030-01-01-later.md", false, false, true, true},
		{"dated-later.md", false, false, true, true},
		{"draft.md", false, false, false, false},
		{"draft-page.md", false, false, false, false},
		{"unpublished.md", false, false, false, false},
		{"published.md", true, true, true, true},
		{"page.md", true, false, true, false},
		{"2030-01-01-x.gmi", false, false, true, true},
		{"2022-01-07-y.gmi", true, true, true, true},
		{"plain.gmi", true, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			d := docBySource(t, s, tt.source)
			if got := d.Visible(now); got != tt.visible {
				t.Errorf("Visible(now) = %v, want %v", got, tt.visible)
			}
			if got := d.Listed(now); got != tt.listed {
				t.Errorf("Listed(now) = %v, want %v", got, tt.listed)
			}
			if got := d.Visible(after); got != tt.visibleLater {
				t.Errorf("Visible(later) = %v, want %v", got, tt.visibleLater)
			}
			if got := d.Listed(after); got != tt.listedLater {
				t.Errorf("Listed(later) = %v, want %v", got, tt.listedLater)
			}
		})
	}
	// A document dated exactly now is published.
	if d := docBySource(t, s, "2022-01-07-old.md"); !d.Visible(d.Date) {
		t.Errorf("a document is not visible at its own date")
	}
}

func TestTitleAndBody(t *testing.T) {
	tests := []struct {
		name      string
		file, src string
		title     string
		body      string // exact gemtext body
	}{
		{"front matter title, same heading stripped", "a.md",
			"---\ntitle: Hello\n---\n# Hello\n\nText.\n", "Hello", "Text.\n"},
		{"front matter title, heading matched case-insensitively", "a.md",
			"---\ntitle: Hello World\n---\n# hello world\n\nText.\n", "Hello World", "Text.\n"},
		{"front matter title, other heading kept", "a.md",
			"---\ntitle: Hello\n---\n# Something else\n\nText.\n", "Hello", "# Something else\n\nText.\n"},
		{"first heading becomes title and is stripped", "a.md",
			"\n\n# From Heading\n\nText.\n", "From Heading", "Text.\n"},
		{"h2 title is kept in the body", "a.md",
			"## Second level\n\nText.\n", "Second level", "## Second level\n\nText.\n"},
		{"h1 later in the body wins over an earlier h2", "a.md",
			"Intro.\n\n## Sub\n\n# Main\n", "Main", "Intro.\n\n## Sub\n\n# Main\n"},
		{"file name with date", "posts/2022-01-07-hello-world.md", "Text.\n", "Hello world", "Text.\n"},
		{"file name with underscores", "snake_case_name.md", "Text.\n", "Snake case name", "Text.\n"},
		{"index takes the folder name", "essays/index.md", "Text.\n", "Essays", "Text.\n"},
		{"date only file name", "2022-01-07-.md", "Text.\n", "2022-01-07-", "Text.\n"},
		{"non-ASCII file name", "été.md", "Text.\n", "Été", "Text.\n"},
		{"blank front matter title falls back", "fallback.md", "---\ntitle: \"  \"\n---\n# Real\n", "Real", ""},
		{"gemtext first heading", "g.gmi", "Intro line\n## Sub\n# Main\n", "Sub", "Intro line\n## Sub\n# Main\n"},
		{"gemtext file name", "my-notes.gmi", "Just text\n", "My notes", "Just text\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustLoad(t, mapFS(map[string]string{tt.file: tt.src}), Options{})
			d := docBySource(t, s, tt.file)
			if d.Title != tt.title {
				t.Errorf("title = %q, want %q", d.Title, tt.title)
			}
			if body := bodyOf(t, s, d); string(body) != tt.body {
				t.Errorf("body = %q, want %q", body, tt.body)
			}
		})
	}
}

func TestStripTitle(t *testing.T) {
	tests := []struct {
		name        string
		body, title string
		fromHeading bool
		want        string
	}{
		{"no heading", "Text.\n", "T", false, "Text.\n"},
		{"matching heading", "# T\n\nText.\n", "T", false, "Text.\n"},
		{"leading blank lines", "\n\n# T\nText.\n", "T", false, "Text.\n"},
		{"other heading", "# U\n\nText.\n", "T", false, "# U\n\nText.\n"},
		{"other heading from heading", "# U\n\nText.\n", "U", true, "Text.\n"},
		{"h2 is never stripped", "## T\n\nText.\n", "T", true, "## T\n\nText.\n"},
		{"heading only", "# T\n", "T", false, ""},
		{"hash without space is text", "#T\n", "#T", true, "#T\n"},
		{"empty body", "", "T", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(stripTitle([]byte(tt.body), tt.title, tt.fromHeading)); got != tt.want {
				t.Errorf("stripTitle(%q, %q, %v) = %q, want %q", tt.body, tt.title, tt.fromHeading, got, tt.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{"front matter summary", "a.md", "---\nsummary: Given.\n---\nFirst paragraph.\n", "Given."},
		{"description", "a.md", "---\ndescription: Described.\n---\nFirst paragraph.\n", "Described."},
		{"more marker", "a.md", "# T\n\nOne.\n\nTwo.\n\n<!--more-->\n\nThree.\n", "One. Two."},
		{"first paragraph", "a.md", "# T\n\nFirst *paragraph*\nwraps.\n\nSecond.\n", "First paragraph wraps."},
		{"gemtext first text line", "a.gmi", "# T\n\n=> /x link\n  First line.  \nSecond.\n", "First line."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A full load knows it at once; a quick one with the body.
			s := mustLoad(t, mapFS(map[string]string{tt.file: tt.src}), Options{Full: true})
			if got := docBySource(t, s, tt.file).Summary; got != tt.want {
				t.Errorf("full load: summary = %q, want %q", got, tt.want)
			}
			s = mustLoad(t, mapFS(map[string]string{tt.file: tt.src}), Options{})
			d := docBySource(t, s, tt.file)
			b, err := s.Body(d)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.SummaryWith(b); got != tt.want {
				t.Errorf("quick load: summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		want     []Tag
		warnings int
	}{
		{"case folded", "---\ntags: [Go, Press Freedom]\n---\n",
			[]Tag{{"Go", "go"}, {"Press Freedom", "press-freedom"}}, 0},
		{"unicode", "---\ntags: [Français, 日本, Ελλάδα]\n---\n",
			[]Tag{{"Français", "français"}, {"日本", "日本"}, {"Ελλάδα", "ελλάδα"}}, 0},
		{"duplicates under another spelling dropped", "---\ntags: [Press Freedom, press-freedom, PRESS_FREEDOM, go, GO]\n---\n",
			[]Tag{{"Press Freedom", "press-freedom"}, {"PRESS_FREEDOM", "press_freedom"}, {"go", "go"}}, 0},
		{"space separated string", "---\ntags: politics media\n---\n",
			[]Tag{{"politics", "politics"}, {"media", "media"}}, 0},
		{"toml taxonomies", "+++\n[taxonomies]\ntags = [\"Zola\", \"Rust\"]\n+++\n",
			[]Tag{{"Zola", "zola"}, {"Rust", "rust"}}, 0},
		{"unusable tags warned", "---\ntags: [\"!!\", \"...\", ok]\n---\n",
			[]Tag{{"ok", "ok"}}, 2},
		{"no tags", "Text.\n", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustLoad(t, mapFS(map[string]string{"a.md": tt.src}), Options{})
			d := docBySource(t, s, "a.md")
			if !reflect.DeepEqual(d.Tags, tt.want) {
				t.Errorf("tags = %q, want %q", d.Tags, tt.want)
			}
			n := 0
			for _, p := range s.Problems {
				if p.Severity == Warning && strings.Contains(p.Message, "tag ") {
					n++
				}
			}
			if n != tt.warnings || len(significant(s.Problems)) != tt.warnings {
				t.Errorf("%d tag warnings, problems %v; want %d", n, s.Problems, tt.warnings)
			}
		})
	}
}

func TestSlugField(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		src     string
		path    string
		aliases []string
		warning string
	}{
		{"slug moves the path", "posts/2022-01-07-long-title.md", "---\nslug: Short One\n---\n",
			"/posts/short-one.gmi", []string{"/posts/2022-01-07-long-title.gmi"}, ""},
		{"same slug changes nothing", "posts/short.md", "---\nslug: short\n---\n",
			"/posts/short.gmi", nil, ""},
		{"slug after aliases", "a.md", "---\naliases: [/old.gmi]\nslug: b\n---\n",
			"/b.gmi", []string{"/old.gmi", "/a.gmi"}, ""},
		{"unicode slug", "a.md", "---\nslug: Été 2022\n---\n",
			"/été-2022.gmi", []string{"/a.gmi"}, ""},
		{"unusable slug ignored", "a.md", "---\nslug: \"!!!\"\n---\n",
			"/a.gmi", nil, "slug"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustLoad(t, mapFS(map[string]string{tt.file: tt.src}), Options{})
			d := s.Docs[tt.path]
			if d == nil {
				t.Fatalf("nothing at %s; docs %v", tt.path, served(s))
			}
			if len(s.Docs) != 1 {
				t.Errorf("docs %v, want only %s", served(s), tt.path)
			}
			if !slices.Equal(d.Aliases, tt.aliases) {
				t.Errorf("aliases = %q, want %q", d.Aliases, tt.aliases)
			}
			if ps := significant(s.Problems); tt.warning == "" && len(ps) > 0 {
				t.Errorf("problems: %v", ps)
			}
			if tt.warning != "" && !hasProblem(s.Problems, Warning, tt.warning) {
				t.Errorf("problems %v, want a warning about %s", s.Problems, tt.warning)
			}
		})
	}
}

func TestAliases(t *testing.T) {
	tests := []struct {
		alias string
		want  string // "" when rejected
	}{
		{"/old/x.gmi", "/old/x.gmi"},
		{"/old/x.md", "/old/x.gmi"},
		{"/old/X.Markdown", "/old/X.gmi"},
		{"old.md", "/posts/old.gmi"},
		{"./old.md", "/posts/old.gmi"},
		{"../old.html", "/old.html"},
		{"sub/dir/", "/posts/sub/dir/"},
		{"/old path/x.gmi", "/old path/x.gmi"},
		{"/%E6%97%A5%E6%9C%AC/x.gmi", "/日本/x.gmi"},
		{"/日本/x.md", "/日本/x.gmi"},
		{"  /trimmed.gmi  ", "/trimmed.gmi"},
		{"../../x", ""},
		{"/../x", ""},
		{"%2e%2e/%2e%2e/x", ""},
		{"https://example.com/x", ""},
		{"gemini://example.com/x", ""},
		{"//example.com/x", ""},
		{"/x?q=1", ""},
		{"/x#frag", ""},
		{"/", ""},
		{"..", ""},
		{"/.git/config", ""},
		{"/x.gmi~", ""},
		{"/bad%zz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.alias, func(t *testing.T) {
			got, ok := aliasPath("posts/a.md", tt.alias)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("aliasPath(%q) = %q, %v; want %q", tt.alias, got, ok, tt.want)
			}
		})
	}

	t.Run("through Load", func(t *testing.T) {
		src := "---\naliases:\n  - /old/x.md\n  - old.md\n  - ../../x\n  - https://example.com/\n---\nText.\n"
		s := mustLoad(t, mapFS(map[string]string{"posts/a.md": src}), Options{})
		d := docBySource(t, s, "posts/a.md")
		if want := []string{"/old/x.gmi", "/posts/old.gmi"}; !slices.Equal(d.Aliases, want) {
			t.Errorf("aliases = %q, want %q", d.Aliases, want)
		}
		ps := significant(problemsOf(s, "posts/a.md"))
		if len(ps) != 2 || !hasProblem(ps, Warning, `"../../x"`) || !hasProblem(ps, Warning, `"https://example.com/"`) {
			t.Errorf("problems = %v, want a warning for each rejected alias", ps)
		}
	})
}

func TestPathClash(t *testing.T) {
	tests := []struct {
		name     string
		files    []string
		winner   string
		loser    string
		servedAt string
	}{
		{"markdown beats gemtext", []string{"x.md", "x.gmi"}, "x.md", "x.gmi", "/x.gmi"},
		{"markdown beats gemtext in a folder", []string{"posts/x.gmi", "posts/x.markdown"}, "posts/x.markdown", "posts/x.gmi", "/posts/x.gmi"},
		{"two markdown spellings: name order", []string{"y.md", "y.markdown"}, "y.markdown", "y.md", "/y.gmi"},
		{"slug onto another file's path: name order", []string{"a.md", "b.md"}, "a.md", "b.md", "/b.gmi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for _, f := range tt.files {
				files[f] = "Text of " + f + ".\n"
			}
			if _, ok := files["a.md"]; ok {
				files["a.md"] = "---\nslug: b\n---\nText.\n"
			}
			// The winner must not depend on map iteration order.
			for range 20 {
				s := mustLoad(t, mapFS(files), Options{})
				d := s.Docs[tt.servedAt]
				if d == nil || d.Source != tt.winner {
					t.Fatalf("%s served from %v, want %s", tt.servedAt, d, tt.winner)
				}
				ps := significant(problemsOf(s, tt.loser))
				if len(ps) != 1 || ps[0].Severity != Error || !strings.Contains(ps[0].Message, tt.winner) {
					t.Fatalf("problems of %s = %v, want one error naming %s", tt.loser, ps, tt.winner)
				}
				if s.Errors() != 1 {
					t.Fatalf("Errors() = %d, want 1", s.Errors())
				}
			}
		})
	}
}

func TestHiddenNeverLoaded(t *testing.T) {
	fsys := mapFS(map[string]string{
		"ok.md":              "Text.\n",
		"static.txt":         "plain\n",
		".git/config":        "[core]\n",
		".git/x.md":          "Text.\n",
		".x.md":              "Text.\n",
		"posts/.drafts/y.md": "Text.\n",
		"a~":                 "x",
		"b.md~":              "Text.\n",
		"x.swp":              "x",
		".x.md.swp":          "x",
		"y.md.swx":           "x",
		"z.md.tmp":           "x",
		"w.md.bak":           "x",
		"#auto.md#":          "x",
		".#lock.md":          "x",
		"4913":               "x",
		"posts/4913":         "x",
	})
	s := mustLoad(t, fsys, Options{})
	if got := served(s); len(got) != 1 || got[0] != "/ok.gmi" {
		t.Errorf("served %v, want only /ok.gmi", got)
	}
	if s.Files != 2 {
		t.Errorf("Files = %d, want 2 (ok.md, static.txt)", s.Files)
	}
	if ps := significant(s.Problems); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}

	hidden := []string{".git", ".git/x.md", "posts/.drafts/y.md", "a~", "x.swp", "X.SWP", ".#x", "#x#", "4913", "a/4913", "x.tmp", "x.bak", "x.swx"}
	for _, p := range hidden {
		if !Hidden(p) {
			t.Errorf("Hidden(%q) = false", p)
		}
	}
	for _, p := range []string{"x.md", "posts/a.gmi", "a#b.md", "4913.md", "x~y.md", "swp.md", "posts/x.gmi"} {
		if Hidden(p) {
			t.Errorf("Hidden(%q) = true", p)
		}
	}
}

func TestBrokenFilesNextToGoodOnes(t *testing.T) {
	fsys := mapFS(map[string]string{
		"good.md":       "---\ntitle: Good\ndate: 2022-01-07\ntags: [a]\n---\nGood body.\n",
		"bad-yaml.md":   "---\ntitle: Bad\ndate: a: b\n---\nBody still converted.\n",
		"bad-toml.md":   "+++\ntitle = \"T\"\ndate = \n+++\nTOML body.\n",
		"bad-date.md":   "---\ntitle: Dated badly\ndate: yesterday\ntags: [x]\n---\nBody.\n",
		"unclosed.md":   "---\ntitle: Never closed\n\nBody.\n",
		"bad-utf8.md":   "# T\n\nBad \xff byte.\n",
		"raw-utf8.gmi":  "# R\nBad \xfe byte.\n",
		"posts/good.md": "# G\n[link](../good.md)\n",
	})
	s := mustLoad(t, fsys, Options{})
	// Broken files are published nowhere; the rest is untouched. An
	// unclosed block is body text plus a warning (CONVERSION.md), so
	// that file is published, read whole.
	want := []string{"/bad-utf8.gmi", "/good.gmi", "/posts/good.gmi", "/raw-utf8.gmi", "/unclosed.gmi"}
	if got := served(s); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Fatalf("served %v, want %v", got, want)
	}
	good := docBySource(t, s, "good.md")
	if good.Title != "Good" || !good.Dated || len(good.Tags) != 1 || string(bodyOf(t, s, good)) != "Good body.\n" || good.Broken {
		t.Errorf("good document spoiled: %+v", good)
	}
	if ps := problemsOf(s, "good.md"); len(ps) != 0 {
		t.Errorf("good.md has problems: %v", ps)
	}

	tests := []struct {
		file   string
		line   int
		sev    Severity
		msg    string
		body   string
		broken bool
	}{
		{"bad-yaml.md", 3, Error, "the value contains", "Body still converted.\n", true},
		{"bad-toml.md", 3, Error, "the value is missing", "TOML body.\n", true},
		{"bad-date.md", 3, Error, "date", "Body.\n", true},
		{"unclosed.md", 1, Warning, "never closed", "", false},
		{"bad-utf8.md", 3, Warning, "not UTF-8, it looks like Latin-1", "Bad \uFFFD byte.\n", false},
		{"raw-utf8.gmi", 2, Warning, "not UTF-8", "# R\nBad \uFFFD byte.\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ps := problemsOf(s, tt.file)
			found, unpublished := false, false
			for _, p := range ps {
				if p.Line == tt.line && p.Severity == tt.sev && strings.Contains(p.Message, tt.msg) {
					found = true
				}
				unpublished = unpublished || p.Code == CodeUnpublished
			}
			if !found {
				t.Errorf("problems = %v, want a %v on line %d about %q", ps, tt.sev, tt.line, tt.msg)
			}
			if unpublished != tt.broken {
				t.Errorf("problems = %v, want a note that it is not published: %v", ps, tt.broken)
			}
			d := s.Current(tt.file)
			if d == nil || d.Broken != tt.broken {
				t.Fatalf("current version %+v, want one with Broken = %v", d, tt.broken)
			}
			if body := bodyOf(t, s, d); tt.body != "" && string(body) != tt.body {
				t.Errorf("body = %q, want %q", body, tt.body)
			}
			if d.Title == "" {
				t.Errorf("empty title")
			}
		})
	}
	if d := s.Current("bad-date.md"); d.Title != "Dated badly" || len(d.Tags) != 1 || d.Dated {
		t.Errorf("fields next to a bad date lost or date invented: %+v", d)
	}
	for _, p := range s.Problems {
		if !strings.HasPrefix(p.String(), p.File+":") || p.Code == "" {
			t.Errorf("problem %q does not start with its file, or has no code", p)
		}
	}
	if s.Errors() != 3 {
		t.Errorf("Errors() = %d, want 3: %v", s.Errors(), s.Problems)
	}
}

func TestOversizeFile(t *testing.T) {
	big := bytes.Repeat([]byte("word "), MaxDocSize/5+1)
	fsys := fstest.MapFS{
		"big.md":   {Data: big},
		"small.md": {Data: []byte("Small.\n")},
	}
	s := mustLoad(t, fsys, Options{})
	if _, ok := s.Docs["/big.gmi"]; ok {
		t.Errorf("oversize document served")
	}
	d := s.Current("big.md")
	if body := bodyOf(t, s, d); bytes.Contains(body, []byte("word")) || d.Kind == Article || !d.Broken {
		t.Errorf("oversize document converted: kind %v, %d body bytes", d.Kind, len(body))
	}
	ps := problemsOf(s, "big.md")
	if len(ps) != 2 || ps[1].Code != CodeUnpublished || ps[0].Severity != Error || !strings.Contains(ps[0].Message, "limit") {
		t.Errorf("problems = %v, want one error about the limit and the note", ps)
	}
	if docBySource(t, s, "small.md").Title != "Small" {
		t.Errorf("small document affected")
	}
}

func TestProblemsSorted(t *testing.T) {
	fsys := mapFS(map[string]string{
		"z.md":       "---\ntags: [\"!!\"]\ndate: nope\nlang: 12\n---\nBad \xff.\n",
		"a.md":       "---\ndate: nope\n---\nx\n",
		"m/b.md":     "---\ndate: nope\naliases: [../../x]\n---\n",
		"m/b.gmi":    "x\n",
		"b.md":       "---\nslug: \"??\"\ndate: nope\n---\n",
		"c.gmi":      "\xff\n",
		"posts/a.md": "---\n: :\n---\n",
	})
	s := mustLoad(t, fsys, Options{})
	if len(s.Problems) < 10 {
		t.Fatalf("only %d problems: %v", len(s.Problems), s.Problems)
	}
	sorted := slices.IsSortedFunc(s.Problems, func(a, b Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	if !sorted {
		var lines []string
		for _, p := range s.Problems {
			lines = append(lines, p.String())
		}
		t.Errorf("problems not sorted by file and line:\n%s", strings.Join(lines, "\n"))
	}
	for _, f := range []string{"a.md", "b.md", "c.gmi", "m/b.md", "m/b.gmi", "posts/a.md", "z.md"} {
		if len(problemsOf(s, f)) == 0 {
			t.Errorf("no problem reported for %s", f)
		}
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.md", Line: 3, Severity: Error, Message: "bad"}, "a.md:3: error: bad"},
		{Problem{File: "a.md", Severity: Warning, Message: "meh"}, "a.md: warning: meh"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// failFS cannot open anything, not even its root.
type failFS struct{}

func (failFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
}

func TestLoadRoot(t *testing.T) {
	if _, err := Load(failFS{}, Options{}, nil); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Load of an unreadable root: err = %v, want one wrapping fs.ErrPermission", err)
	}
	s, err := Load(fstest.MapFS{}, Options{}, nil)
	if err != nil || len(s.Docs) != 0 || len(s.Problems) != 0 {
		t.Errorf("Load of an empty capsule = %+v, %v", s, err)
	}
}

func TestServedPath(t *testing.T) {
	tests := []struct{ source, want string }{
		{"a.md", "/a.gmi"},
		{"posts/x.MD", "/posts/x.gmi"},
		{"posts/x.markdown", "/posts/x.gmi"},
		{"x.gmi", "/x.gmi"},
		{"img/a.png", "/img/a.png"},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			if got := ServedPath(tt.source); got != tt.want {
				t.Errorf("ServedPath(%q) = %q, want %q", tt.source, got, tt.want)
			}
		})
	}
}

// brokenFS serves a MapFS but fails to read one file.
type brokenFS struct {
	fstest.MapFS
	bad string
}

func (b brokenFS) Open(name string) (fs.File, error) {
	if name == b.bad {
		return nil, errors.New("disk on fire")
	}
	return b.MapFS.Open(name)
}

func (b brokenFS) ReadFile(name string) ([]byte, error) {
	if name == b.bad {
		return nil, errors.New("disk on fire")
	}
	return b.MapFS.ReadFile(name)
}

func TestUnreadableFile(t *testing.T) {
	fsys := brokenFS{MapFS: mapFS(map[string]string{"bad.md": "x", "good.md": "Good.\n"}), bad: "bad.md"}
	s, err := Load(fsys, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := problemsOf(s, "bad.md")
	if len(ps) != 2 || ps[0].Severity != Error || !strings.Contains(ps[0].Message, "disk on fire") || ps[1].Code != CodeUnpublished {
		t.Errorf("problems = %v, want one error with the cause and the note", ps)
	}
	if _, ok := s.Docs["/bad.gmi"]; ok {
		t.Errorf("unreadable document served")
	}
	if docBySource(t, s, "good.md").Title != "Good" {
		t.Errorf("good document affected")
	}
}
