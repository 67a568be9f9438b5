package main

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
)

// minHeadroom is the least memory left for requests and Gopher views above
// what the capsule itself holds.
const minHeadroom = 64 << 20

// memoryTuner sizes the Go memory limit to the capsule after each load.
// A capsule's rendered pages are most of the heap and are held for the
// site's life; with the default GOGC the process would idle at twice
// that. A soft limit of live heap plus headroom keeps a 10,000-article
// capsule of 8 KB articles under 230 MB instead of 300-400 MB, at the cost
// of more frequent, cheap collections (page bodies hold no pointers).
// Operators who set GOGC or GOMEMLIMIT keep their own settings.
type memoryTuner struct {
	logger *slog.Logger
	off    bool
}

func newMemoryTuner(logger *slog.Logger) *memoryTuner {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	t := &memoryTuner{logger: logger, off: gogc || limit}
	if !t.off {
		// Loading a large capsule makes much short-lived garbage (sources,
		// syntax trees); collect it sooner so it never doubles the peak.
		debug.SetGCPercent(25)
	}
	return t
}

// loaded resets the limit to the live heap after a load plus headroom.
func (t *memoryTuner) loaded() {
	if t.off {
		return
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	live := m.HeapAlloc
	limit := live + max(minHeadroom, live/4)
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(int64(limit))
	debug.FreeOSMemory()
	t.logger.Debug("memory limit set", "live_heap_mb", live>>20, "limit_mb", limit>>20)
}
