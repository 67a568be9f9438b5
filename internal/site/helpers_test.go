package site

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"broadside/internal/capsule"
	"broadside/internal/site/sitetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	testNow = sitetest.Now
	modTime = sitetest.ModTime
	file    = sitetest.File
)

func testCapsule() fstest.MapFS { return sitetest.Capsule() }

func testOptions(fsys fstest.MapFS) Options {
	return Options{
		Title:      "Test Site",
		Hostname:   "example.org",
		Author:     "Site Author",
		GopherPort: 7070,
		Removed:    []string{"/posts/retracted.gmi"},
		Static:     fsys,
	}
}

func buildTest(t testing.TB, fsys fstest.MapFS) *Site {
	t.Helper()
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Build(snap, testOptions(fsys), testNow)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; got:\n%s", name, got)
	}
}
