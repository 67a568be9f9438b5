package search

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/registry"
)

// Errors of the Index.
var (
	// ErrNotReady: the first build of the index has not finished (within
	// Options.ReadyWait); the reader should try again in a few seconds.
	ErrNotReady = errors.New("search index is being built")
	// ErrClosed: the index was closed.
	ErrClosed = errors.New("search index closed")
)

// Options configure an Index. The zero value is an in-memory index.
type Options struct {
	// Dir, if not empty, is the folder of a persisted index (for example
	// "state/search"), created 0700 if missing. The index lives in Dir's
	// "index" subfolder, which is deleted and rebuilt whenever it cannot
	// be opened or was built by another version of this package; nothing
	// else in Dir is touched. Empty keeps the index in memory, which suits
	// tests and small capsules only: bleve does not merge the segments of
	// an in-memory index (each Sync batch and each Upsert adds one, and
	// searches slow down with their number; see Stats), and the whole
	// index is Go heap.
	Dir string
	// BatchSize is how many changed articles Sync hands bleve at once; 0
	// means 200.
	BatchSize int
	// Parallel is how many batches bleve may index at once while Sync
	// prepares the next; 0 means 1. Once a batch is analysed, bleve
	// builds its segment on one core, so 2 keeps a second core busy: on
	// two cores it took the first build of 10,000 generated articles from
	// 34-39 s to 23-28 s, but the peak of the Go heap from about 190 to
	// 400 MB. Larger batches trade the same way, less well.
	Parallel int
	// ReadyWait is how long a search made before the first build has
	// finished waits for it before failing with ErrNotReady: 0 means 2
	// seconds, a negative value not at all.
	ReadyWait time.Duration
	// Searches is how many searches run at once; others wait their turn,
	// first come first served. 0 means GOMAXPROCS: a search is CPU work,
	// and queueing the rest beats slicing the cores between them: with 8
	// concurrent clients on 2 cores and the generated 10,000-article
	// capsule, the 99th percentile of latency fell from 209-225 ms to
	// 27-63 ms (median of three runs 34 ms), the median rose from 4-6 to
	// 13-24 ms, and the throughput grew by about half.
	Searches int
	// Logger receives one line per Sync (at debug level when nothing
	// changed) and the reasons for rebuilding a persisted index; nil
	// discards them.
	Logger *slog.Logger
}

// Index is a full-text index of articles. It is safe for concurrent use:
// searches run in parallel (up to Options.Searches) with each other and
// with updates, which are applied one at a time, in the order they are
// called.
type Index struct {
	opts   Options
	unlock io.Closer // the lock on Dir, nil in memory
	// analyzers and pairAnalyzers are the analyses by key, to analyse
	// queries.
	analyzers, pairAnalyzers map[string]analysis.Analyzer

	wmu sync.Mutex // serialises updates (Sync, Upsert, Delete, Close)

	mu     sync.RWMutex // guards what follows
	bi     bleve.Index  // nil once closed
	meta   map[string]entry
	metaV  uint64         // the version of meta, counted up on each change
	langs  map[string]int // articles per analysis key
	closed bool

	docs docCache // for newestHits

	use       sync.RWMutex  // held by searches, to make Close wait for them
	turns     chan struct{} // one token per running search
	ready     chan struct{} // closed once the index is complete
	readyOnce sync.Once
	closing   chan struct{} // closed by Close, to stop a running Sync
}

// Internal keys of a persisted index.
var (
	schemaKey = []byte("broadside_schema")
	builtKey  = []byte("broadside_built") // set after the first complete Sync
)

// Open opens the index described by opts. An in-memory index, or a
// persisted one that was never completely built, is empty and not ready
// until the first Sync finishes; a persisted index that was built before
// is ready at once with what it held when it was closed (call Sync to
// catch up with changes made since). Open fails only when Dir cannot be
// created or locked (another process uses it).
func Open(opts Options) (*Index, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 200
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 1
	}
	if opts.Searches <= 0 {
		opts.Searches = runtime.GOMAXPROCS(0)
	}
	if opts.ReadyWait == 0 {
		opts.ReadyWait = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ix := &Index{
		opts:          opts,
		analyzers:     make(map[string]analysis.Analyzer, len(languages)),
		pairAnalyzers: make(map[string]analysis.Analyzer, len(languages)),
		meta:          make(map[string]entry),
		langs:         make(map[string]int),
		ready:         make(chan struct{}),
		closing:       make(chan struct{}),
		turns:         make(chan struct{}, opts.Searches),
	}
	cache := registry.NewCache()
	for _, l := range languages {
		a, err := cache.AnalyzerNamed(analyzerName(l.key))
		if err != nil {
			return nil, fmt.Errorf("search: analyzer %s: %w", l.key, err)
		}
		ix.analyzers[l.key] = a
		if a, err = cache.AnalyzerNamed(pairAnalyzerName(l.key)); err != nil {
			return nil, fmt.Errorf("search: analyzer %s: %w", l.key, err)
		}
		ix.pairAnalyzers[l.key] = a
	}
	if opts.Dir == "" {
		bi, err := bleve.NewUsing("", newMapping(), scorch.Name, scorch.Name, nil)
		if err != nil {
			return nil, fmt.Errorf("search: creating index in memory: %w", err)
		}
		ix.bi = bi
		return ix, nil
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	unlock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	ix.unlock = unlock
	if err := ix.openDir(); err != nil {
		unlock.Close()
		return nil, err
	}
	return ix, nil
}

// openDir opens the persisted index, or creates it afresh when it is
// missing, unreadable or of another schema.
func (ix *Index) openDir() error {
	path := filepath.Join(ix.opts.Dir, "index")
	log := ix.opts.Logger.With("dir", path)
	bi, err := bleve.Open(path)
	if err != nil {
		bi = nil // bleve returns a typed nil pointer with its errors
	}
	switch {
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		log.Info("creating search index")
	case err != nil:
		log.Warn("search index unreadable; rebuilding it", "err", err)
	default:
		if v, err := bi.GetInternal(schemaKey); err != nil || string(v) != schema {
			log.Info("search index from another version; rebuilding it", "schema", string(v), "want", schema)
			bi.Close()
			bi = nil
		} else if err := ix.loadMeta(bi); err != nil {
			log.Warn("search index unreadable; rebuilding it", "err", err)
			bi.Close()
			bi = nil
		}
	}
	if bi != nil {
		ix.bi = bi
		if v, err := bi.GetInternal(builtKey); err == nil && v != nil {
			ix.markReady()
		}
		log.Info("search index opened", "articles", len(ix.meta), "ready", ix.isReady())
		return nil
	}
	clear(ix.meta)
	clear(ix.langs)
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("search: removing old index: %w", err)
	}
	bi, err = bleve.NewUsing(path, newMapping(), scorch.Name, scorch.Name, storeConfig())
	if err != nil {
		return fmt.Errorf("search: creating index: %w", err)
	}
	if err := bi.SetInternal(schemaKey, []byte(schema)); err != nil {
		bi.Close()
		return fmt.Errorf("search: creating index: %w", err)
	}
	ix.bi = bi
	return nil
}

// maxSegmentDocs caps the articles bleve merges into one segment of a
// persisted index. Merging large segments is what takes the most memory
// while building: on the generated 100,000-article capsule the cap took
// the peak of the Go heap from about 360 to 250 MB, for 7% more files.
const maxSegmentDocs = 20_000

// storeConfig returns bleve's settings for a new persisted index (bleve
// keeps them with it).
func storeConfig() map[string]any {
	return map[string]any{"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": maxSegmentDocs}}
}

// loadMeta reads every article's entry from the index's doc values.
func (ix *Index) loadMeta(bi bleve.Index) error {
	adv, err := bi.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return err
	}
	defer ids.Close()
	dv, err := r.DocValueReader([]string{pathField, fpField, langField, dateField})
	if err != nil {
		return err
	}
	for {
		id, err := ids.Next()
		if err != nil {
			return err
		}
		if id == nil {
			return nil
		}
		var path string
		var e entry
		var bad error
		err = dv.VisitDocValues(id, func(field string, term []byte) {
			switch field {
			case pathField:
				path = string(term)
			case fpField:
				var err error
				e.fp, err = strconv.ParseUint(string(term), 16, 64)
				bad = errors.Join(bad, err)
			case langField:
				if l, ok := languageByKey[string(term)]; ok {
					e.lang = l.key
				}
			case dateField:
				var err error
				e.date, err = decodeDate(term)
				bad = errors.Join(bad, err)
			}
		})
		if err != nil {
			return err
		}
		if bad != nil || path == "" || e.lang == "" {
			return fmt.Errorf("article %q without usable doc values", path)
		}
		ix.meta[path] = e
		ix.metaV++
		ix.langs[e.lang]++
	}
}

// markReady records that the index is complete.
func (ix *Index) markReady() {
	ix.readyOnce.Do(func() { close(ix.ready) })
}

// isReady reports whether the index is complete.
func (ix *Index) isReady() bool {
	select {
	case <-ix.ready:
		return true
	default:
		return false
	}
}

// Ready returns a channel closed once the index has been completely built
// (or opened complete from Dir).
func (ix *Index) Ready() <-chan struct{} { return ix.ready }

// SyncStats says what a Sync did.
type SyncStats struct {
	Indexed   int // articles new or changed, indexed again
	Unchanged int // articles whose fingerprint matched
	Deleted   int // articles no longer in the list, removed
	Skipped   int // Docs without a Path, ignored
}

// Sync makes the index hold exactly the articles of docs: it indexes
// those that are new or changed (by fingerprint), in batches, and removes
// those it holds that docs does not list. The first Sync to finish makes
// the index ready; each batch is searchable as soon as it is indexed.
//
// Run it in the background at start-up and after every reload of the
// capsule. Syncs and other updates take turns; to make a newer list win
// quickly, cancel ctx of the running Sync and start another: what was
// indexed is kept, and the new Sync skips it. A cancelled Sync deletes
// nothing. Sync stops early with ErrClosed if the index is closed.
func (ix *Index) Sync(ctx context.Context, docs iter.Seq[Doc]) (SyncStats, error) {
	start := time.Now()
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	var st SyncStats
	bi, err := ix.writable()
	if err != nil {
		return st, err
	}
	seen := make(map[string]bool, len(ix.meta))
	b := ix.newBatcher(bi)
	for d := range docs {
		if err := ix.stopped(ctx); err != nil {
			// Keep what was prepared: the next Sync skips it.
			return st, errors.Join(err, b.flush(), b.wait())
		}
		if d.Path == "" {
			st.Skipped++
			continue
		}
		if seen[d.Path] {
			// Listed twice: the later one wins, so the earlier must
			// not still be on its way in.
			if err := b.flush(); err != nil {
				return st, err
			}
			if err := b.wait(); err != nil {
				return st, err
			}
		}
		seen[d.Path] = true
		e := entryOf(&d)
		ix.mu.RLock()
		old, ok := ix.meta[d.Path]
		ix.mu.RUnlock()
		if ok && old == e {
			st.Unchanged++
			continue
		}
		if err := b.add(prepare(&d, e)); err != nil {
			return st, errors.Join(err, b.wait())
		}
		st.Indexed++
	}
	if err := b.flush(); err != nil {
		return st, errors.Join(err, b.wait())
	}
	if err := b.wait(); err != nil {
		return st, err
	}
	if err := ix.stopped(ctx); err != nil {
		return st, err
	}
	var gone []string
	ix.mu.RLock()
	for path := range ix.meta {
		if !seen[path] {
			gone = append(gone, path)
		}
	}
	ix.mu.RUnlock()
	for _, path := range gone {
		if err := b.add(prepared{path: path}); err != nil {
			return st, errors.Join(err, b.wait())
		}
		st.Deleted++
	}
	if err := b.flush(); err != nil {
		return st, errors.Join(err, b.wait())
	}
	if err := b.wait(); err != nil {
		return st, err
	}
	if !ix.isReady() && ix.opts.Dir != "" {
		if err := bi.SetInternal(builtKey, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
			return st, fmt.Errorf("search: %w", err)
		}
	}
	ix.markReady()
	level := slog.LevelInfo
	if st.Indexed == 0 && st.Deleted == 0 {
		level = slog.LevelDebug // after most reloads
	}
	ix.opts.Logger.Log(ctx, level, "search index synced", "indexed", st.Indexed, "unchanged", st.Unchanged,
		"deleted", st.Deleted, "skipped", st.Skipped, "duration", time.Since(start).Round(time.Millisecond))
	return st, nil
}

// batcher groups a Sync's changes into batches and hands them to bleve in
// the background, at most Options.Parallel at a time, while Sync prepares
// the next.
type batcher struct {
	ix      *Index
	bi      bleve.Index
	batch   *bleve.Batch
	pending []prepared
	slots   chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
}

func (ix *Index) newBatcher(bi bleve.Index) *batcher {
	return &batcher{ix: ix, bi: bi, batch: bi.NewBatch(), slots: make(chan struct{}, ix.opts.Parallel)}
}

// add adds an article to index (or, with no document, to delete) to the
// current batch, sending the batch on when it is full.
func (b *batcher) add(p prepared) error {
	if p.doc == nil {
		b.batch.Delete(p.path)
	} else if err := b.batch.Index(p.path, p.doc); err != nil {
		return fmt.Errorf("search: indexing %s: %w", p.path, err)
	}
	b.pending = append(b.pending, p)
	if b.batch.Size() >= b.ix.opts.BatchSize {
		return b.flush()
	}
	return nil
}

// flush sends the current batch to bleve, waiting for a slot, and reports
// the first error of any batch so far.
func (b *batcher) flush() error {
	if b.batch.Size() > 0 {
		batch, pending := b.batch, b.pending
		b.batch, b.pending = b.bi.NewBatch(), nil
		b.slots <- struct{}{}
		b.wg.Go(func() {
			defer func() { <-b.slots }()
			if err := b.bi.Batch(batch); err != nil {
				b.mu.Lock()
				b.err = errors.Join(b.err, fmt.Errorf("search: indexing: %w", err))
				b.mu.Unlock()
				return
			}
			b.ix.apply(pending)
		})
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// wait waits for the batches sent and returns their errors.
func (b *batcher) wait() error {
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// stopped returns why a Sync must stop, if it must.
func (ix *Index) stopped(ctx context.Context) error {
	select {
	case <-ix.closing:
		return ErrClosed
	default:
	}
	return ctx.Err()
}

// writable returns the bleve index for an update, or ErrClosed.
func (ix *Index) writable() (bleve.Index, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, ErrClosed
	}
	return ix.bi, nil
}

// apply records indexed articles (and deletions: an empty entry) in meta.
func (ix *Index) apply(ps []prepared) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.metaV++
	for _, p := range ps {
		if old, ok := ix.meta[p.path]; ok {
			ix.langs[old.lang]--
			if ix.langs[old.lang] == 0 {
				delete(ix.langs, old.lang)
			}
		}
		if p.doc == nil {
			delete(ix.meta, p.path)
			continue
		}
		ix.meta[p.path] = p.entry
		ix.langs[p.entry.lang]++
	}
}

// Upsert indexes one article, new or changed; it is searchable when
// Upsert returns. An unchanged article (same fingerprint) costs nothing.
func (ix *Index) Upsert(d Doc) error {
	if d.Path == "" {
		return errors.New("search: article without a path")
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	bi, err := ix.writable()
	if err != nil {
		return err
	}
	e := entryOf(&d)
	ix.mu.RLock()
	old, ok := ix.meta[d.Path]
	ix.mu.RUnlock()
	if ok && old == e {
		return nil
	}
	p := prepare(&d, e)
	if err := bi.Index(p.path, p.doc); err != nil {
		return fmt.Errorf("search: indexing %s: %w", d.Path, err)
	}
	ix.apply([]prepared{p})
	return nil
}

// Delete removes the article at path, if the index holds it.
func (ix *Index) Delete(path string) error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	bi, err := ix.writable()
	if err != nil {
		return err
	}
	ix.mu.RLock()
	_, ok := ix.meta[path]
	ix.mu.RUnlock()
	if !ok {
		return nil
	}
	if err := bi.Delete(path); err != nil {
		return fmt.Errorf("search: deleting %s: %w", path, err)
	}
	ix.apply([]prepared{{path: path}})
	return nil
}

// Len returns the number of articles in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.meta)
}

// Stats describes an index, for logs and measurements.
type Stats struct {
	Articles int
	// Segments is the number of bleve segments searches go through: the
	// in-memory index never merges them, a persisted one merges them in
	// the background.
	Segments int
	// DiskBytes is the size of a persisted index's files.
	DiskBytes uint64
}

// Stats returns the index's current figures.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := Stats{Articles: len(ix.meta)}
	if ix.bi == nil {
		return st
	}
	m := ix.bi.StatsMap()
	if is, ok := m["index"].(map[string]any); ok {
		u := func(k string) uint64 { v, _ := is[k].(uint64); return v }
		st.Segments = int(u("num_root_memorysegments") + u("num_root_filesegments"))
		st.DiskBytes = u("num_bytes_used_disk")
	}
	return st
}

// Close stops a running Sync, waits for updates in progress and closes
// the index; a persisted one is flushed to disk. Searches after Close fail
// with ErrClosed. Close is idempotent.
func (ix *Index) Close() error {
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return nil
	}
	close(ix.closing)
	ix.mu.Unlock()
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	bi := ix.bi
	ix.closed, ix.bi = true, nil
	ix.mu.Unlock()
	ix.use.Lock() // wait for the searches running
	err := bi.Close()
	ix.use.Unlock()
	if ix.unlock != nil {
		err = errors.Join(err, ix.unlock.Close())
	}
	if err != nil {
		return fmt.Errorf("search: closing: %w", err)
	}
	return nil
}
