package main

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"
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
	tuner.loaded()
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 || limit < minHeadroom+int64(len(keep)) {
		t.Errorf("memory limit %d, want live heap plus at least %d", limit, minHeadroom)
	}
	if gc := debug.SetGCPercent(100); gc != 100 {
		t.Errorf("GC percent left at %d after the load", gc)
	}
	keep[0] = 1
}
