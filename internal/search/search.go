package search

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Bounds on pagination. Results past the first MaxResults are counted but
// cannot be paged to: nobody reads them, and collecting them costs time
// that grows with the page number.
const (
	// MaxResults is how many results can be paged through.
	MaxResults = 1000
	// MaxPageSize is the largest page Search returns.
	MaxPageSize = 100
)

// tieTolerance defines equally relevant results: going down the results
// in order of score, a hit whose score is within this fraction of the
// best score of its group joins the group; within a group, results go
// newest first. BM25 scores of one query rarely tie exactly (article
// lengths differ), but differences of a few per cent say nothing a reader
// would care about, while the date does.
const tieTolerance = 0.05

// fetchLimit bounds the hits collected to complete a group of equally
// relevant results that straddles the end of the page asked for.
const fetchLimit = 2 * MaxResults

// ErrPage: the page asked for is past the last page of results.
var ErrPage = errors.New("no such page of results")

// Results is one page of results.
type Results struct {
	Query Query
	// Total counts every matching article, including those past
	// MaxResults.
	Total int
	// Page is the page number, from 1; Pages the number of pages that can
	// be shown (0 when nothing matched); Size the page size.
	Page, Pages, Size int
	Hits              []Hit
}

// Hit is one result.
type Hit struct {
	Path  string
	Title string
	// Date is the article's publication date, in the zone it was given in.
	Date time.Time
	// Snippet is one line of plain text (no newline, no control character,
	// at most about 160 characters) around the best match in the article,
	// with "…" where it was cut, or the start of the article when the
	// match was in its title or tags. It is not escaped for gemtext.
	Snippet string
	// Score is the relevance, comparable only within one Results.
	Score float64
}

// Search returns page page (from 1) of the results for q, size results a
// page (0 means 10; at most MaxPageSize). Results are ranked by relevance,
// newest first among equally relevant ones (see tieTolerance), or newest
// first when q has only filters; the order is stable, so pages do not
// overlap. Search fails with ErrNotReady before the first build has
// finished, ErrNoWords when q has no word worth searching for, ErrPage
// past the last page, or ErrClosed.
func (ix *Index) Search(ctx context.Context, q Query, page, size int) (*Results, error) {
	if size <= 0 {
		size = 10
	}
	size = min(size, MaxPageSize)
	page = max(page, 1)
	if err := ix.waitReady(ctx); err != nil {
		return nil, err
	}
	// Wait for a turn (channel senders are served in order).
	select {
	case ix.turns <- struct{}{}:
		defer func() { <-ix.turns }()
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-ix.closing:
		return nil, ErrClosed
	}
	// Close waits for the searches that hold use, as bleve's own
	// searches would make it wait: a search reads a snapshot of the
	// index directly.
	ix.use.RLock()
	defer ix.use.RUnlock()
	ix.mu.RLock()
	bi, closed := ix.bi, ix.closed
	counts := maps.Clone(ix.langs)
	ix.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	// One snapshot for the whole search: the words' frequencies, the
	// matches and the stored fields of the hits.
	r, err := snapshot(bi)
	if err != nil {
		return nil, ix.searchErr(err)
	}
	defer r.Close()
	langs := slices.Sorted(maps.Keys(counts))
	p, err := ix.plan(q, langs, commonWords(ctx, r, counts))
	if err != nil {
		return nil, err
	}
	res := &Results{Query: q, Page: page, Size: size}
	from, to := (page-1)*size, page*size
	if from >= MaxResults {
		return nil, ErrPage
	}
	var order []ranked
	if p.scored {
		order, res.Total, err = ix.rankedHits(ctx, r, bi.Mapping(), p.query, to)
	} else {
		order, res.Total, err = ix.newestHits(ctx, r, bi.Mapping(), p.query, from, size)
		from, to = 0, size
	}
	if err != nil {
		return nil, err
	}
	res.Pages = (min(res.Total, MaxResults) + size - 1) / size
	if res.Total == 0 {
		return res, nil
	}
	if page > res.Pages {
		return nil, ErrPage
	}
	order = order[min(from, len(order)):min(to, len(order))]
	if res.Hits, err = ix.hits(r, order, p); err != nil {
		return nil, err
	}
	return res, nil
}

// commonWords returns the function plan asks which words are common, for
// the snapshot r with counts articles per language.
func commonWords(ctx context.Context, r index.IndexReader, counts map[string]int) func(l string, term []byte) (int, bool) {
	return func(l string, term []byte) (int, bool) {
		n := counts[l]
		if n < commonMin {
			return 0, false
		}
		tfr, err := r.TermFieldReader(ctx, term, bodyField+l, false, false, false)
		if err != nil {
			return 0, false
		}
		defer tfr.Close()
		df := int(tfr.Count())
		return df, float64(df) >= commonShare*float64(n)
	}
}

// waitReady waits for the first build, at most ReadyWait.
func (ix *Index) waitReady(ctx context.Context) error {
	if ix.isReady() {
		return nil
	}
	if ix.opts.ReadyWait < 0 {
		return ErrNotReady
	}
	t := time.NewTimer(ix.opts.ReadyWait)
	defer t.Stop()
	select {
	case <-ix.ready:
		return nil
	case <-ix.closing:
		return ErrClosed
	case <-t.C:
		return ErrNotReady
	case <-ctx.Done():
		return ctx.Err()
	}
}

// plan is a Query turned into a bleve query for the languages present.
type plan struct {
	query  query.Query
	scored bool // words or phrases to rank by; else only filters
	// terms has, per analysis key, the analysed terms of the query's
	// positive words and phrases, sorted, to find them for snippets.
	terms map[string][]string
}

// plan builds the bleve query for q. Words and phrases are analysed once
// per language present in the index; each language gets a branch that
// requires all of them (leaving out those that are stop words in that
// language) in the fields of that language, so that an article is matched
// and scored in its own language only. Exclusions apply in every language;
// tag and language filters narrow the results without changing scores.
//
// common, when not nil, tells how many articles of language l have a
// word in their text and whether that makes it common (see commonShare):
// the common words of a branch are required but not scored, as one
// unscored conjunction, except the rarest when all its words are common.
func (ix *Index) plan(q Query, langs []string, common func(l string, term []byte) (int, bool)) (*plan, error) {
	p := &plan{terms: make(map[string][]string)}
	if len(langs) == 0 {
		p.query = query.NewMatchNoneQuery() // an empty index
		return p, nil
	}
	var filters, exclude []query.Query
	positiveText := false
	branches := make(map[string][]clause)
	for _, t := range q.Terms {
		switch t.Kind {
		case TermTag, TermLang:
			var tq *query.TermQuery
			if t.Kind == TermTag {
				tq = query.NewTermQuery(tagKey(t.Text))
				tq.SetField(tagField)
			} else {
				tq = query.NewTermQuery(strings.ToLower(t.Text))
				tq.SetField(langTagField)
			}
			if t.Exclude {
				exclude = append(exclude, tq)
			} else {
				filters = append(filters, tq)
			}
			continue
		}
		positiveText = positiveText || !t.Exclude
		for _, l := range langs {
			tokens := ix.analyzers[l].Analyze([]byte(t.Text))
			if len(tokens) == 0 {
				continue // stop words only, in this language
			}
			var pairs analysis.TokenStream
			if multiPosition(tokens) {
				pairs = ix.pairAnalyzers[l].Analyze([]byte(t.Text))
			}
			c := textClause(l, tokens, pairs)
			if t.Exclude {
				exclude = append(exclude, c)
				continue
			}
			cl := clause{q: c}
			if common != nil && len(tokens) == 1 {
				cl.df, cl.common = common(l, tokens[0].Term)
			}
			branches[l] = append(branches[l], cl)
			for _, tok := range tokens {
				p.terms[l] = appendNew(p.terms[l], string(tok.Term))
			}
		}
	}
	// Every level of the query tree costs bleve time for each matching
	// article, so levels with one child are left out (see conjunction
	// and disjunction), and so is the boolean query when there is
	// nothing to exclude or filter: for a word in all 10,000 articles of
	// a generated one-language capsule, that took a search from 5.0 to
	// 3.6 ms of CPU.
	var must query.Query
	if len(branches) > 0 {
		var each []query.Query
		for _, l := range langs {
			if cs := branches[l]; len(cs) > 0 {
				each = append(each, branch(cs))
			}
		}
		must = disjunction(each)
		p.scored = true
	} else if positiveText && len(filters) == 0 {
		return nil, ErrNoWords
	}
	for _, ts := range p.terms {
		slices.Sort(ts)
	}
	switch {
	case len(filters) == 0:
	case p.scored:
		// Filters join the words as unscored conjuncts, not as a
		// bleve filter: a filter is asked about every article the
		// words match, each scored first, while a conjunction skips
		// ahead to the articles in both. "tag:budget witness", with
		// the tag on 3% of 10,000 articles and the word in all, went
		// from 3.0 to 1.0 ms.
		must = conjunction([]query.Query{must, unscored{conjunction(filters)}})
	default:
		// Unscored, filters can be the query itself: bleve runs a
		// filter alone over every article, a term query over the
		// articles that have the term.
		must = conjunction(filters)
	}
	if len(exclude) == 0 && must != nil {
		p.query = must
		return p, nil
	}
	bq := query.NewBooleanQuery(nil, nil, nil)
	bq.Must = must // not AddMust, which would wrap it in a conjunction
	if len(exclude) > 0 {
		bq.MustNot = unscored{disjunction(exclude)}
	}
	p.query = bq
	return p, nil
}

// clause is a word or phrase of a query in one language.
type clause struct {
	q      query.Query
	df     int  // articles with the word, for a common word
	common bool // a word in most articles (see commonShare)
}

// Common words: a word in at least commonShare of the articles of its
// language, when there are at least commonMin of them, is required but
// not scored. BM25 gives such a word a weight (its idf) of at most 0.1,
// against 2.3 for a word in a tenth of the articles, so scoring it hardly
// moves the ranking; but scoring costs bleve a visit to the word's entry
// in every article, for every such word, while the unscored ones are
// merged as bitmaps. On the generated capsule, where about 100 words are
// each in nearly every one of 10,000 articles, a query of 16 of them took
// 26 ms of CPU with every word scored and 7 ms with one.
const (
	commonShare = 0.9
	commonMin   = 1000
)

// branch requires all of cs: the words that are not common scored, and
// the common ones as one unscored conjunction, but for the rarest of them
// when every word is common (something must be scored).
func branch(cs []clause) query.Query {
	var scored, common []query.Query
	rarest := -1
	for i, c := range cs {
		if !c.common {
			scored = append(scored, c.q)
		} else if rarest < 0 || c.df < cs[rarest].df {
			rarest = i
		}
	}
	for i, c := range cs {
		switch {
		case !c.common:
		case len(scored) == 0 && i == rarest:
			scored = append(scored, c.q)
		default:
			common = append(common, c.q)
		}
	}
	if len(common) > 0 {
		scored = append(scored, unscored{conjunction(common)})
	}
	return conjunction(scored)
}

// multiPosition reports whether tokens stand at more than one position
// (a phrase, or a word the analysis splits, such as "covid-19").
func multiPosition(tokens analysis.TokenStream) bool {
	for _, t := range tokens[1:] {
		if t.Position != tokens[0].Position {
			return true
		}
	}
	return false
}

// textClause matches a word or phrase, analysed for language l into
// tokens (and pairs, for several positions): one word in the title and
// tag names (boosted) or the body; several, by their pairs of neighbours
// (see pairFilter), or, when stop words left too wide a gap for pairs,
// each word anywhere.
func textClause(l string, tokens, pairs analysis.TokenStream) query.Query {
	if !multiPosition(tokens) {
		var qs []query.Query
		for _, t := range tokens {
			qs = append(qs, termQuery(headField+l, t.Term, headBoost), termQuery(bodyField+l, t.Term, 1))
		}
		return query.NewDisjunctionQuery(qs)
	}
	if len(pairs) > 0 {
		// All the pairs, in the title and tags or in the body.
		var head, body []query.Query
		seen := make(map[string]bool)
		for _, p := range pairs {
			if !seen[string(p.Term)] {
				seen[string(p.Term)] = true
				head = append(head, termQuery(headField+l, p.Term, headBoost))
				body = append(body, termQuery(bodyField+l, p.Term, 1))
			}
		}
		return query.NewDisjunctionQuery([]query.Query{conjunction(head), conjunction(body)})
	}
	var qs []query.Query
	for _, t := range tokens {
		qs = append(qs, textClause(l, analysis.TokenStream{t}, nil))
	}
	return conjunction(qs)
}

// conjunction returns a query requiring all of qs.
func conjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// disjunction returns a query requiring any of qs.
func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// unscored is a query run without scores, for exclusions and filters:
// their scores would never be used, and unscored, bleve merges the
// articles of their terms as bitmaps instead of scoring each.
type unscored struct{ query.Query }

// Searcher returns the searcher of the query with scoring off.
func (u unscored) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	o.Score, o.Explain, o.IncludeTermVectors = "none", false, false
	return u.Query.Searcher(ctx, r, m, o)
}

// termQuery matches term in field.
func termQuery(field string, term []byte, boost float64) *query.TermQuery {
	q := query.NewTermQuery(string(term))
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// ranked is a hit before its stored fields are read.
type ranked struct {
	path  string
	score float64
	date  int64
}

// rankedHits returns the hits of a scored query in final order, enough of
// them to fill positions up to to, and the total.
//
// It runs bleve's searcher itself, in one pass that keeps the score of
// every match, rather than asking bleve for the best few: the group of
// equally relevant results at the end of the page (see groupTies) can
// reach past any number of hits asked for in advance, and asking again
// for more ran the whole search again: twice for a word in every article
// of the generated capsule, up to eight times in the worst case.
func (ix *Index) rankedHits(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, q query.Query, to int) ([]ranked, int, error) {
	buf := scoredPool.Get().(*[]scoredDoc)
	all := (*buf)[:0]
	err := scan(ctx, r, m, q, true, func(d *bsearch.DocumentMatch) error {
		all = append(all, scoredDoc{d.Score, d.IndexInternalID.Value()})
		return nil
	})
	defer func() {
		*buf = all[:0]
		scoredPool.Put(buf)
	}()
	if err != nil {
		return nil, 0, ix.searchErr(err)
	}
	want := min(to+to/2+10, fetchLimit, len(all))
	top := best(all, want)
	if len(top) < len(all) && len(top) > 0 {
		// The group of the page's last position must be complete, or
		// its order could change with hits left out: if it reaches
		// the last hit kept, keep every hit that could join it.
		floor := top[groupStart(top, min(to, len(top))-1)].score * (1 - tieTolerance)
		if top[len(top)-1].score >= floor {
			n := 0
			for _, h := range all {
				if h.score >= floor {
					n++
				}
			}
			top = best(all, min(n, fetchLimit))
		}
	}
	hits := make([]ranked, len(top))
	id := make(index.IndexInternalID, 8)
	for i, h := range top {
		path, err := r.ExternalID(index.NewIndexInternalID(id, h.doc))
		if err != nil {
			return nil, 0, ix.searchErr(err)
		}
		hits[i] = ranked{path: path, score: h.score}
	}
	ix.mu.RLock()
	for i := range hits {
		hits[i].date = ix.meta[hits[i].path].date
	}
	ix.mu.RUnlock()
	groupTies(hits)
	return hits, len(all), nil
}

// scoredDoc is a match by its number in the index.
type scoredDoc struct {
	score float64
	doc   uint64
}

// scoredPool keeps the lists of matches of searches done, for the next
// ones: for a common word on a large capsule they are long, and were much
// of the garbage a search left.
var scoredPool = sync.Pool{New: func() any { return new([]scoredDoc) }}

// snapshot returns a reader of the current state of bi, or
// bleve.ErrorIndexClosed.
func snapshot(bi bleve.Index) (index.IndexReader, error) {
	adv, err := bi.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	// A closed scorch index has no snapshot and returns a nil one.
	if s, ok := r.(*scorch.IndexSnapshot); r == nil || ok && s == nil {
		return nil, bleve.ErrorIndexClosed
	}
	return r, nil
}

// scan runs q over r, scored by BM25 or not at all, and calls f with every
// match in the order of the index; f must not keep d.
func scan(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, q query.Query, scored bool, f func(d *bsearch.DocumentMatch) error) error {
	// What bleve's own search tells the searchers: score by BM25.
	sctx := context.WithValue(ctx, bsearch.GetScoringModelCallbackKey,
		bsearch.GetScoringModelCallbackFn(func() string { return index.BM25Scoring }))
	var o bsearch.SearcherOptions
	if !scored {
		o.Score = "none"
	}
	s, err := q.Searcher(sctx, r, m, o)
	if err != nil {
		return err
	}
	defer s.Close()
	c := &bsearch.SearchContext{
		DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0),
		IndexReader:       r,
	}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		d, err := s.Next(c)
		if err != nil || d == nil {
			return err
		}
		err = f(d)
		c.DocumentMatchPool.Put(d)
		if err != nil {
			return err
		}
	}
}

// best returns the n best of all by score, best first, ties in the order
// of the index.
func best(all []scoredDoc, n int) []scoredDoc {
	k := newTopN(n, func(a, b scoredDoc) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.doc, b.doc))
	})
	for _, d := range all {
		k.add(d)
	}
	return k.sorted()
}

// topN keeps the first n of the values it is given in the order of
// compare, in time proportional to their number times log n.
type topN[T any] struct {
	n int
	h topHeap[T] // the last of those kept at the root
}

func newTopN[T any](n int, compare func(a, b T) int) *topN[T] {
	n = max(n, 0)
	return &topN[T]{n: n, h: topHeap[T]{compare: compare, s: make([]T, 0, n)}}
}

// add offers x.
func (k *topN[T]) add(x T) {
	switch {
	case len(k.h.s) < k.n:
		heap.Push(&k.h, x)
	case k.n > 0 && k.h.compare(x, k.h.s[0]) < 0:
		k.h.s[0] = x
		heap.Fix(&k.h, 0)
	}
}

// sorted returns the values kept, in order.
func (k *topN[T]) sorted() []T {
	slices.SortFunc(k.h.s, k.h.compare)
	return k.h.s
}

// topHeap is a heap.Interface with the last value in the order of
// compare at its root.
type topHeap[T any] struct {
	compare func(a, b T) int
	s       []T
}

func (h *topHeap[T]) Len() int           { return len(h.s) }
func (h *topHeap[T]) Less(i, j int) bool { return h.compare(h.s[i], h.s[j]) > 0 }
func (h *topHeap[T]) Swap(i, j int)      { h.s[i], h.s[j] = h.s[j], h.s[i] }
func (h *topHeap[T]) Push(x any)         { h.s = append(h.s, x.(T)) }
func (h *topHeap[T]) Pop() any {
	x := h.s[len(h.s)-1]
	h.s = h.s[:len(h.s)-1]
	return x
}

// groupStart returns where the group of equally relevant hits (see
// tieGroups) holding hit i starts, hits sorted by score.
func groupStart(hits []scoredDoc, i int) int {
	for start, end := range tieGroups(len(hits), func(i int) float64 { return hits[i].score }) {
		if i < end {
			return start
		}
	}
	return i
}

// groupTies reorders hits, sorted by score, so that each group of equally
// relevant ones (see tieGroups) is newest first.
func groupTies(hits []ranked) {
	for start, end := range tieGroups(len(hits), func(i int) float64 { return hits[i].score }) {
		slices.SortStableFunc(hits[start:end], func(a, b ranked) int {
			return cmp.Or(cmp.Compare(b.date, a.date), strings.Compare(a.path, b.path))
		})
	}
}

// tieGroups yields the bounds of the groups of equally relevant hits among
// n sorted by score: going down the list, a hit whose score is within
// tieTolerance of the best score of the current group joins it.
func tieGroups(n int, score func(i int) float64) iter.Seq2[int, int] {
	return func(yield func(start, end int) bool) {
		for start := 0; start < n; {
			end := start + 1
			for end < n && score(end) >= score(start)*(1-tieTolerance) {
				end++
			}
			if !yield(start, end) {
				return
			}
			start = end
		}
	}
}

// newestHits returns hits from..from+size of a filter-only query, newest
// first (by path among articles of the same date), and the total.
//
// It sorts by the dates Index keeps in memory rather than asking bleve to
// sort by the date and path it keeps as doc values, which it decompresses
// and decodes for every match. Finding the path of a match costs about as
// much (bleve decodes where its stored fields are), so the paths and
// dates found are kept for the next filter-only search (see docCache):
// "lang:fr" on 10,000 articles in French, a filter that keeps every one
// of them, took 8.1 ms of CPU with bleve's sort, 1.7-3.3 ms reading every
// path, and 1.2 ms with the paths kept.
func (ix *Index) newestHits(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, q query.Query, from, size int) ([]ranked, int, error) {
	ix.mu.RLock()
	version := ix.metaV
	ix.mu.RUnlock()
	docs := ix.docs.lock(r, version)
	defer ix.docs.mu.Unlock()
	k := newTopN(from+size, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.date, a.date), strings.Compare(a.path, b.path))
	})
	total := 0
	err := scan(ctx, r, m, q, false, func(d *bsearch.DocumentMatch) error {
		total++
		n := d.IndexInternalID.Value()
		if n < uint64(len(*docs)) && (*docs)[n].path != "" {
			k.add((*docs)[n])
			return nil
		}
		path, err := r.ExternalID(d.IndexInternalID)
		if err != nil {
			return err
		}
		ix.mu.RLock()
		h := ranked{path: path, date: ix.meta[path].date}
		ix.mu.RUnlock()
		k.add(h)
		if n < maxCachedDocs {
			if n >= uint64(len(*docs)) {
				*docs = slices.Grow(*docs, int(n)+1-len(*docs))[:n+1]
			}
			(*docs)[n] = h
		}
		return nil
	})
	if err != nil {
		return nil, 0, ix.searchErr(err)
	}
	hits := k.sorted()
	return hits[min(from, len(hits)):], total, nil
}

// maxCachedDocs bounds the document numbers docCache keeps, and so its
// memory: 262,144 numbers, 8 MB and the paths.
const maxCachedDocs = 1 << 18

// docCache keeps the path and date of the documents newestHits has met,
// by document number. The numbers are those of one snapshot of the bleve
// index (an update or a merge of segments renumbers documents) and the
// dates those of one version of Index.meta, so the cache is emptied when
// either changes. It is a ranked (without a score) per document number:
// 10,000 articles take about 0.6 MB with their paths.
type docCache struct {
	mu   sync.Mutex
	snap weak.Pointer[scorch.IndexSnapshot] // nil: not a scorch index
	v    uint64
	docs []ranked
}

// lock locks c and returns its documents for reader r and version v of
// the index's meta; the caller unlocks c.mu.
func (c *docCache) lock(r index.IndexReader, v uint64) *[]ranked {
	c.mu.Lock()
	var snap weak.Pointer[scorch.IndexSnapshot]
	if s, ok := r.(*scorch.IndexSnapshot); ok {
		snap = weak.Make(s)
	}
	if snap != c.snap || v != c.v || snap == (weak.Pointer[scorch.IndexSnapshot]{}) {
		c.snap, c.v, c.docs = snap, v, c.docs[:0]
		clear(c.docs[:cap(c.docs)])
	}
	return &c.docs
}

// searchErr maps bleve's closed-index error to ErrClosed.
func (ix *Index) searchErr(err error) error {
	if errors.Is(err, bleve.ErrorIndexClosed) {
		return ErrClosed
	}
	return fmt.Errorf("search: %w", err)
}

// hits reads the stored fields of rs and cuts their snippets.
func (ix *Index) hits(r index.IndexReader, rs []ranked, p *plan) ([]Hit, error) {
	hits := make([]Hit, 0, len(rs))
	for _, rk := range rs {
		h := Hit{Path: rk.path, Score: rk.score}
		doc, err := r.Document(rk.path)
		if err != nil {
			return nil, ix.searchErr(err)
		}
		if doc == nil {
			continue // not in the snapshot
		}
		var text string
		doc.VisitFields(func(f index.Field) {
			switch f.Name() {
			case titleField:
				h.Title = string(f.Value())
			case whenField:
				h.Date, _ = time.Parse(time.RFC3339Nano, string(f.Value()))
			case textField:
				text = string(f.Value())
			}
		})
		ix.mu.RLock()
		lang := ix.meta[rk.path].lang
		ix.mu.RUnlock()
		if lang == "" {
			lang = otherKey
		}
		h.Snippet = snippet(text, ix.analyzers[lang], p.terms[lang])
		hits = append(hits, h)
	}
	return hits, nil
}
