package search

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The benchmarks build an index of a generated capsule of benchN articles
// (10,000, or SEARCH_BENCH_N) of 8 KB, in benchLangs, and report what the
// issue's targets are about: build time, Go heap and RSS after the build,
// and query latency percentiles with 8 concurrent clients. Plain "go test"
// does not run them; for clean memory figures run one at a time, e.g.
//
//	go test -run '^$' -bench 'Build/memory' -benchtime 1x ./internal/search/
//	SEARCH_BENCH_N=100000 go test -run '^$' -bench 'Build/disk' -benchtime 1x -timeout 1h ./internal/search/
//	go test -run '^$' -bench 'Query$/disk' -benchtime 2000x ./internal/search/
//	go test -run '^$' -bench 'QueryCost/disk' -benchtime 100x ./internal/search/
//	go test -run '^$' -bench 'Reopen' -benchtime 5x ./internal/search/
//
// SEARCH_BENCH_BATCH and SEARCH_BENCH_PARALLEL set Options.BatchSize and
// Options.Parallel for BenchmarkBuild.

var benchLangs = []string{"en", "en", "en", "fr", "de", "es", "ru"}

func benchN(b *testing.B) int {
	if s := os.Getenv("SEARCH_BENCH_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("SEARCH_BENCH_N=%q", s)
		}
		return n
	}
	return 10_000
}

// benchBatch returns SEARCH_BENCH_BATCH, or 0 (the default batch size).
func benchBatch(*testing.B) int {
	n, _ := strconv.Atoi(os.Getenv("SEARCH_BENCH_BATCH"))
	return n
}

// benchParallel returns SEARCH_BENCH_PARALLEL, or 0 (the default).
func benchParallel(*testing.B) int {
	n, _ := strconv.Atoi(os.Getenv("SEARCH_BENCH_PARALLEL"))
	return n
}

// docsFor returns the generated capsule.
func docsFor(b *testing.B) iter.Seq[Doc] {
	return generated(b, benchN(b), 8000, benchLangs)
}

// BenchmarkBuild measures a first Sync of the generated capsule into a new
// index. The articles are made as Sync reads them (so that they take no
// memory of their own), which costs time too: that cost is measured first,
// alone, and taken out of the figures: build-s (wall clock) and
// build-cpu-s (CPU time, which depends less on what else the machine
// runs). heapMB and rssMB are what the index adds to the process once
// built; files-MB is the size of a persisted index.
func BenchmarkBuild(b *testing.B) {
	for _, mode := range []string{"memory", "disk"} {
		b.Run(mode, func(b *testing.B) {
			docs := docsFor(b)
			cpu0, wall0 := cpuTime(), time.Now()
			for range docs {
			}
			genCPU, genWall := cpuTime()-cpu0, time.Since(wall0)
			for b.Loop() {
				opts := Options{BatchSize: benchBatch(b), Parallel: benchParallel(b)}
				if mode == "disk" {
					opts.Dir = b.TempDir()
				}
				debug.FreeOSMemory()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				rss0 := rss()
				ix, err := Open(opts)
				if err != nil {
					b.Fatal(err)
				}
				cpu0, wall0 := cpuTime(), time.Now()
				stop := peakHeap()
				if _, err := ix.Sync(context.Background(), docs); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(int64(stop())-int64(before.HeapAlloc))/(1<<20), "peak-heapMB")
				b.ReportMetric((time.Since(wall0) - genWall).Seconds(), "build-s")
				b.ReportMetric((cpuTime() - cpu0 - genCPU).Seconds(), "build-cpu-s")
				debug.FreeOSMemory()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heapMB")
				b.ReportMetric(float64(rss()-rss0)/(1<<20), "rssMB")
				b.ReportMetric(float64(ix.Stats().DiskBytes)/(1<<20), "files-MB")
				if err := ix.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// peakHeap samples the live heap every 20 ms until the function it
// returns is called, which returns the largest value seen.
func peakHeap() func() uint64 {
	done := make(chan uint64)
	stop := make(chan struct{})
	go func() {
		var peak uint64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}

// cpuTime returns the CPU time the process used so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss returns the resident set size of the process, 0 if unknown.
func rss() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// benchQueries is the mix of the latency benchmark: common words (in
// nearly every article), rare made-up words (in a handful), phrases, tag
// filters alone and with words, and exclusions.
var benchQueries = []string{
	"press", "censorship archive", "mirror network reader",
	madeUpWord(5000), madeUpWord(20000) + " " + madeUpWord(50000), madeUpWord(90000),
	`"press freedom"`, `"court ruling" parliament`,
	"tag:bulletin", "tag:censorship election", `tag:"Small Web" -radio`,
	"journalist -source", madeUpWord(300) + " press",
}

// benchIndex returns an index of the generated capsule in mode "memory"
// or "disk", built once per process.
func benchIndex(b *testing.B, mode string) *Index {
	benchIndexes.Lock()
	defer benchIndexes.Unlock()
	if ix := benchIndexes.m[mode]; ix != nil {
		return ix
	}
	docs := docsFor(b)
	opts := Options{}
	if mode == "disk" {
		dir, err := os.MkdirTemp("", "search-bench-")
		if err != nil {
			b.Fatal(err)
		}
		opts.Dir = dir
		benchIndexes.dirs = append(benchIndexes.dirs, dir)
	}
	ix, err := Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), docs); err != nil {
		b.Fatal(err)
	}
	settle(b, ix)
	b.Logf("%s: %+v", mode, ix.Stats())
	if benchIndexes.m == nil {
		benchIndexes.m = make(map[string]*Index)
	}
	benchIndexes.m[mode] = ix
	return ix
}

// settle waits (at most a minute) for a persisted index to finish merging
// and writing segments in the background, which would otherwise compete
// with what is measured next.
func settle(b *testing.B, ix *Index) {
	for range 600 {
		is, _ := ix.bi.StatsMap()["index"].(map[string]any)
		if active, ok := is["index_bgthreads_active"].(bool); !ok || !active {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Log("index still merging after a minute")
}

var benchIndexes struct {
	sync.Mutex
	m    map[string]*Index
	dirs []string
}

// TestMain removes the indexes the benchmarks built.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, ix := range benchIndexes.m {
		ix.Close()
	}
	for _, dir := range benchIndexes.dirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// BenchmarkReopen measures how long a restart takes to open the persisted
// index of the generated capsule (reading every article's entry) and a
// Sync that finds nothing changed (hashing every body, since the
// generated articles have no Fingerprint).
func BenchmarkReopen(b *testing.B) {
	ix := benchIndex(b, "disk")
	dir := ix.opts.Dir
	docs := slices.Collect(docsFor(b))
	var openTime, syncTime time.Duration
	for b.Loop() {
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		var err error
		if ix, err = Open(Options{Dir: dir}); err != nil {
			b.Fatal(err)
		}
		openTime += time.Since(start)
		start = time.Now()
		st, err := ix.Sync(context.Background(), slices.Values(docs))
		if err != nil || st.Unchanged != benchN(b) {
			b.Fatalf("%+v, %v", st, err)
		}
		syncTime += time.Since(start)
	}
	benchIndexes.Lock()
	benchIndexes.m["disk"] = ix
	benchIndexes.Unlock()
	b.ReportMetric(openTime.Seconds()/float64(b.N), "open-s")
	b.ReportMetric(syncTime.Seconds()/float64(b.N), "sync-unchanged-s")
}

// BenchmarkQueryCost runs each query of the mix alone, one at a time, and
// reports the CPU time it takes: unlike latency, it hardly depends on what
// else the machine is doing.
func BenchmarkQueryCost(b *testing.B) {
	for _, mode := range []string{"memory", "disk"} {
		for _, s := range benchQueries {
			b.Run(mode+"/"+s, func(b *testing.B) {
				ix := benchIndex(b, mode)
				q, err := Parse(s)
				if err != nil {
					b.Fatal(err)
				}
				cpu0 := cpuTime()
				for b.Loop() {
					if _, err := ix.Search(context.Background(), q, 1, 10); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// BenchmarkQuery runs the query mix with 1 and with 8 concurrent clients
// (each client a goroutine asking one query after another, pages 1 to 3)
// and reports latency percentiles; the 1-client run is the baseline of
// the same run.
func BenchmarkQuery(b *testing.B) {
	queries := make([]Query, len(benchQueries))
	for i, s := range benchQueries {
		var err error
		if queries[i], err = Parse(s); err != nil {
			b.Fatal(err)
		}
	}
	for _, mode := range []string{"memory", "disk"} {
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", mode, clients), func(b *testing.B) {
				ix := benchIndex(b, mode)
				lat := make([][]time.Duration, clients)
				var wg sync.WaitGroup
				b.ResetTimer()
				for c := range clients {
					wg.Go(func() {
						for i := c; i < b.N; i += clients {
							start := time.Now()
							_, err := ix.Search(context.Background(), queries[i%len(queries)], 1+i/len(queries)%3, 10)
							if err != nil && !errors.Is(err, ErrPage) {
								b.Error(err)
								return
							}
							lat[c] = append(lat[c], time.Since(start))
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				all := slices.Concat(lat...)
				slices.Sort(all)
				if len(all) > 0 {
					b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
				}
			})
		}
	}
}
