package publish

import (
	"log/slog"
	"sync"
	"time"

	"broadside/internal/capsule"
)

// saver writes the capsule's metadata index to the state folder in the
// background: at once after the first load, then at most once every
// saver.every, always the newest snapshot, and a last time at close. A
// write that fails is logged and tried again with the next snapshot.
type saver struct {
	dir   string
	every time.Duration // 0: one minute
	log   *slog.Logger

	mu      sync.Mutex
	latest  *capsule.Snapshot // not written yet
	last    time.Time         // when the last write ended
	timer   *time.Timer
	running bool
	closed  bool
	wg      sync.WaitGroup
}

func (sv *saver) interval() time.Duration {
	if sv.every <= 0 {
		return time.Minute
	}
	return sv.every
}

// offer makes s the snapshot to write next: now if urgent or if the last
// write is old enough, else when it is.
func (sv *saver) offer(s *capsule.Snapshot, urgent bool) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.closed {
		return
	}
	sv.latest = s
	if sv.running || sv.timer != nil {
		return // the write running, or the one scheduled, takes it
	}
	if wait := sv.interval() - time.Since(sv.last); !urgent && wait > 0 {
		sv.timer = time.AfterFunc(wait, sv.kick)
		return
	}
	sv.start()
}

func (sv *saver) kick() {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	sv.timer = nil
	if !sv.running && !sv.closed && sv.latest != nil {
		sv.start()
	}
}

// start runs a write; sv.mu is held.
func (sv *saver) start() {
	sv.running = true
	s := sv.latest
	sv.latest = nil
	sv.wg.Go(func() {
		sv.write(s)
		sv.mu.Lock()
		defer sv.mu.Unlock()
		sv.running = false
		if sv.latest != nil && !sv.closed && sv.timer == nil {
			sv.timer = time.AfterFunc(sv.interval(), sv.kick)
		}
	})
}

func (sv *saver) write(s *capsule.Snapshot) {
	start := time.Now()
	if err := capsule.SaveIndex(sv.dir, s); err != nil {
		sv.log.Warn("cannot keep the capsule index in the state folder; a restart will read every file", "dir", sv.dir, "err", err)
	} else {
		sv.log.Debug("capsule index written", "dir", sv.dir, "documents", len(s.Docs), "duration", time.Since(start).Round(time.Millisecond))
	}
	sv.mu.Lock()
	sv.last = time.Now()
	sv.mu.Unlock()
}

// close waits for the running write, then writes what is left.
func (sv *saver) close() {
	sv.mu.Lock()
	sv.closed = true
	if sv.timer != nil {
		sv.timer.Stop()
		sv.timer = nil
	}
	sv.mu.Unlock()
	sv.wg.Wait()
	sv.mu.Lock()
	s := sv.latest
	sv.latest = nil
	sv.mu.Unlock()
	if s != nil {
		sv.write(s)
	}
}
