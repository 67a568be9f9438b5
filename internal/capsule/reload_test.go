package capsule

import (
	"reflect"
	"testing"
	"testing/fstest"
	"time"
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
		s := mustLoad(t, mapFS(files), opts)
		for source, src := range files {
			t.Run(source, func(t *testing.T) {
				got := Parse(source, []byte(src), opts)
				want := docBySource(t, s, source)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Parse = %+v\nLoad  = %+v", got, want)
				}
			})
		}
	}
}
