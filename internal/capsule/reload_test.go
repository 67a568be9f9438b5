package capsule

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/gemtext"
)

func TestLoadReusesUnchangedFiles(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	base := func() fstest.MapFS {
		return fstest.MapFS{
			"a.md":        {Data: []byte("# A\n\nText.\n"), ModTime: t0},
			"b.md":        {Data: []byte("# B\n\nText.\n"), ModTime: t0},
			"posts/c.gmi": {Data: []byte("# C\n"), ModTime: t0},
			"static.txt":  {Data: []byte("static"), ModTime: t0},
		}
	}
	first, err := Load(base(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Parsed != 3 || first.Reused != 0 {
		t.Fatalf("first load: parsed %d, reused %d; want 3, 0", first.Parsed, first.Reused)
	}

	tests := []struct {
		name           string
		change         func(fstest.MapFS)
		parsed, reused int
		fresh          []string // sources that must be new *Doc values
		gone           string   // served path that must be gone
	}{
		{"nothing changed", func(fstest.MapFS) {}, 0, 3, nil, ""},
		{"static file changed", func(m fstest.MapFS) { m["static.txt"].Data = []byte("other") }, 0, 3, nil, ""},
		{"content and size changed", func(m fstest.MapFS) { m["a.md"].Data = []byte("# A2\n\nNew text.\n") }, 1, 2, []string{"a.md"}, ""},
		{"only the time changed", func(m fstest.MapFS) { m["b.md"].ModTime = t0.Add(time.Second) }, 1, 2, []string{"b.md"}, ""},
		{"file added", func(m fstest.MapFS) { m["d.md"] = &fstest.MapFile{Data: []byte("D"), ModTime: t0} }, 1, 3, []string{"d.md"}, ""},
		{"file removed", func(m fstest.MapFS) { delete(m, "posts/c.gmi") }, 0, 2, nil, "/posts/c.gmi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := base()
			tt.change(fsys)
			s, err := Load(fsys, Options{}, first)
			if err != nil {
				t.Fatal(err)
			}
			if s.Parsed != tt.parsed || s.Reused != tt.reused {
				t.Errorf("parsed %d, reused %d; want %d, %d", s.Parsed, s.Reused, tt.parsed, tt.reused)
			}
			for p, d := range s.Docs {
				old := first.Docs[p]
				isFresh := false
				for _, f := range tt.fresh {
					isFresh = isFresh || f == d.Source
				}
				if isFresh && old == d {
					t.Errorf("%s was reused although it changed", d.Source)
				}
				if !isFresh && old != d {
					t.Errorf("%s was parsed again although it did not change", d.Source)
				}
			}
			if tt.gone != "" && s.Docs[tt.gone] != nil {
				t.Errorf("%s still served after its file was removed", tt.gone)
			}
			// Whatever was reused, the result equals a fresh load.
			fresh, err := Load(fsys, Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fresh.Docs, s.Docs) || !reflect.DeepEqual(fresh.Problems, s.Problems) {
				t.Errorf("reload differs from a fresh load")
			}
		})
	}

	t.Run("a changed file's new content is seen", func(t *testing.T) {
		fsys := base()
		fsys["a.md"].Data = []byte("# Renamed\n\nText.\n") // same size, new time
		fsys["a.md"].ModTime = t0.Add(time.Minute)
		s, err := Load(fsys, Options{}, first)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Docs["/a.gmi"].Title; got != "Renamed" {
			t.Errorf("title = %q, want the new one", got)
		}
	})

	t.Run("problems of reused files are kept", func(t *testing.T) {
		fsys := base()
		fsys["bad.md"] = &fstest.MapFile{Data: []byte("---\ndate: nope\n---\n"), ModTime: t0}
		s1, err := Load(fsys, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := Load(fsys, Options{}, s1)
		if err != nil {
			t.Fatal(err)
		}
		if s2.Reused != 4 || len(s2.Problems) == 0 || !reflect.DeepEqual(s1.Problems, s2.Problems) {
			t.Errorf("reused %d, problems %v; want 4 and %v", s2.Reused, s2.Problems, s1.Problems)
		}
	})
}

func TestParseMatchesLoad(t *testing.T) {
	files := map[string]string{
		"posts/2022-01-07-article.md": "---\ntitle: Article\ntags: [A, b]\naliases: [old.md]\nslug: art\nsummary: S.\n---\n# Article\n\nSee [x](other.md).\n",
		"posts/page.md":               "# Page\n\n> quote\n\n* item\n",
		"broken.md":                   "---\ndate: nope\n---\nBody \xff.\n",
		"log/2022-02-02-note.gmi":     "# Note\n=> ../x.gmi x\n",
		"toml.markdown":               "+++\ntitle = \"T\"\ndate = 2021-01-01\n+++\nText.\n",
	}
	zone := time.FixedZone("X", -5*3600)
	for _, opts := range []Options{{}, {Location: zone}} {
		full := opts
		full.Full = true
		s := mustLoad(t, mapFS(files), full)
		for source, src := range files {
			t.Run(source, func(t *testing.T) {
				got := Parse(source, []byte(src), opts)
				want := s.Current(source)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Parse = %+v\nLoad  = %+v", got, want)
				}
				checkQuickMatchesFull(t, source, []byte(src))
			})
		}
	}
}

// TestLastGoodVersion follows one file through good, broken, still broken
// and fixed, next to a file that is broken from the start and a live one
// that breaks while saying it is a draft.
func TestLastGoodVersion(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	file := func(s string, n int) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(s), ModTime: t0.Add(time.Duration(n) * time.Minute)}
	}
	good := "---\ntitle: \"Live\"\ndate: 2024-01-01\ntags: [press]\naliases: [/old.gmi]\nid: urn:x:1\n---\nLive body.\n"
	broken := "---\ntitle: \"Live\ndate: 2024-01-01\ntags: [press]\n---\nDamaged body.\n"
	fsys := fstest.MapFS{
		"posts/a.md": file(good, 0),
		"posts/c.md": file("---\ntitle: C\ndate: 2024-01-02\n---\nC body.\n", 0),
	}
	opts := Options{Converter: gemtext.New(gemtext.Options{})}
	s1, err := Load(fsys, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	live := s1.Docs["/posts/a.gmi"]
	if live == nil || live.Title != "Live" {
		t.Fatalf("first load: %v", served(s1))
	}

	// The live file breaks, a new file is broken from the start, and the
	// other live file breaks but asks to be a draft.
	fsys["posts/a.md"] = file(broken, 1)
	fsys["posts/b.md"] = file("---\ntitle: [new\n---\nNew body.\n", 1)
	fsys["posts/c.md"] = file("---\ntitle: \"C\ndraft: true\n---\nC body.\n", 1)
	s2, err := Load(fsys, opts, s1)
	if err != nil {
		t.Fatal(err)
	}
	if d := s2.Docs["/posts/a.gmi"]; d != live || s2.Current("posts/a.md") == d {
		t.Errorf("broken edit replaced the live version: %+v", d)
	}
	if d := s2.Current("posts/a.md"); d == live || !d.Broken || !bytes.Contains(bodyOf(t, s2, d), []byte("Damaged")) {
		t.Errorf("current version of a.md: %+v", d)
	}
	if _, ok := s2.Docs["/posts/b.gmi"]; ok {
		t.Errorf("a file broken from the start is served")
	}
	if d := s2.Docs["/posts/c.gmi"]; d == nil || !d.Draft || !d.Broken || s2.Current("posts/c.md") != d {
		t.Errorf("a broken file that says draft: true is not held back as a draft: %+v", d)
	}
	codes := map[string]string{}
	for _, p := range s2.Problems {
		codes[p.File] += p.Code + " "
	}
	for file, want := range map[string][]string{
		"posts/a.md": {"frontmatter/syntax", CodeLastGood},
		"posts/b.md": {"frontmatter/syntax", CodeUnpublished},
		"posts/c.md": {"frontmatter/syntax", "frontmatter/draft-fallback"},
	} {
		for _, code := range want {
			if !strings.Contains(codes[file], code) {
				t.Errorf("%s: problems %q lack %s", file, codes[file], code)
			}
		}
	}

	// Nothing changes: the broken parse is reused, the last good version
	// still stands in; with new options too (a SIGHUP), nothing is lost.
	s3, err := Load(fsys, opts, s2)
	if err != nil {
		t.Fatal(err)
	}
	if s3.Parsed != 0 || s3.Docs["/posts/a.gmi"] != live {
		t.Errorf("unchanged reload: parsed %d, a served %+v", s3.Parsed, s3.Docs["/posts/a.gmi"])
	}
	s4, err := Load(fsys, Options{Converter: gemtext.New(gemtext.Options{KeepEmphasis: true})}, s3)
	if err != nil {
		t.Fatal(err)
	}
	if s4.Parsed != 3 || s4.Docs["/posts/a.gmi"] != live {
		t.Errorf("reload with new options: parsed %d, a served %+v", s4.Parsed, s4.Docs["/posts/a.gmi"])
	}

	// The fix is published, and its problems are gone.
	fsys["posts/a.md"] = file(strings.Replace(good, "Live body", "Fixed body", 1), 2)
	s5, err := Load(fsys, opts, s4)
	if err != nil {
		t.Fatal(err)
	}
	if d := s5.Docs["/posts/a.gmi"]; d == nil || d == live || s5.Current("posts/a.md") != d || !bytes.Contains(bodyOf(t, s5, d), []byte("Fixed")) {
		t.Errorf("fixed version not served: %+v", d)
	}
	if ps := problemsOf(s5, "posts/a.md"); len(ps) != 0 {
		t.Errorf("fixed file still has problems: %v", ps)
	}
	// A broken file that is deleted is gone, with its last good version.
	delete(fsys, "posts/a.md")
	s6, err := Load(fsys, opts, s5)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s6.Docs["/posts/a.gmi"]; ok || s6.Current("posts/a.md") != nil {
		t.Errorf("deleted file still served")
	}
}
