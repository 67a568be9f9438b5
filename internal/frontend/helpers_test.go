package frontend

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/gemini"
	"broadside/internal/gopher"
	"broadside/internal/site"
	"broadside/internal/site/sitetest"
)

var file = sitetest.File

func testCapsule() fstest.MapFS { return sitetest.Capsule() }

func testOptions(fsys fstest.MapFS) site.Options {
	return site.Options{
		Title:      "Test Site",
		Hostname:   "example.org",
		Author:     "Site Author",
		GopherPort: 7070,
		Removed:    []string{"/posts/retracted.gmi"},
		Static:     fsys,
	}
}

func buildTest(t testing.TB, fsys fstest.MapFS) *site.Site {
	t.Helper()
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return site.Build(snap, testOptions(fsys), sitetest.Now)
}

func liveOf(s *site.Site) *site.Live {
	l := &site.Live{}
	l.Store(s)
	return l
}

func liveTest(t testing.TB) *site.Live { return liveOf(buildTest(t, testCapsule())) }

// geminiGet sends one request line through the real Gemini server over
// net.Pipe and returns the header line and the body.
func geminiGet(t testing.TB, l *site.Live, line string) (string, string) {
	t.Helper()
	srv := &gemini.Server{Hostnames: []string{"example.org"}, Port: 1965, Handler: &Gemini{Live: l}}
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
func gopherGet(t testing.TB, l *site.Live, selector string) string {
	t.Helper()
	srv := &gopher.Server{Handler: &Gopher{Live: l}, Logger: slog.New(slog.DiscardHandler)}
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
