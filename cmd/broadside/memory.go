package main

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// minHeadroom is the least memory left for requests and Gopher views above
// what the capsule itself holds.
const minHeadroom = 64 << 20

// gcPercent is the GOGC set with the limit. Requests allocate (TLS
// handshakes above all) and keep nothing, so the cost of collecting is the
// live heap marked once per cycle; with Go's default of 100, a heap of a
// few tens of megabytes is marked every few hundred requests, about 4 % of
// the CPU of serving a cached article (perf, against bench/tlsfloor, whose
// heap is tiny). 400 collects a fifth as often; the memory limit, not
// GOGC, is what bounds the heap of a large capsule.
const gcPercent = 400

// minLimit is the lowest limit set. The first build of the search index
// works through a few hundred megabytes of short-lived data; held to the
// live heap of a 10,000-article capsule plus headroom (about 160 MB) it
// spends most of its time collecting (51 s for 10,000 articles, against
// 21 s with this floor, at a peak RSS of 290 MB). A small capsule does not
// grow to the floor: GOGC still collects at five times its live heap.
const minLimit = 256 << 20

// retuneEvery is the shortest time between two tunings after the first:
// each costs a full collection, which on a 100,000-article capsule takes
// longer than the edit that asked for it.
const retuneEvery = 30 * time.Second

// memoryTuner sizes the Go memory limit to the capsule after loads. The
// live heap is the capsule's metadata, held for the site's life, plus the
// page cache, which fills up to its budget as readers come. A soft limit
// of the live heap, the room the cache may still take and some headroom
// keeps a 100,000-article capsule under 300 MB: the heap grows to five
// times the live heap (gcPercent) or to the limit, whichever is less.
// Operators who set GOGC or GOMEMLIMIT keep their own settings.
//
// The first load is tuned at once; later ones (every edit) at most once
// every retuneEvery, in the background, so that a burst of edits costs
// one collection and no edit waits for one.
type memoryTuner struct {
	logger *slog.Logger
	off    bool

	mu    sync.Mutex
	tuned bool        // the first load was tuned
	last  time.Time   // when the last tuning ran
	timer *time.Timer // the tuning scheduled, if any
	cache int         // the page cache budget, in bytes
}

func newMemoryTuner(logger *slog.Logger) *memoryTuner {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	// The first load runs with the default GOGC: its garbage (file heads,
	// front-matter trees) is small next to what it keeps, and collecting
	// more often would only make the start slower.
	return &memoryTuner{logger: logger, off: gogc || limit}
}

// loaded asks for the limit to be set again after a load; cache is the
// page cache's budget in bytes.
func (t *memoryTuner) loaded(cache int) {
	if t.off {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cache = cache
	if !t.tuned {
		t.tuned = true
		t.tuneLocked(true)
		return
	}
	if t.timer != nil {
		return // one is due: it will see this load too
	}
	t.timer = time.AfterFunc(max(retuneEvery-time.Since(t.last), 0), func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.timer = nil
		t.tuneLocked(false)
	})
}

// tuneLocked resets the limit to the live heap plus what the cache may
// still take plus headroom, and at least minLimit; first also returns the load's garbage to the
// system. t.mu is held.
func (t *memoryTuner) tuneLocked(first bool) {
	if first {
		debug.FreeOSMemory()
	} else {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	live := m.HeapAlloc
	limit := max(live+uint64(t.cache)+max(minHeadroom, live/4), minLimit)
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(int64(limit))
	t.last = time.Now()
	t.logger.Debug("memory limit set", "live_heap_mb", live>>20, "cache_mb", t.cache>>20, "limit_mb", limit>>20)
}
