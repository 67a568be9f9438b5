//go:build unix

package publish

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/site"
)

// within runs f and fails the test if it has not returned after a bound
// that only a blocked call can reach.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not return: it blocks", what)
	}
}

// TestHostileFiles runs the publisher on a capsule holding a named pipe, a
// socket, a loop of symbolic links and a link to an oversized file, then
// adds another pipe while it watches: loading, reloading and shutting
// down all finish, and the rest of the capsule is served.
func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "posts/2024-01-01-ok.md", "---\ntitle: Still here\n---\n\nServed.\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "posts", "pipe.md"), 0o644); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(dir, "posts", "sock.md"))
	if err != nil {
		t.Skipf("cannot make a socket: %v", err)
	}
	defer l.Close()
	for target, name := range map[string]string{"loop2.md": "loop1.md", "loop1.md": "loop2.md", "huge.bin": "big.md"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	huge, err := os.Create(filepath.Join(dir, "huge.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := huge.Truncate(capsule.MaxDocSize + 1); err != nil {
		t.Fatal(err)
	}
	huge.Close()

	var logs syncBuffer
	live := &site.Live{}
	p := &Publisher{
		Dir:     dir,
		Site:    site.Options{Title: "Hostile", Hostname: "localhost"},
		Live:    live,
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		Watcher: capsule.Watcher{Settle: 20 * time.Millisecond},
	}
	within(t, "Reload", func() {
		if err := p.Reload(); err != nil {
			t.Error(err)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	if h, body := get(t, live, "/posts/2024-01-01-ok.gmi"); !strings.HasPrefix(h, "20") || !strings.Contains(body, "Served.") {
		t.Errorf("article next to the hostile files: %s %q", h, body)
	}
	for _, path := range []string{"/posts/pipe.gmi", "/posts/sock.gmi", "/loop1.gmi", "/pipe.txt"} {
		var h string
		within(t, "GET "+path, func() { h, _ = get(t, live, path) })
		if !strings.HasPrefix(h, "51") {
			t.Errorf("%s: %s, want 51", path, h)
		}
	}
	// A file over the size limit is an error, and never published.
	if h, _ := get(t, live, "/big.gmi"); !strings.HasPrefix(h, "51") {
		t.Errorf("link to an oversized file: %s, want 51", h)
	}

	// Another pipe arrives while the publisher watches, with an article.
	if err := syscall.Mkfifo(filepath.Join(dir, "posts", "pipe2.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "posts/2024-02-01-new.md", "---\ntitle: After the pipe\n---\n\nNew.\n")
	eventually(t, "article written after a new pipe", func() bool {
		h, body := get(t, live, "/posts/2024-02-01-new.gmi")
		return strings.HasPrefix(h, "20") && strings.Contains(body, "New.")
	})
	within(t, "SetOptions (as on SIGHUP)", func() {
		if err := p.SetOptions(capsule.Options{}, site.Options{Title: "Renamed", Hostname: "localhost"}); err != nil {
			t.Error(err)
		}
	})
	cancel()
	within(t, "Run after cancel", func() { <-done })
	within(t, "Close", func() { p.Close() })
	for _, want := range []string{"posts/pipe.md", "posts/pipe2.md", "posts/sock.md", "loop1.md", "big.md"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no problem logged for %s", want)
		}
	}
}
