package publish

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/site"
)

// startLogged starts a publisher on dir with its log in logs, and returns
// it with its live site; it stops at the end of the test.
func startLogged(t *testing.T, dir, state string, logs *syncBuffer) (*Publisher, *site.Live) {
	t.Helper()
	live := &site.Live{}
	p := &Publisher{
		Dir:     dir,
		State:   state,
		Site:    site.Options{Title: "Live", Hostname: "localhost"},
		Live:    live,
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Watcher: capsule.Watcher{Settle: 30 * time.Millisecond},
	}
	if err := p.Reload(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; p.Close() })
	eventually(t, "watcher ready", func() bool { return strings.Contains(logs.String(), "capsule unchanged") })
	return p, live
}

// TestEditsReloadOnlyWhatChanged checks that edits seen by the watcher
// update the snapshot from the paths it names, and that a burst of a
// thousand new files (a git pull) is one reload, or a few if writing them
// took longer than the watcher's MaxDelay.
func TestEditsReloadOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	for i := range 50 {
		write(t, dir, fmt.Sprintf("posts/2024-01-%02d-a%d.md", i%28+1, i), fmt.Sprintf("---\ntitle: Old %d\n---\n\nText.\n", i))
	}
	var logs syncBuffer
	_, live := startLogged(t, dir, "", &logs)
	write(t, dir, "posts/2024-02-01-new.md", "---\ntitle: Brand new\n---\n\nFresh.\n")
	eventually(t, "new article on the index", func() bool { _, b := get(t, live, "/"); return strings.Contains(b, "Brand new") })
	if !strings.Contains(logs.String(), `msg="capsule updated"`) || !strings.Contains(logs.String(), "parsed=1 reused=50") {
		t.Errorf("the edit was not an update of one file:\n%s", logs.String())
	}

	before := strings.Count(logs.String(), `msg="capsule updated"`) + strings.Count(logs.String(), `msg="capsule loaded"`)
	start := time.Now()
	for i := range 1000 {
		write(t, dir, fmt.Sprintf("pulled/%d/2025-03-%02d-p%d.md", i/100, i%28+1, i), fmt.Sprintf("---\ntitle: Pulled %d\n---\n\nText.\n", i))
	}
	took := time.Since(start)
	write(t, dir, "pulled/2026-01-01-last.md", "---\ntitle: Last pulled\n---\n\nText.\n")
	eventually(t, "pulled articles on the index", func() bool { _, b := get(t, live, "/"); return strings.Contains(b, "Last pulled") })
	eventually(t, "every pulled article", func() bool {
		h, _ := get(t, live, fmt.Sprintf("/pulled/9/2025-03-%02d-p999.gmi", 999%28+1))
		return strings.HasPrefix(h, "20")
	})
	time.Sleep(200 * time.Millisecond) // the last batch, if any, is logged
	after := strings.Count(logs.String(), `msg="capsule updated"`) + strings.Count(logs.String(), `msg="capsule loaded"`)
	allowed := 2 + int(took/time.Second) // the default MaxDelay
	t.Logf("1,001 files written in %v: %d reloads", took.Round(time.Millisecond), after-before)
	if after-before > allowed {
		t.Errorf("%d reloads for one burst of 1,001 files written in %v, want at most %d:\n%s", after-before, took, allowed, logs.String())
	}
}

// TestRestartWithIndex checks that the metadata index in the state folder
// makes a restart read only the files that changed meanwhile, and that a
// damaged index is reported and ignored.
func TestRestartWithIndex(t *testing.T) {
	dir, state := t.TempDir(), filepath.Join(t.TempDir(), "state")
	for i := range 20 {
		write(t, dir, fmt.Sprintf("posts/2024-01-%02d-a.md", i+1), fmt.Sprintf("---\ntitle: A%d\n---\n\nText.\n", i))
	}
	run := func() string {
		var logs syncBuffer
		p := &Publisher{Dir: dir, State: state, Live: &site.Live{}, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		if err := p.Reload(); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil { // writes the index
			t.Fatal(err)
		}
		return logs.String()
	}
	if out := run(); !strings.Contains(out, "parsed=20 reused=0") || !strings.Contains(out, "no capsule index") {
		t.Fatalf("first start:\n%s", out)
	}
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state folder: %v %v", err, fi)
	}
	if out := run(); !strings.Contains(out, "parsed=0 reused=20") {
		t.Errorf("restart with the index:\n%s", out)
	}
	write(t, dir, "posts/2024-01-01-a.md", "---\ntitle: Changed while down\n---\n\nText.\n")
	future := time.Now().Add(time.Minute)
	os.Chtimes(filepath.Join(dir, "posts/2024-01-01-a.md"), future, future)
	if out := run(); !strings.Contains(out, "parsed=1 reused=19") {
		t.Errorf("restart after a change:\n%s", out)
	}
	if err := os.WriteFile(filepath.Join(state, capsule.IndexFile), []byte("broadside capsule index\ngarbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := run(); !strings.Contains(out, "parsed=20 reused=0") || !strings.Contains(out, "level=WARN") || !strings.Contains(out, "cannot be used") {
		t.Errorf("restart with a damaged index:\n%s", out)
	}
}

// TestWarmUpAndBodyProblems checks the background work after a load: the
// newest articles' pages are built within the share of the cache, and an
// edit's converter problems (which a quick load does not see) are logged.
func TestWarmUpAndBodyProblems(t *testing.T) {
	dir := t.TempDir()
	for i := range 40 {
		write(t, dir, fmt.Sprintf("posts/2024-01-%02d-a%d.md", i%28+1, i), fmt.Sprintf("---\ntitle: A%d\n---\n\n%s\n", i, strings.Repeat("Words of text. ", 500)))
	}
	var logs syncBuffer
	cache := site.NewCache(1 << 20)
	live := &site.Live{}
	p := &Publisher{Dir: dir, Site: site.Options{Cache: cache}, Live: live, WarmShare: 0.5,
		Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Watcher: capsule.Watcher{Settle: 30 * time.Millisecond}}
	if err := p.Reload(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; p.Close() }()
	eventually(t, "warm-up", func() bool { return strings.Contains(logs.String(), "pages built ahead of readers") })
	entries, used := cache.Len()
	if entries < 10 || used > 1<<20 {
		t.Errorf("after the warm-up the cache holds %d entries, %d bytes; want several, within 1 MB", entries, used)
	}
	write(t, dir, "posts/2024-02-01-bad.md", "---\ntitle: Bad link\n---\n\nSee [this](../../../etc/passwd).\n")
	eventually(t, "the converter's problem logged", func() bool {
		return strings.Contains(logs.String(), "code=capsule/link-outside")
	})
}
