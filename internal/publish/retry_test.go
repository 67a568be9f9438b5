//go:build linux

package publish

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/site"
)

// TestReloadRetriesWhenOutOfFiles runs the publisher out of file
// descriptors for real: the reload fails, the site stays as it was, the
// failure is logged once however many attempts fail, and once descriptors
// are available again a retry publishes the change with no file event.
func TestReloadRetriesWhenOutOfFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "posts/2024-01-01-first.md", "---\ntitle: First\n---\n\nFirst.\n")
	write(t, dir, "posts/2024-01-02-second.md", "")
	var logs syncBuffer
	live := &site.Live{}
	p := &Publisher{
		Dir:     dir,
		Site:    site.Options{Title: "Retry", Hostname: "localhost"},
		Live:    live,
		Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Watcher: capsule.Watcher{Settle: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
	}
	if err := p.Reload(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done; p.Close() }()
	// Let the watcher start (it reloads once when ready).
	eventually(t, "watcher ready", func() bool { return strings.Contains(logs.String(), "capsule unchanged") })

	// Open the file to write before the descriptors run out.
	f, err := os.OpenFile(filepath.Join(dir, "posts", "2024-01-02-second.md"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	restore := exhaustDescriptors(t)
	if _, err := f.WriteString("---\ntitle: Second, out of files\n---\n\nWritten while out of files.\n"); err != nil {
		restore()
		t.Fatal(err)
	}
	// Wait for at least two failed attempts (the first one, and a retry).
	var failed bool
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && !failed {
		failed = strings.Contains(logs.String(), "reloading capsule failed again")
		time.Sleep(10 * time.Millisecond)
	}
	restore()
	if !failed {
		t.Fatalf("no second failed attempt logged:\n%s", logs.String())
	}
	if h, _ := get(t, live, "/posts/2024-01-01-first.gmi"); !strings.HasPrefix(h, "20") {
		t.Errorf("the site lost its articles during the failures: %s", h)
	}
	// The article's own page may show the new text at once (bodies are
	// read on request); its new title on the index needs the reload.
	eventually(t, "change published by a retry", func() bool {
		h, body := get(t, live, "/")
		return strings.HasPrefix(h, "20") && strings.Contains(body, "Second, out of files")
	})
	// The recovery is logged once the reload that published the change
	// has returned, a moment after the site was swapped in.
	eventually(t, "recovery logged", func() bool { return strings.Contains(logs.String(), "capsule reloaded after failing") })
	out := logs.String()
	if n := strings.Count(out, "level=ERROR msg=\"reloading capsule\""); n != 1 {
		t.Errorf("the failure was logged at error level %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "too many open files") || !strings.Contains(out, "capsule reloaded after failing") {
		t.Errorf("log does not name the cause and the recovery:\n%s", out)
	}
}

// exhaustDescriptors lowers the soft limit on open files to the lowest
// free descriptor, so that the process cannot open another one, and
// returns the function that restores it.
func exhaustDescriptors(t *testing.T) func() {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	probe, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	lowest := probe.Fd()
	probe.Close()
	limited := old
	limited.Cur = uint64(lowest)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &limited); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	if f, err := os.Open(os.DevNull); err == nil {
		f.Close()
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
		t.Skip("the limit on open files does not apply here")
	} else if !errors.Is(err, syscall.EMFILE) {
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
		t.Skipf("opening past the limit: %v, want EMFILE", err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
				t.Errorf("restoring the limit on open files: %v", err)
			}
		}
	}
	t.Cleanup(restore)
	return restore
}
