package capsule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	changed chan struct{}
}

func startWatcher(t *testing.T, forcePoll bool) *watcherHarness {
	t.Helper()
	h := &watcherHarness{t: t, dir: t.TempDir(), changed: make(chan struct{}, 100)}
	w := &Watcher{
		Dir: h.dir,
		OnChange: func() {
			select {
			case h.changed <- struct{}{}:
			default:
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

// settle waits until OnChange has not been called for quietFor, swallowing
// the calls of a burst that straddled the debounce window.
func (h *watcherHarness) settle() {
	h.t.Helper()
	for range 50 {
		select {
		case <-h.changed:
		case <-time.After(quietFor):
			return
		}
	}
	h.t.Fatalf("watcher never went quiet")
}

func (h *watcherHarness) expectChange(what string) {
	h.t.Helper()
	select {
	case <-h.changed:
		h.settle()
	case <-time.After(changeWithin):
		h.t.Fatalf("OnChange not called within %v after %s", changeWithin, what)
	}
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
	}{
		{"create", func(h *watcherHarness) { h.write("a.md", "# A\n") }, true},
		{"edit", func(h *watcherHarness) { h.appendTo("a.md", "More text.\n") }, true},
		{"rewrite same size", func(h *watcherHarness) { h.write("a.md", "# B\nMore text.\n") }, true},
		{"rename", func(h *watcherHarness) { h.rename("a.md", "b.md") }, true},
		{"delete", func(h *watcherHarness) { h.remove("b.md") }, true},
		{"new folder with a file", func(h *watcherHarness) { h.write("sub/c.md", "# C\n") }, true},
		{"edit in the new folder", func(h *watcherHarness) { h.appendTo("sub/c.md", "Text.\n") }, true},
		{"new nested folders with a file", func(h *watcherHarness) { h.write("x/y/z/d.md", "# D\n") }, true},
		{"edit in the nested folder", func(h *watcherHarness) { h.appendTo("x/y/z/d.md", "Text.\n") }, true},
		{"static file", func(h *watcherHarness) { h.write("img/a.png", "PNG") }, true},
		{"editor temporary files", func(h *watcherHarness) {
			for _, name := range []string{"sub/c.md.swp", "sub/.c.md.swx", ".#c.md", "c.md~", "4913", "sub/4913", "#c.md#", "x.tmp"} {
				h.write(name, "tmp")
				h.appendTo(name, "more")
			}
			for _, name := range []string{"sub/c.md.swp", "4913", "sub/4913", "#c.md#"} {
				h.remove(name)
			}
			h.rename("c.md~", ".#other")
		}, false},
		{"hidden folder", func(h *watcherHarness) {
			h.write(".git/objects/ab/cdef", "blob")
			h.write(".git/HEAD", "ref")
			h.appendTo(".git/HEAD", "more")
		}, false},
		{"mode change only", func(h *watcherHarness) {
			if err := os.Chmod(h.path("sub/c.md"), 0o600); err != nil {
				h.t.Fatal(err)
			}
		}, false},
		{"vim-style save", func(h *watcherHarness) {
			// vim probes with 4913, keeps a backup~ and writes anew.
			h.write("sub/4913", "")
			h.remove("sub/4913")
			h.rename("sub/c.md", "sub/c.md~")
			h.write("sub/c.md", "# C, saved\n")
			h.remove("sub/c.md~")
		}, true},
		{"delete a folder", func(h *watcherHarness) { h.remove("x") }, true},
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
						h.expectChange(st.name)
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
