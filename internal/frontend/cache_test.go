package frontend

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/gopher"
	"broadside/internal/site"
	"broadside/internal/site/sitetest"
)

// TestGopherCacheBounded reads every page of a site over Gopher and checks
// the cache stays within its budget while serving correct views.
func TestGopherCacheBounded(t *testing.T) {
	fsys := testCapsule()
	for i := range 50 {
		fsys[fmt.Sprintf("posts/gen%d.md", i)] = file(fmt.Sprintf("---\ntitle: Gen %d\ndate: 2023-02-01\n---\n\n%s\n", i, strings.Repeat("word ", 400)))
	}
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(fsys)
	opts.Cache = site.NewCache(8 << 10)
	s := site.Build(snap, opts, sitetest.Now)
	l := liveOf(s)
	for i := range 50 {
		got := gopherGet(t, l, fmt.Sprintf("/posts/gen%d.gmi", i))
		if !strings.HasPrefix(got, fmt.Sprintf("Gen %d\r\n", i)) {
			t.Fatalf("gen%d: wrong view:\n%.200s", i, got)
		}
	}
	if _, used := s.Cache().Len(); used > 8<<10 {
		t.Errorf("cache grew to %d bytes over its 8 KiB budget", used)
	}
}

// TestGopherStreamsTextFiles: a large text file goes out as it is read,
// so serving it allocates a small fraction of its size, never the file.
func TestGopherStreamsTextFiles(t *testing.T) {
	fsys := testCapsule()
	line := strings.Repeat("a line of text ", 6) + "\n"
	fsys["big.txt"] = file(strings.Repeat(line, (24<<20)/len(line)))
	l := liveOf(buildTest(t, fsys))
	srv := &gopher.Server{Handler: &Gopher{Live: l}, Logger: slog.New(slog.DiscardHandler)}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, s := net.Pipe()
	done := make(chan struct{})
	go func() { srv.ServeConn(context.Background(), s); close(done) }()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	go io.WriteString(c, "/big.txt\r\n")
	n, err := io.Copy(io.Discard, c)
	c.Close()
	<-done
	runtime.ReadMemStats(&after)
	if err != nil || n < 24<<20 {
		t.Fatalf("served %d bytes: %v", n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 12<<20 { // reading it whole: over 70 MB
		t.Errorf("serving a 24 MB file allocated %d MB", alloc>>20)
	}
}
