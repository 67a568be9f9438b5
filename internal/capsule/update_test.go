package capsule

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// updateCapsule is the folder every Update case starts from.
func updateCapsule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.md":            "# Home\n\nIntro.\n",
		"posts/a.md":          "---\ntitle: A\ndate: 2024-01-01\ntags: [go]\n---\nA body.\n",
		"posts/b.md":          "---\ntitle: B\ndate: 2024-01-02\ntags: [Go]\n---\nB body.\n",
		"posts/old/c.md":      "---\ntitle: C\ndate: 2023-01-01\n---\nC body.\n",
		"posts/old/deep/d.md": "---\ntitle: D\ndate: 2022-01-01\n---\nD body.\n",
		"notes/n.gmi":         "# Note\n\n=> /posts/a.gmi A\n",
		"img/p.png":           "png",
		"broken.md":           "---\ntitle: [oops\n---\nBroken from the start.\n",
		"posts/x.md":          "---\ntitle: X\ndate: 2024-03-01\n---\nMarkdown wins.\n",
		"posts/x.gmi":         "# X as gemtext\n",
		"posts/y.markdown":    "---\ntitle: Y\ndate: 2024-03-02\ntags: [go]\n---\nY wins.\n",
		"posts/y.md":          "---\ntitle: Y too\ndate: 2024-03-02\ntags: [GO, news]\n---\nY loses.\n",
	} {
		writeAt(t, dir, name, body, 0)
	}
	if err := os.Symlink("a.md", filepath.Join(dir, "posts", "link.md")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeAt writes a file of the capsule at dir, dated minute n after a
// fixed time, so that each version differs from the last by its time.
func writeAt(t *testing.T, dir, name, body string, n int) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
	if err := os.Chtimes(p, at, at); err != nil {
		t.Fatal(err)
	}
}

// TestUpdate changes the capsule in every way a watcher reports and checks
// that Update, which looks only at the changed paths, gives what a walk of
// the whole capsule with the same previous snapshot gives, and parses only
// what changed.
func TestUpdate(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		paths  []string // what the watcher reports
		parsed int
	}{
		{"edit", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/b.md", "---\ntitle: B2\ndate: 2024-01-02\n---\nNew.\n", 1)
		}, []string{"posts/b.md"}, 1},
		{"add", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/e.md", "---\ntitle: E\ndate: 2024-02-01\ntags: [GO]\n---\nE.\n", 1)
		}, []string{"posts/e.md"}, 1},
		{"remove", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "posts/b.md"))
		}, []string{"posts/b.md"}, 0},
		{"rename", func(t *testing.T, dir string) {
			os.Rename(filepath.Join(dir, "posts/b.md"), filepath.Join(dir, "posts/b2.md"))
		}, []string{"posts/b.md", "posts/b2.md"}, 1},
		{"new folder with files", func(t *testing.T, dir string) {
			writeAt(t, dir, "essays/x/one.md", "# One\n", 1)
			writeAt(t, dir, "essays/x/two.gmi", "# Two\n", 1)
			writeAt(t, dir, "essays/x/pic.png", "png", 1)
		}, []string{"essays"}, 2},
		{"folder removed", func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "posts/old"))
		}, []string{"posts/old"}, 0},
		{"folder renamed", func(t *testing.T, dir string) {
			os.Rename(filepath.Join(dir, "posts/old"), filepath.Join(dir, "archive"))
		}, []string{"posts/old", "archive"}, 2},
		{"broken edit keeps the last good version", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/a.md", "---\ntitle: \"A\ndate: 2024-01-01\n---\nDamaged.\n", 1)
		}, []string{"posts/a.md"}, 2}, // and the link to it
		{"broken file fixed", func(t *testing.T, dir string) {
			writeAt(t, dir, "broken.md", "---\ntitle: Fixed\n---\nFine now.\n", 1)
		}, []string{"broken.md"}, 1},
		{"link target edited", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/a.md", "---\ntitle: A2\ndate: 2024-01-01\n---\nA2.\n", 1)
		}, []string{"posts/a.md"}, 2},
		{"clash winner removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "posts/x.md"))
		}, []string{"posts/x.md"}, 0},
		{"tagged clash winner removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "posts/y.markdown"))
		}, []string{"posts/y.markdown"}, 0},
		{"clash loser removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "posts/x.gmi"))
		}, []string{"posts/x.gmi"}, 0},
		{"tag spelling fixed", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/b.md", "---\ntitle: B\ndate: 2024-01-02\ntags: [go]\n---\nB body.\n", 1)
		}, []string{"posts/b.md"}, 1},
		{"tag spelling moved", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/b.md", "---\ntitle: B\ndate: 2024-01-02\nauthor: Someone\ntags: [Go]\n---\nB body.\n", 1)
		}, []string{"posts/b.md"}, 1},
		{"static file removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "img/p.png"))
		}, []string{"img/p.png"}, 0},
		{"a path clash appears", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/a.gmi", "# Clash\n", 1)
		}, []string{"posts/a.gmi"}, 1},
		{"file becomes a folder", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "posts/b.md"))
			writeAt(t, dir, "posts/b.md/inner.md", "# Inner\n", 1)
		}, []string{"posts/b.md"}, 1},
		{"hidden and unknown paths", func(t *testing.T, dir string) {
			writeAt(t, dir, ".git/x.md", "# Hidden\n", 1)
			writeAt(t, dir, "posts/.b.md.swp", "swap", 1)
		}, []string{".git/x.md", "posts/.b.md.swp", "nothing/here.md"}, 0},
		{"unchanged file reported", func(t *testing.T, dir string) {}, []string{"posts/a.md", "posts/old"}, 0},
		{"a bad name", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/bad\x01name.md", "# Bad\n", 1)
		}, []string{"posts/bad\x01name.md"}, 0},
		{"everything", func(t *testing.T, dir string) {
			writeAt(t, dir, "posts/b.md", "---\ntitle: B3\n---\n", 1)
		}, []string{"."}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := updateCapsule(t)
			root, err := os.OpenRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			fsys := RootFS(root)
			prev, err := Load(fsys, Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(t, dir)
			got, err := Update(prev, tt.paths)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Load(fsys, Options{}, prev)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Docs, want.Docs) {
				t.Errorf("served documents differ from a full reload:\nupdate %v\nreload %v", slices.Sorted(maps.Keys(got.Docs)), slices.Sorted(maps.Keys(want.Docs)))
			}
			if !reflect.DeepEqual(got.Problems, want.Problems) {
				t.Errorf("problems differ from a full reload:\nupdate %v\nreload %v", got.Problems, want.Problems)
			}
			if !reflect.DeepEqual(got.ix.spellings, want.ix.spellings) || !reflect.DeepEqual(got.ix.losers, want.ix.losers) {
				t.Errorf("tag spellings %v or losers %v differ from a full reload's: %v, %v", got.ix.spellings, got.ix.losers, want.ix.spellings, want.ix.losers)
			}
			if got.Files != want.Files || !reflect.DeepEqual(got.bySource, want.bySource) || !reflect.DeepEqual(got.good, want.good) {
				t.Errorf("update sees %d files, a reload %d; or their versions differ", got.Files, want.Files)
			}
			if got.Parsed != tt.parsed {
				t.Errorf("parsed %d files, want %d", got.Parsed, tt.parsed)
			}
			// Delta names exactly the documents no longer and newly served.
			gone, come, ok := got.Delta(prev)
			if !ok && !slices.Contains(tt.paths, ".") {
				t.Errorf("no delta from the snapshot it was updated from")
			}
			if ok {
				var wantGone, wantCome []string
				for p, d := range prev.Docs {
					if got.Docs[p] != d {
						wantGone = append(wantGone, d.Source)
					}
				}
				for p, d := range got.Docs {
					if prev.Docs[p] != d {
						wantCome = append(wantCome, d.Source)
					}
				}
				names := func(ds []*Doc) []string {
					var out []string
					for _, d := range ds {
						out = append(out, d.Source)
					}
					slices.Sort(out)
					return out
				}
				slices.Sort(wantGone)
				slices.Sort(wantCome)
				if !slices.Equal(names(gone), wantGone) || !slices.Equal(names(come), wantCome) {
					t.Errorf("delta: gone %v come %v; want %v and %v", names(gone), names(come), wantGone, wantCome)
				}
			}
			if _, _, ok := want.Delta(prev); ok {
				t.Errorf("a load reports a delta")
			}
			// Unchanged documents are prev's own.
			for src, d := range got.bySource {
				if old := prev.bySource[src]; old != nil && old.Size == d.Size && old.ModTime.Equal(d.ModTime) && old != d && got.scanned.links[src] == "" {
					t.Errorf("%s parsed again though unchanged", src)
				}
			}
			// And the result goes on: a later full reload changes nothing.
			again, err := Load(fsys, Options{}, got)
			if err != nil {
				t.Fatal(err)
			}
			if again.Parsed != 0 || !reflect.DeepEqual(again.Docs, got.Docs) {
				t.Errorf("a reload after the update parsed %d files", again.Parsed)
			}
		})
	}
}

func TestUpdateRoots(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want []string
		all  bool
	}{
		{[]string{"b.md", "a.md", "b.md"}, []string{"a.md", "b.md"}, false},
		{[]string{"posts/x.md", "posts", "postscript.md"}, []string{"posts", "postscript.md"}, false},
		{[]string{"posts/a/b.md", "posts-x", "posts", "posts/a"}, []string{"posts", "posts-x"}, false},
		{[]string{"/posts/x.md", "posts/../y.md"}, []string{"posts/x.md", "y.md"}, false},
		{[]string{".git/HEAD", "a/.hidden/x.md", "x.md~"}, nil, false},
		{[]string{"../escape.md"}, nil, false},
		{[]string{"a.md", "."}, nil, true},
		{[]string{""}, nil, true},
	} {
		got, all := updateRoots(tt.in)
		if all != tt.all || !slices.Equal(got, tt.want) {
			t.Errorf("updateRoots(%q) = %q, %v; want %q, %v", tt.in, got, all, tt.want, tt.all)
		}
	}
	many := make([]string, MaxUpdatePaths+1)
	for i := range many {
		many[i] = fmt.Sprintf("p%d.md", i)
	}
	if _, all := updateRoots(many); !all {
		t.Errorf("%d paths do not walk the whole capsule", len(many))
	}
}

// TestUpdateBelowALink checks that a path reached through a link to a
// folder, which the walk does not follow, is not loaded by Update either.
func TestUpdateBelowALink(t *testing.T) {
	dir := t.TempDir()
	writeAt(t, dir, "real/a.md", "# A\n", 0)
	if err := os.Symlink("real", filepath.Join(dir, "alias")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	prev, err := Load(RootFS(root), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Update(prev, []string{"alias/a.md", "alias"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Current("alias/a.md") != nil || s.Current("real/a.md") == nil {
		t.Errorf("documents after the update: %v", slices.Sorted(maps.Keys(s.bySource)))
	}
	if _, err := fs.Stat(RootFS(root), "alias/a.md"); err != nil {
		t.Fatalf("the link itself works: %v", err)
	}
}
