package export

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReplaceKeepsUnchangedTimes exports, ages every file, edits one
// article and exports again over the first export: files whose bytes did
// not change keep their time, so rsync's quick check skips them; the
// edited article's files (and the pages listing it) are new.
func TestReplaceKeepsUnchangedTimes(t *testing.T) {
	capsuleDir := filepath.Join(t.TempDir(), "capsule")
	if err := os.CopyFS(capsuleDir, os.DirFS(sampleCapsule)); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	write := func() *Result {
		t.Helper()
		s := buildSite(t, capsuleDir, sampleOptions(), sampleNow)
		res, err := Write(context.Background(), s, dir, Options{Source: capsuleDir})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	write()
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return err
	})
	before := listing(t, dir)

	write() // same capsule: nothing changes
	if after := listing(t, dir); after != before {
		t.Errorf("a second export of the same capsule differs:\n%s", diffLines(before, after))
	}
	for _, f := range walkTree(t, dir) {
		if !f.info.ModTime().Equal(old) {
			t.Errorf("%s: unchanged but its time moved to %v", f.rel, f.info.ModTime())
		}
	}

	article := filepath.Join(capsuleDir, "posts", "mesh-networks-in-practice.md")
	src, err := os.ReadFile(article)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(article, append(src, "\nA new closing paragraph.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	write()
	changed := map[string]bool{}
	for _, f := range walkTree(t, dir) {
		if !f.info.ModTime().Equal(old) {
			changed[f.rel] = true
		}
	}
	for _, want := range []string{
		"gemini/posts/mesh-networks-in-practice.gmi",
		"gopher/posts/mesh-networks-in-practice.gmi",
		"gopher/posts/mesh-networks-in-practice.gmi;menu/gophermap",
		"gemini/atom.xml", // carries the article's content
	} {
		if !changed[want] {
			t.Errorf("%s: changed, but kept its old time", want)
		}
	}
	for _, same := range []string{"gemini/about.gmi", "gemini/tags/index.gmi", "gopher/gophermap", "redirects.txt", Marker} {
		if changed[same] {
			t.Errorf("%s: unchanged, but got a new time", same)
		}
	}
}

func TestTargetRefusals(t *testing.T) {
	s := buildSite(t, sampleCapsule, sampleOptions(), sampleNow)
	base := t.TempDir()
	mk := func(name string, setup func(p string)) string {
		p := filepath.Join(base, name)
		setup(p)
		return p
	}
	notExport := mk("precious", func(p string) {
		os.Mkdir(p, 0o755)
		os.WriteFile(filepath.Join(p, "thesis.txt"), []byte("years of work"), 0o644)
	})
	file := mk("file", func(p string) { os.WriteFile(p, []byte("x"), 0o644) })
	link := mk("link", func(p string) {
		os.Mkdir(p+"-target", 0o755)
		os.Symlink(p+"-target", p)
	})
	capsuleDir := mk("capsule", func(p string) { os.MkdirAll(filepath.Join(p, "posts"), 0o755) })
	tests := []struct {
		name, dir, source, want string
	}{
		{"not an export", notExport, "", "refusing to replace it"},
		{"a file", file, "", "is not a folder"},
		{"a symbolic link", link, "", "symbolic link"},
		{"inside the capsule", filepath.Join(capsuleDir, "posts", "out"), capsuleDir, "inside the capsule"},
		{"the capsule itself", capsuleDir, capsuleDir, "inside the capsule"},
		{"around the capsule", base, capsuleDir, "is inside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Write(context.Background(), s, tt.dir, Options{Source: tt.source})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(notExport, "thesis.txt")); string(b) != "years of work" {
		t.Error("a refused export touched the folder")
	}
	if _, err := os.Stat(filepath.Join(capsuleDir, "posts", "out")); err == nil {
		t.Error("a refused export wrote into the capsule")
	}
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}

	t.Run("an empty folder", func(t *testing.T) {
		empty := mk("empty", func(p string) { os.Mkdir(p, 0o755) })
		if _, err := Write(context.Background(), s, empty, Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(empty, "gemini", "index.gmi")); err != nil {
			t.Error(err)
		}
	})
	t.Run("a missing parent", func(t *testing.T) {
		deep := filepath.Join(base, "a", "b", "site")
		if _, err := Write(context.Background(), s, deep, Options{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCancelLeavesEarlierExport cancels an export that would replace an
// earlier one: the earlier export stays whole and nothing is left beside.
func TestCancelLeavesEarlierExport(t *testing.T) {
	s := buildSite(t, sampleCapsule, sampleOptions(), sampleNow)
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if _, err := Write(context.Background(), s, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	before := listing(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Write(ctx, s, dir, Options{}); err == nil {
		t.Fatal("a cancelled export succeeded")
	}
	if after := listing(t, dir); after != before {
		t.Errorf("a cancelled export changed the earlier one:\n%s", diffLines(before, after))
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("beside the export after a cancel: %v", entries)
	}
}
