package capsule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Generous bounds: the watcher settles in tens of milliseconds, but the
// machine may be busy.
const (
	changeWithin = 5 * time.Second
	// quietFor is how long nothing must happen for the watcher to count as
	// idle: many times Settle+MaxDelay and PollInterval below.
	quietFor = 400 * time.Millisecond
)

// watcherHarness runs a Watcher on a temporary folder and records its calls.
type watcherHarness struct {
	t       *testing.T
	dir     string
	changed chan Changes
}

func startWatcher(t *testing.T, forcePoll bool) *watcherHarness {
	t.Helper()
	h := &watcherHarness{t: t, dir: t.TempDir(), changed: make(chan Changes, 1000)}
	w := &Watcher{
		Dir: h.dir,
		OnChanges: func(c Changes) {
			select {
			case h.changed <- c:
			default:
				t.Error("more batches than the harness can hold")
			}
		},
		Settle:       20 * time.Millisecond,
		MaxDelay:     100 * time.Millisecond,
		PollInterval: 30 * time.Millisecond,
		ForcePoll:    forcePoll,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v after cancel, want nil", err)
			}
		case <-time.After(changeWithin):
			t.Errorf("Run did not return within %v of cancel", changeWithin)
		}
	})
	// The watcher is ready when it notices a change; until then, keep
	// changing a probe file (Run gives no other signal).
	deadline := time.After(changeWithin)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		h.write("probe.md", fmt.Sprintf("probe %d\n", i))
		select {
		case <-h.changed:
			h.settle()
			return h
		case <-tick.C:
		case <-deadline:
			t.Fatalf("watcher never noticed a change to probe.md")
		}
	}
}

func (h *watcherHarness) path(name string) string {
	return filepath.Join(h.dir, filepath.FromSlash(name))
}

func (h *watcherHarness) write(name, data string) {
	h.t.Helper()
	if err := os.MkdirAll(filepath.Dir(h.path(name)), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(h.path(name), []byte(data), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *watcherHarness) appendTo(name, data string) {
	h.t.Helper()
	f, err := os.OpenFile(h.path(name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		h.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		h.t.Fatal(err)
	}
}

func (h *watcherHarness) rename(from, to string) {
	h.t.Helper()
	if err := os.Rename(h.path(from), h.path(to)); err != nil {
		h.t.Fatal(err)
	}
}

func (h *watcherHarness) remove(name string) {
	h.t.Helper()
	if err := os.RemoveAll(h.path(name)); err != nil {
		h.t.Fatal(err)
	}
}

// settle waits until OnChanges has not been called for quietFor,
// swallowing the calls of a burst that straddled the debounce window, and
// returns what they reported.
func (h *watcherHarness) settle() Changes {
	h.t.Helper()
	var all Changes
	for range 50 {
		select {
		case c := <-h.changed:
			all.All = all.All || c.All
			all.Paths = append(all.Paths, c.Paths...)
		case <-time.After(quietFor):
			return all
		}
	}
	h.t.Fatalf("watcher never went quiet")
	return all
}

func (h *watcherHarness) expectChange(what string) Changes {
	h.t.Helper()
	select {
	case c := <-h.changed:
		more := h.settle()
		c.All = c.All || more.All
		c.Paths = append(c.Paths, more.Paths...)
		return c
	case <-time.After(changeWithin):
		h.t.Fatalf("OnChanges not called within %v after %s", changeWithin, what)
	}
	return Changes{}
}

func (h *watcherHarness) expectNoChange(what string) {
	h.t.Helper()
	select {
	case <-h.changed:
		h.t.Fatalf("OnChange called after %s", what)
	case <-time.After(quietFor):
	}
}

func TestWatcher(t *testing.T) {
	steps := []struct {
		name   string
		do     func(h *watcherHarness)
		change bool
		paths  []string // reported (among others) by inotify; polling reports All
	}{
		{"create", func(h *watcherHarness) { h.write("a.md", "# A\n") }, true, []string{"a.md"}},
		{"edit", func(h *watcherHarness) { h.appendTo("a.md", "More text.\n") }, true, []string{"a.md"}},
		{"rewrite same size", func(h *watcherHarness) { h.write("a.md", "# B\nMore text.\n") }, true, []string{"a.md"}},
		{"rename", func(h *watcherHarness) { h.rename("a.md", "b.md") }, true, []string{"a.md", "b.md"}},
		{"delete", func(h *watcherHarness) { h.remove("b.md") }, true, []string{"b.md"}},
		{"new folder with a file", func(h *watcherHarness) { h.write("sub/c.md", "# C\n") }, true, []string{"sub"}},
		{"edit in the new folder", func(h *watcherHarness) { h.appendTo("sub/c.md", "Text.\n") }, true, []string{"sub/c.md"}},
		{"new nested folders with a file", func(h *watcherHarness) { h.write("x/y/z/d.md", "# D\n") }, true, []string{"x"}},
		{"edit in the nested folder", func(h *watcherHarness) { h.appendTo("x/y/z/d.md", "Text.\n") }, true, []string{"x/y/z/d.md"}},
		{"static file", func(h *watcherHarness) { h.write("img/a.png", "PNG") }, true, []string{"img"}},
		{"editor temporary files", func(h *watcherHarness) {
			for _, name := range []string{"sub/c.md.swp", "sub/.c.md.swx", ".#c.md", "c.md~", "4913", "sub/4913", "#c.md#", "x.tmp"} {
				h.write(name, "tmp")
				h.appendTo(name, "more")
			}
			for _, name := range []string{"sub/c.md.swp", "4913", "sub/4913", "#c.md#"} {
				h.remove(name)
			}
			h.rename("c.md~", ".#other")
		}, false, nil},
		{"hidden folder", func(h *watcherHarness) {
			h.write(".git/objects/ab/cdef", "blob")
			h.write(".git/HEAD", "ref")
			h.appendTo(".git/HEAD", "more")
		}, false, nil},
		{"mode change only", func(h *watcherHarness) {
			if err := os.Chmod(h.path("sub/c.md"), 0o600); err != nil {
				h.t.Fatal(err)
			}
		}, false, nil},
		{"vim-style save", func(h *watcherHarness) {
			// vim probes with 4913, keeps a backup~ and writes anew.
			h.write("sub/4913", "")
			h.remove("sub/4913")
			h.rename("sub/c.md", "sub/c.md~")
			h.write("sub/c.md", "# C, saved\n")
			h.remove("sub/c.md~")
		}, true, []string{"sub/c.md"}},
		{"delete a folder", func(h *watcherHarness) { h.remove("x") }, true, []string{"x"}},
	}
	for _, mode := range []struct {
		name string
		poll bool
	}{{"inotify", false}, {"poll", true}} {
		t.Run(mode.name, func(t *testing.T) {
			h := startWatcher(t, mode.poll)
			for _, st := range steps {
				ok := t.Run(st.name, func(t *testing.T) {
					h.t = t
					st.do(h)
					if st.change {
						c := h.expectChange(st.name)
						if mode.poll && !c.All {
							t.Errorf("polling reported %v, want All", c.Paths)
						}
						for _, p := range st.paths {
							if !mode.poll && !c.All && !slices.Contains(c.Paths, p) {
								t.Errorf("reported %q, want %s among them", c.Paths, p)
							}
						}
						for _, p := range c.Paths {
							if Hidden(p) {
								t.Errorf("hidden path %s reported", p)
							}
						}
					} else {
						h.expectNoChange(st.name)
					}
				})
				h.t = t
				if !ok {
					// Later steps build on this one.
					return
				}
			}
		})
	}
}

func TestWatcherMissingFolder(t *testing.T) {
	for _, poll := range []bool{false, true} {
		t.Run(fmt.Sprintf("poll=%v", poll), func(t *testing.T) {
			w := &Watcher{Dir: filepath.Join(t.TempDir(), "nope"), OnChange: func() {}, ForcePoll: poll}
			ctx, cancel := context.WithTimeout(context.Background(), changeWithin)
			defer cancel()
			if err := w.Run(ctx); err == nil {
				t.Errorf("Run on a missing folder returned nil")
			}
			if ctx.Err() != nil {
				t.Errorf("Run on a missing folder waited for the context")
			}
		})
	}
}

func TestFingerprintIgnoresHiddenFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.md"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := fingerprint(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.md.swp", ".#a.md", "4913", "a.md~"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("tmp"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, ".git", "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	if after, err := fingerprint(dir); err != nil || after != before {
		t.Errorf("fingerprint changed (%x -> %x, %v) by hidden files only", before, after, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.md"), []byte("b"), 0o644); err != nil {
		t.Fatal(err)
	}
	if after, err := fingerprint(dir); err != nil || after == before {
		t.Errorf("fingerprint unchanged (%x, %v) by a new file", after, err)
	}
}

func TestWatchFailure(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&os.PathError{Op: "inotify_add_watch", Path: "x", Err: syscall.ENOSPC}, "max_user_watches"},
		{syscall.EMFILE, "max_user_instances"},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EACCES}, "permissions"},
		{errors.New("other"), "cannot watch every folder"},
	}
	for _, tt := range tests {
		got := watchFailure(tt.err)
		if !strings.Contains(got, tt.want) {
			t.Errorf("watchFailure(%v) = %q, want it to mention %q", tt.err, got, tt.want)
		}
		if tt.want != "max_user_watches" && strings.Contains(got, "max_user_watches") {
			t.Errorf("watchFailure(%v) = %q blames the inotify watch limit", tt.err, got)
		}
	}
}

// TestWatcherBurst writes 1,000 files the way a "git pull" does, as fast
// as it can, and checks that the watcher reports them in as few batches as
// its MaxDelay allows (one, unless writing took longer than MaxDelay), with
// every file (or a new folder holding it) named.
func TestWatcherBurst(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "posts"), 0o755); err != nil {
		t.Fatal(err)
	}
	batches := make(chan Changes, 1000)
	ready := make(chan struct{})
	const maxDelay = time.Second
	w := &Watcher{Dir: dir, OnChanges: func(c Changes) { batches <- c }, Ready: func() { close(ready) },
		Settle: 60 * time.Millisecond, MaxDelay: maxDelay}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case <-ready:
	case <-time.After(changeWithin):
		t.Fatal("watcher not ready")
	}
	start := time.Now()
	for i := range 1000 {
		name := filepath.Join(dir, "posts", fmt.Sprintf("%04d.md", i))
		if i%100 == 0 {
			name = filepath.Join(dir, "posts", fmt.Sprintf("new-%d", i/100), "index.md")
			os.MkdirAll(filepath.Dir(name), 0o755)
		}
		if err := os.WriteFile(name, []byte("# Article\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(start)
	seen := map[string]bool{}
	n := 0
	for len(seen) < 1000 {
		select {
		case c := <-batches:
			n++
			if c.All {
				t.Fatalf("burst reported as a change of everything")
			}
			for _, p := range c.Paths {
				seen[p] = true
			}
		case <-time.After(changeWithin):
			t.Fatalf("after %d batches, %d paths reported", n, len(seen))
		}
		if len(seen) >= 990 && seen["posts/new-9"] {
			break // 990 files, and 10 folders named instead of their index.md
		}
	}
	allowed := 1 + int(took/maxDelay)
	t.Logf("1,000 files written in %v, reported in %d batches", took.Round(time.Millisecond), n)
	if n > allowed {
		t.Errorf("%d batches for a burst of %v, want at most %d", n, took, allowed)
	}
	for i := range 1000 {
		if i%100 != 0 && !seen[fmt.Sprintf("posts/%04d.md", i)] {
			t.Errorf("posts/%04d.md not reported", i)
		}
	}
}

// TestWatcherOnChange checks the older callback, without paths.
func TestWatcherOnChange(t *testing.T) {
	dir := t.TempDir()
	called := make(chan struct{}, 10)
	ready := make(chan struct{})
	w := &Watcher{Dir: dir, OnChange: func() { called <- struct{}{} }, Ready: func() { close(ready) }, Settle: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	<-ready
	if err := os.WriteFile(filepath.Join(dir, "a.md"), []byte("# A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case <-called:
	case <-time.After(changeWithin):
		t.Fatal("OnChange not called")
	}
}

func TestPathBatch(t *testing.T) {
	var b pathBatch
	for _, p := range []string{"b.md", "a.md", "b.md"} {
		b.add(p)
	}
	if c := b.take(); c.All || !slices.Equal(c.Paths, []string{"a.md", "b.md"}) {
		t.Errorf("batch %+v", c)
	}
	if c := b.take(); c.All || len(c.Paths) != 0 {
		t.Errorf("batch not emptied: %+v", c)
	}
	for i := range MaxUpdatePaths + 1 {
		b.add(fmt.Sprint(i))
	}
	if c := b.take(); !c.All || c.Paths != nil {
		t.Errorf("an overlong batch is not All: %d paths", len(c.Paths))
	}
	b.add(".")
	if c := b.take(); !c.All {
		t.Errorf("the root is not All")
	}
}
