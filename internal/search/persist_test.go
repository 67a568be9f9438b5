package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// openDir opens the persisted index in dir, closed when the test ends.
func openDir(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(Options{Dir: dir, ReadyWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func isReady(ix *Index) bool {
	select {
	case <-ix.Ready():
		return true
	default:
		return false
	}
}

func syncDocs(t *testing.T, ix *Index, docs ...Doc) SyncStats {
	t.Helper()
	st, err := ix.Sync(context.Background(), slices.Values(docs))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func persistDocs() []Doc {
	return []Doc{
		article("a", "en", "Mirrors", day(1), "The mirrors held."),
		article("b", "fr", "Miroirs", day(2), "Les miroirs ont tenu pendant la grève."),
		article("c", "de", "Spiegel", day(3), "Die Spiegel hielten."),
	}
}

func TestPersistAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	ix := openDir(t, dir)
	if isReady(ix) {
		t.Error("a new index is ready before its first Sync")
	}
	docs := persistDocs()
	if st := syncDocs(t, ix, docs...); st.Indexed != 3 {
		t.Errorf("first Sync: %+v", st)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if meta, err := os.ReadFile(filepath.Join(dir, "index", "index_meta.json")); err != nil || !strings.Contains(string(meta), `"MaxSegmentSize":20000`) {
		t.Errorf("bleve settings not kept with the index: %s, %v", meta, err)
	}

	ix = openDir(t, dir)
	if !isReady(ix) {
		t.Error("a built index is not ready when reopened")
	}
	if ix.Len() != 3 {
		t.Errorf("reopened with %d articles", ix.Len())
	}
	if got := found(t, ix, "greve"); !slices.Equal(got, []string{"/b.gmi"}) {
		t.Errorf("greve after reopening: %v", got)
	}
	// Dates and languages come back from the index itself.
	ix.mu.RLock()
	e := ix.meta["/c.gmi"]
	ix.mu.RUnlock()
	if e.date != day(3).Unix() || e.lang != "de" {
		t.Errorf("entry after reopening: %+v", e)
	}
	if h := search(t, ix, "lang:de").Hits; len(h) != 1 || !h[0].Date.Equal(day(3)) || h[0].Title != "Spiegel" {
		t.Errorf("lang:de after reopening: %+v", h)
	}
	// The capsule changed while the server was down.
	docs[0].Body = []byte("The mirrors fell.\n")
	docs = docs[:2]
	if st := syncDocs(t, ix, docs...); st != (SyncStats{Indexed: 1, Unchanged: 1, Deleted: 1}) {
		t.Errorf("catching up: %+v", st)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = openDir(t, dir)
	if got := found(t, ix, "fell"); !slices.Equal(got, []string{"/a.gmi"}) {
		t.Errorf("edit lost across reopening: %v", got)
	}
	if got := found(t, ix, "spiegel"); len(got) != 0 {
		t.Errorf("deletion lost across reopening: %v", got)
	}
	if st := syncDocs(t, ix, docs...); st != (SyncStats{Unchanged: 2}) {
		t.Errorf("nothing changed: %+v", st)
	}
}

// TestPersistRebuild checks that an index that cannot be used is rebuilt
// from scratch, touching nothing else in its folder.
func TestPersistRebuild(t *testing.T) {
	breakages := []struct {
		name   string
		break_ func(t *testing.T, dir string)
	}{
		{"other schema", func(t *testing.T, dir string) {
			ix := openDir(t, dir)
			ix.mu.Lock()
			err := ix.bi.SetInternal(schemaKey, []byte("broadside-search/0"))
			ix.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage metadata", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "index", "index_meta.json"), "{not json")
		}},
		{"garbage root", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "index", "store", "root.bolt"), strings.Repeat("\x00garbage", 1000))
		}},
		{"truncated segments", func(t *testing.T, dir string) {
			segs, _ := filepath.Glob(filepath.Join(dir, "index", "store", "*.zap"))
			if len(segs) == 0 {
				t.Fatal("no segment files")
			}
			for _, s := range segs {
				if err := os.Truncate(s, 10); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"no store", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "index", "store")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, b := range breakages {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "keep.txt"), "not the index's")
			ix := openDir(t, dir)
			syncDocs(t, ix, persistDocs()...)
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
			b.break_(t, dir)

			ix = openDir(t, dir)
			if isReady(ix) || ix.Len() != 0 {
				t.Errorf("broken index reopened as is: ready %v, %d articles", isReady(ix), ix.Len())
			}
			if st := syncDocs(t, ix, persistDocs()...); st.Indexed != 3 {
				t.Errorf("rebuilding: %+v", st)
			}
			if got := found(t, ix, "miroir"); !slices.Equal(got, []string{"/b.gmi"}) {
				t.Errorf("after rebuilding: %v", got)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "keep.txt")); err != nil || string(b) != "not the index's" {
				t.Errorf("other file in the folder: %q, %v", b, err)
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPersistInterrupted checks that a first build cut short leaves an
// index that is not ready, and that the next Sync finishes the job.
func TestPersistInterrupted(t *testing.T) {
	dir := t.TempDir()
	ix := openDir(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	docs := persistDocs()
	_, err := ix.Sync(ctx, func(yield func(Doc) bool) {
		yield(docs[0])
		cancel()
		yield(docs[1])
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync: %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = openDir(t, dir)
	if isReady(ix) {
		t.Error("an index whose first build was cut short is ready")
	}
	if ix.Len() != 1 {
		t.Errorf("%d articles kept", ix.Len())
	}
	if st := syncDocs(t, ix, docs...); st != (SyncStats{Indexed: 2, Unchanged: 1}) {
		t.Errorf("finishing: %+v", st)
	}
	if !isReady(ix) {
		t.Error("not ready after a complete Sync")
	}
}

func TestPersistLocked(t *testing.T) {
	dir := t.TempDir()
	ix := openDir(t, dir)
	if second, err := Open(Options{Dir: dir}); err == nil {
		second.Close()
		t.Fatal("a second Open of the same folder succeeded")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Open: %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestPersistUnusableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	write(t, file, "x")
	if ix, err := Open(Options{Dir: filepath.Join(file, "search")}); err == nil {
		ix.Close()
		t.Error("Open under a file succeeded")
	}
}

// TestPersistMany checks a persisted index through enough batches for
// bleve to merge segments in the background.
func TestPersistMany(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(Options{Dir: dir, BatchSize: 10, ReadyWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	var docs []Doc
	for i := range 300 {
		docs = append(docs, article(fmt.Sprint(i), "en", "Article", day(1+i%28), fmt.Sprintf("Number %d of the series, about strikes.", i)))
	}
	syncDocs(t, ix, docs...)
	for i := range 20 {
		if err := ix.Upsert(article(fmt.Sprint(i), "en", "Article", day(1), "Rewritten.")); err != nil {
			t.Fatal(err)
		}
	}
	if got := search(t, ix, "strike").Total; got != 280 {
		t.Errorf("%d results, want 280", got)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = openDir(t, dir)
	if got := search(t, ix, "strike").Total; got != 280 {
		t.Errorf("reopened: %d results, want 280", got)
	}
	if got := search(t, ix, "rewritten").Total; got != 20 {
		t.Errorf("reopened: %d rewritten, want 20", got)
	}
}
