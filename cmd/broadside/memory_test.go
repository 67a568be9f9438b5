package main

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"
	"time"
)

func TestMemoryTuner(t *testing.T) {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		t.Skip("GOMEMLIMIT is set: the tuner leaves the operator's limit alone")
	}
	if _, ok := os.LookupEnv("GOGC"); ok {
		t.Skip("GOGC is set: the tuner leaves the operator's setting alone")
	}
	defer debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetGCPercent(100)
	keep := make([]byte, 8<<20) // some live heap
	tuner := newMemoryTuner(slog.New(slog.DiscardHandler))
	const cache = 32 << 20
	tuner.loaded(cache)
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 || limit < minHeadroom+cache+int64(len(keep)) {
		t.Errorf("memory limit %d, want live heap plus the cache budget plus at least %d", limit, minHeadroom)
	}
	// Later loads are tuned in the background, at most once every
	// retuneEvery: the load itself never waits for a collection.
	start := time.Now()
	for range 100 {
		tuner.loaded(cache)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("100 loads took %v: they waited for collections", d)
	}
	tuner.mu.Lock()
	scheduled := tuner.timer != nil
	if tuner.timer != nil {
		tuner.timer.Stop()
	}
	tuner.mu.Unlock()
	if !scheduled {
		t.Error("no tuning scheduled after the later loads")
	}
	if gc := debug.SetGCPercent(100); gc != gcPercent {
		t.Errorf("GC percent %d after the load, want %d", gc, gcPercent)
	}
	keep[0] = 1
}
