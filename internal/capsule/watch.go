package capsule

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher reports changes below a folder. It watches with inotify (every
// folder, new ones included) and falls back to polling when the system
// cannot watch that many folders. The zero value is not usable; fill Dir
// and OnChanges (or OnChange).
type Watcher struct {
	Dir string
	// OnChanges is called after a burst of changes has settled, with the
	// paths the burst touched: one call for a "git pull" of a thousand
	// files, not a thousand.
	OnChanges func(Changes)
	// OnChange, if OnChanges is nil, is called instead, without saying
	// what changed.
	OnChange func()
	// Ready, if set, is called once watching has begun. Changes made
	// between the caller's last load and that moment are not reported,
	// so a caller reloads once more when Ready is called.
	Ready  func()
	Logger *slog.Logger
	// Settle is how long the folder must be quiet before OnChanges runs
	// (default 60ms); MaxDelay bounds the wait during a long burst
	// (default 1s); PollInterval is used when polling (default 400ms).
	Settle, MaxDelay, PollInterval time.Duration
	// ForcePoll skips inotify, for tests and for file systems (NFS, some
	// FUSE mounts) that deliver no events.
	ForcePoll bool
}

// Changes is one burst of changes below a watched folder.
type Changes struct {
	// Paths are the files and folders that were created, written,
	// removed or renamed, slash-separated and relative to the folder,
	// sorted, each once; hidden ones are left out. A new or removed
	// folder is named, not every file in it.
	Paths []string
	// All says that the watcher cannot tell what changed (events were
	// lost, too many paths changed, or it polls): anything may have.
	All bool
}

func (w *Watcher) defaults() {
	if w.Settle == 0 {
		w.Settle = 60 * time.Millisecond
	}
	if w.MaxDelay == 0 {
		w.MaxDelay = time.Second
	}
	if w.PollInterval == 0 {
		w.PollInterval = 400 * time.Millisecond
	}
	if w.Logger == nil {
		w.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run watches until ctx is done. It returns nil then, or an error if the
// folder cannot be watched or polled at all.
func (w *Watcher) Run(ctx context.Context) error {
	w.defaults()
	// addTree skips folders that vanish while it walks, the root included:
	// check the root first so that a missing capsule is an error in both
	// modes rather than a watch on nothing.
	if fi, err := os.Stat(w.Dir); err != nil {
		return fmt.Errorf("watching the capsule: %w", err)
	} else if !fi.IsDir() {
		return fmt.Errorf("watching the capsule: %s is not a folder", w.Dir)
	}
	if w.ForcePoll {
		return w.poll(ctx)
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		w.Logger.Warn("cannot watch the capsule, polling instead", "dir", w.Dir, "interval", w.PollInterval, "err", err)
		return w.poll(ctx)
	}
	defer fw.Close()
	if err := w.addTree(fw, w.Dir); err != nil {
		w.Logger.Warn(watchFailure(err), "dir", w.Dir, "interval", w.PollInterval, "err", err)
		fw.Close()
		return w.poll(ctx)
	}
	w.ready()
	var timer <-chan time.Time
	var first time.Time
	var batch pathBatch
	pending := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			rel, ok := w.relevant(ev)
			if !ok {
				continue
			}
			batch.add(rel)
			if ev.Has(fsnotify.Create) {
				// Lstat: a new link to a folder is not followed (Load does
				// not follow it either), or a link to "/" would have the
				// whole file system watched.
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					if err := w.addTree(fw, ev.Name); err != nil {
						w.Logger.Warn("cannot watch new folder", "dir", ev.Name, "err", err)
					}
				}
			}
			now := time.Now()
			if !pending {
				pending, first = true, now
			}
			wait := min(w.Settle, w.MaxDelay-now.Sub(first))
			timer = time.After(max(wait, 0))
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			// An overflow means events were lost: rescan to be safe.
			w.Logger.Warn("watch error, rescanning", "err", err)
			batch.all = true
			timer, pending = nil, false
			w.changed(batch.take())
		case <-timer:
			timer, pending = nil, false
			w.changed(batch.take())
		}
	}
}

// changed reports a batch.
func (w *Watcher) changed(c Changes) {
	if w.OnChanges != nil {
		w.OnChanges(c)
	} else if w.OnChange != nil {
		w.OnChange()
	}
}

// pathBatch collects the paths of one burst, up to MaxUpdatePaths; past
// that, the burst is reported as a change of everything.
type pathBatch struct {
	paths map[string]bool
	all   bool
}

func (b *pathBatch) add(p string) {
	if b.all {
		return
	}
	if p == "." || len(b.paths) >= MaxUpdatePaths {
		b.all, b.paths = true, nil
		return
	}
	if b.paths == nil {
		b.paths = map[string]bool{}
	}
	b.paths[p] = true
}

func (b *pathBatch) take() Changes {
	c := Changes{All: b.all}
	if !b.all {
		c.Paths = slices.Sorted(maps.Keys(b.paths))
	}
	*b = pathBatch{}
	return c
}

// relevant filters out events that cannot change what is served: hidden
// and temporary files, and attribute changes. It returns the path of the
// event relative to the folder, slash-separated.
func (w *Watcher) relevant(ev fsnotify.Event) (string, bool) {
	if ev.Op == fsnotify.Chmod {
		return "", false
	}
	rel, err := filepath.Rel(w.Dir, ev.Name)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return ".", true // not below the folder: look at everything
	}
	rel = filepath.ToSlash(rel)
	return rel, !Hidden(rel)
}

// watchFailure says why watching failed: only running out of inotify
// watches or descriptors is blamed on the system's limits.
func watchFailure(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "cannot watch every folder of the capsule (raise fs.inotify.max_user_watches), polling instead"
	case errors.Is(err, syscall.EMFILE):
		return "cannot watch every folder of the capsule (raise fs.inotify.max_user_instances or the open file limit), polling instead"
	case errors.Is(err, fs.ErrPermission):
		return "cannot read the capsule folder (check its permissions), polling instead"
	}
	return "cannot watch every folder of the capsule, polling instead"
}

// addTree watches root and every folder below it. A folder this user may
// not read is logged and skipped (its files cannot be served either); only
// the system's limits on watches make it fail, and then polling takes over.
func (w *Watcher) addTree(fw *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if errors.Is(err, fs.ErrPermission) && p != root {
				w.Logger.Warn("cannot read a folder of the capsule; its files are not served until its permissions allow it", "dir", p, "err", err)
				return nil
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if rel, _ := filepath.Rel(w.Dir, p); rel != "." && Hidden(filepath.ToSlash(rel)) {
			return fs.SkipDir
		}
		if err := fw.Add(p); err != nil {
			if errors.Is(err, fs.ErrPermission) && p != root {
				w.Logger.Warn("cannot watch a folder of the capsule; its files are not served until its permissions allow it", "dir", p, "err", err)
				return fs.SkipDir
			}
			return err
		}
		return nil
	})
}

func (w *Watcher) poll(ctx context.Context) error {
	last, err := fingerprint(w.Dir)
	if err != nil {
		return err
	}
	w.ready()
	t := time.NewTicker(w.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			fp, err := fingerprint(w.Dir)
			if err != nil {
				w.Logger.Warn("polling the capsule", "err", err)
				continue
			}
			if fp != last {
				last = fp
				w.changed(Changes{All: true})
			}
		}
	}
}

// fingerprint hashes the names of every visible file and folder and the
// sizes and modification times of the files: any change a reload would see
// changes it, and changes to hidden files do not.
func fingerprint(dir string) (uint64, error) {
	h := fnv.New64a()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "." && Hidden(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		h.Write([]byte(rel))
		h.Write([]byte{0})
		if d.IsDir() {
			// A folder's size and time change when a hidden or temporary
			// file comes or goes in it: only its name counts.
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		h.Write(strconv.AppendInt(nil, fi.Size(), 10))
		h.Write(strconv.AppendInt(nil, fi.ModTime().UnixNano(), 10))
		return nil
	})
	return h.Sum64(), err
}

func (w *Watcher) ready() {
	if w.Ready != nil {
		w.Ready()
	}
}
