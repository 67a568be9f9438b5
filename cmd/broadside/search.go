package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/search"
	"broadside/internal/site"
)

// fastBuildLimit is the archive size up to which the first index build
// runs two batches at once: twice the memory for a third less time. Past
// it, memory matters more than minutes.
const fastBuildLimit = 20000

// searcher keeps the search index in step with the published site and
// answers the site's searches. The index opens in the background after the
// first load, so the capsule is served before it is ready; until then a
// search is told the index is being built.
type searcher struct {
	dir    string // "" keeps the index in memory (preview)
	logger *slog.Logger

	mu     sync.Mutex
	ix     *search.Index // nil until opened
	cancel context.CancelFunc
	done   chan struct{} // closed when the running sync ends
	closed bool
	opened chan struct{}
}

// newSearcher returns a searcher keeping its index under state/search, or
// in memory when state is "".
func newSearcher(state string, logger *slog.Logger) *searcher {
	dir := ""
	if state != "" {
		dir = filepath.Join(state, "search")
	}
	return &searcher{dir: dir, logger: logger, opened: make(chan struct{})}
}

// Search implements site.Searcher.
func (s *searcher) Search(ctx context.Context, q string, page, perPage int) (*site.SearchResults, error) {
	query, err := search.Parse(q)
	if err != nil {
		return nil, queryError(err)
	}
	s.mu.Lock()
	ix := s.ix
	s.mu.Unlock()
	if ix == nil {
		return nil, site.ErrSearchNotReady
	}
	res, err := ix.Search(ctx, query, page, perPage)
	switch {
	case errors.Is(err, search.ErrNotReady):
		return nil, site.ErrSearchNotReady
	case errors.Is(err, search.ErrPage):
		return nil, site.ErrNoSuchPage
	case err != nil:
		if qe := queryError(err); qe != err {
			return nil, qe
		}
		return nil, err
	}
	out := &site.SearchResults{Total: res.Total, Page: res.Page, Pages: res.Pages}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, site.SearchHit{Path: h.Path, Title: h.Title, Date: h.Date, Snippet: h.Snippet})
	}
	return out, nil
}

// queryError turns the index's complaints about a query into what the
// site tells a reader; other errors pass through.
func queryError(err error) error {
	switch {
	case errors.Is(err, search.ErrTooLong), errors.Is(err, search.ErrTooManyTerms):
		return &site.QueryError{Problem: site.QueryTooLong}
	case errors.Is(err, search.ErrOnlyExcluded):
		return &site.QueryError{Problem: site.QueryOnlyExcluded}
	case errors.Is(err, search.ErrEmpty), errors.Is(err, search.ErrNoWords):
		return &site.QueryError{Problem: site.QueryNoWords}
	}
	return err
}

// loaded brings the index in step with a new site: the sync of the
// previous site, if still running, is cancelled (what it indexed is kept)
// and one for this site starts in the background. The first call opens
// the index.
func (s *searcher) loaded(st *site.Site) {
	docs := searchDocs(st)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.cancel != nil {
		s.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	prev, done := s.done, make(chan struct{})
	s.cancel, s.done = cancel, done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		ix, err := s.open(len(docs))
		if err != nil {
			s.logger.Error("search index unavailable", "dir", s.dir, "err", err)
			return
		}
		start := time.Now()
		stats, err := ix.Sync(ctx, func(yield func(search.Doc) bool) {
			for _, d := range docs {
				if !yield(d) {
					return
				}
			}
		})
		switch {
		case errors.Is(err, context.Canceled):
		case err != nil:
			s.logger.Error("search index update failed", "err", err)
		default:
			s.logger.Info("search index updated", "articles", ix.Len(), "indexed", stats.Indexed,
				"removed", stats.Deleted, "duration", time.Since(start).Round(time.Millisecond))
		}
	}()
}

// open opens the index on first use; articles is the archive's size, to
// choose how fast the first build may go.
func (s *searcher) open(articles int) (*search.Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ix != nil {
		return s.ix, nil
	}
	if s.closed {
		return nil, search.ErrClosed
	}
	if s.dir != "" {
		if err := os.MkdirAll(filepath.Dir(s.dir), 0o700); err != nil {
			return nil, fmt.Errorf("state folder: %w", err)
		}
	}
	parallel := 1
	if articles <= fastBuildLimit {
		parallel = 2
	}
	ix, err := search.Open(search.Options{Dir: s.dir, Logger: s.logger, Parallel: parallel})
	if err != nil {
		return nil, err
	}
	s.ix = ix
	close(s.opened)
	return ix, nil
}

// Close stops the running sync and closes the index.
func (s *searcher) Close() error {
	s.mu.Lock()
	s.closed = true
	if s.cancel != nil {
		s.cancel()
	}
	done, ix := s.done, s.ix
	s.mu.Unlock()
	if ix != nil {
		// Closing ends a sync that is stuck in a batch; then wait for it.
		err := ix.Close()
		if done != nil {
			<-done
		}
		return err
	}
	if done != nil {
		<-done
	}
	return nil
}

// searchDocs lists the site's published articles for the index: what
// readers can find is what they can read. Bodies are read only for the
// articles the index does not hold as they are (see search.Doc.LoadBody).
//
// An article without a lang of its own is in the site's language, as its
// page says: it is stemmed as such, and the language is part of its
// fingerprint, so that changing the site's lang analyses it again.
func searchDocs(st *site.Site) []search.Doc {
	docs := make([]search.Doc, 0, len(st.Articles))
	siteLang := st.Options().Lang
	for _, d := range st.Articles {
		if !d.Visible(st.Built) {
			continue // listed in preview only
		}
		lang := cmp.Or(d.Lang, siteLang)
		doc := search.Doc{
			Path: d.Path, Title: d.Title, Date: d.Date, Updated: d.Updated, Lang: lang, Summary: d.Summary,
			Fingerprint: fmt.Sprintf("%d/%d/%s", d.Size, d.ModTime.UnixNano(), lang),
			LoadBody:    bodyOf(st, d),
		}
		for _, t := range d.Tags {
			doc.Tags = append(doc.Tags, search.Tag{Slug: t.Slug, Name: t.Name})
		}
		docs = append(docs, doc)
	}
	return docs
}

// bodyOf gives an article's gemtext body to the index.
// It reads the file when the page cache does not hold the body, and does
// not keep it there: indexing the archive must not push out the pages
// readers ask for.
func bodyOf(st *site.Site, d *capsule.Doc) func() ([]byte, error) {
	return func() ([]byte, error) {
		b, err := st.Body(d)
		if err != nil {
			return nil, err
		}
		return b.Gemtext, nil
	}
}
