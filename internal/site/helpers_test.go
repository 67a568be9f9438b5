package site

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/gemini"
	"broadside/internal/gopher"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testNow is the fixed moment test sites are built for.
var testNow = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

var modTime = time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), ModTime: modTime} }

// testCapsule has one of everything the site routes.
func testCapsule() fstest.MapFS {
	return fstest.MapFS{
		"index.md":  file("# Welcome\n\nAn intro with a [link](about.md).\n"),
		"about.md":  file("---\ntitle: About us\n---\n\nWe write things.\n"),
		"notes.gmi": file("# Notes\n\n=> about.gmi About\nHand-written.\n"),
		"posts/2024-01-05-first.md": file("---\ntitle: First <post> & more\ntags: [Go, News]\naliases: [/old/first.gmi]\nsummary: The first one.\n---\n\n" +
			"Hello [second](second.md) and [out](<https://example.org/a b>).\n"),
		"posts/second.md":  file("---\ntitle: Second\ndate: 2024-02-01T10:00:00Z\ntags: [go, Français]\nauthor: Zoé\nlang: fr\n---\n\n# Second\n\nBonjour.\n"),
		"posts/third.md":   file("---\ntitle: Third\ndate: 2024-03-01\ntags: [news]\nupdated: 2024-03-05\n---\n\nThird body.\n"),
		"posts/draft.md":   file("---\ntitle: Draft\ndate: 2024-01-10\ndraft: true\ntags: [go]\n---\n\nSecret.\n"),
		"posts/future.md":  file("---\ntitle: Future\ndate: 2031-06-01\ntags: [go]\n---\n\nNot yet.\n"),
		"posts/broken.md":  file("---\ntitle: Broken\ndate: 2024-01-20\nupdated: yesterday\n---\n\nBody survives.\n"),
		"posts/maybe.md":   file("---\ntitle: Maybe\ndate: 2024-01-22\ndraft: maybe\n---\n\nUndecided.\n"),
		"posts/garbled.md": file("---\ntitle: [unclosed\ndate: 2024-01-21\n---\n\nGarbled body survives.\n"),
		"images/a.png":     &fstest.MapFile{Data: []byte("\x89PNG\r\n\x1a\nfake"), ModTime: modTime},
		"docs/index.gmi":   file("# Docs\n\nFolder index.\n"),
		"docs/readme.txt":  file("plain text\n"),
		".hidden.md":       file("secret\n"),
		".git/config":      file("secret\n"),
		"posts/.x.md":      file("secret\n"),
	}
}

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

func liveTest(t testing.TB) *Live {
	l := &Live{}
	l.Store(buildTest(t, testCapsule()))
	return l
}

// geminiGet sends one request line through the real Gemini server over
// net.Pipe and returns the header line and the body.
func geminiGet(t testing.TB, h gemini.Handler, line string) (string, string) {
	t.Helper()
	srv := &gemini.Server{Hostnames: []string{"example.org"}, Port: 1965, Handler: h}
	c, s := net.Pipe()
	done := make(chan struct{})
	go func() { srv.ServeConn(context.Background(), s); close(done) }()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	go io.WriteString(c, line+"\r\n")
	b, err := io.ReadAll(c)
	c.Close()
	<-done
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	header, body, ok := strings.Cut(string(b), "\r\n")
	if !ok {
		t.Fatalf("%s: no header in %q", line, b)
	}
	return header, body
}

// gopherGet sends one selector through the real Gopher server over
// net.Pipe and returns the response.
func gopherGet(t testing.TB, h gopher.Handler, selector string) string {
	t.Helper()
	srv := &gopher.Server{Handler: h, Logger: discard()}
	c, s := net.Pipe()
	done := make(chan struct{})
	go func() { srv.ServeConn(context.Background(), s); close(done) }()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	go io.WriteString(c, selector+"\r\n")
	b, err := io.ReadAll(c)
	c.Close()
	<-done
	if err != nil {
		t.Fatalf("%q: %v", selector, err)
	}
	return string(b)
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

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
