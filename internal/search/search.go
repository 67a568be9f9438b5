package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
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
	ix.mu.RLock()
	bi, closed := ix.bi, ix.closed
	langs := make([]string, 0, len(ix.langs))
	for l := range ix.langs {
		langs = append(langs, l)
	}
	ix.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	slices.Sort(langs)
	p, err := ix.plan(q, langs)
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
		order, res.Total, err = ix.rankedHits(ctx, bi, p.query, to)
	} else {
		order, res.Total, err = ix.newestHits(ctx, bi, p.query, from, size)
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
	if res.Hits, err = ix.hits(bi, order, p); err != nil {
		return nil, err
	}
	return res, nil
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
func (ix *Index) plan(q Query, langs []string) (*plan, error) {
	p := &plan{terms: make(map[string][]string)}
	if len(langs) == 0 {
		p.query = query.NewMatchNoneQuery() // an empty index
		return p, nil
	}
	var filters, exclude []query.Query
	positiveText := false
	branches := make(map[string][]query.Query)
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
			branches[l] = append(branches[l], c)
			for _, tok := range tokens {
				p.terms[l] = appendNew(p.terms[l], string(tok.Term))
			}
		}
	}
	bq := query.NewBooleanQuery(nil, nil, nil)
	if len(branches) > 0 {
		var must []query.Query
		for _, l := range langs {
			if cs := branches[l]; len(cs) > 0 {
				must = append(must, query.NewConjunctionQuery(cs))
			}
		}
		bq.AddMust(query.NewDisjunctionQuery(must))
		p.scored = true
	} else if positiveText && len(filters) == 0 {
		return nil, ErrNoWords
	}
	if len(exclude) > 0 {
		bq.AddMustNot(exclude...)
	}
	switch {
	case len(filters) == 0:
	case p.scored:
		bq.AddFilter(conjunction(filters))
	default:
		// Unscored, filters can be the query itself: bleve runs a
		// filter alone over every article, a term query over the
		// articles that have the term.
		bq.AddMust(conjunction(filters))
	}
	for _, ts := range p.terms {
		slices.Sort(ts)
	}
	p.query = bq
	return p, nil
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
func (ix *Index) rankedHits(ctx context.Context, bi bleve.Index, q query.Query, to int) ([]ranked, int, error) {
	want := min(to+to/2+10, fetchLimit)
	for {
		// Sorting by score alone: a second key such as _id would make
		// bleve read the id of every matching article, not only of
		// those it returns. groupTies orders exact ties.
		req := bleve.NewSearchRequestOptions(q, want, 0, false)
		sr, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return nil, 0, ix.searchErr(err)
		}
		hits := make([]ranked, len(sr.Hits))
		ix.mu.RLock()
		for i, h := range sr.Hits {
			hits[i] = ranked{path: h.ID, score: h.Score, date: ix.meta[h.ID].date}
		}
		ix.mu.RUnlock()
		end := groupTies(hits)
		// The group of the page's last position must be complete,
		// or its order could change when more hits are read.
		complete := len(hits) == int(sr.Total) || want >= fetchLimit ||
			len(hits) == 0 || end(min(to, len(hits))-1) < len(hits)
		if complete {
			return hits, int(sr.Total), nil
		}
		want = min(want*2, fetchLimit)
	}
}

// groupTies reorders hits, sorted by score, so that each group of equally
// relevant ones (see tieTolerance) is newest first, and returns a function
// giving the end of the group of the hit at index i.
func groupTies(hits []ranked) func(i int) int {
	ends := make([]int, len(hits))
	for start := 0; start < len(hits); {
		end := start + 1
		for end < len(hits) && hits[end].score >= hits[start].score*(1-tieTolerance) {
			end++
		}
		slices.SortStableFunc(hits[start:end], func(a, b ranked) int {
			return cmp.Or(cmp.Compare(b.date, a.date), strings.Compare(a.path, b.path))
		})
		for i := start; i < end; i++ {
			ends[i] = end
		}
		start = end
	}
	return func(i int) int { return ends[i] }
}

// newestHits returns hits from..from+size of a filter-only query, newest
// first, and the total.
func (ix *Index) newestHits(ctx context.Context, bi bleve.Index, q query.Query, from, size int) ([]ranked, int, error) {
	req := bleve.NewSearchRequestOptions(q, size, from, false)
	// The path breaks ties from doc values; "_id" would read the stored
	// id of every matching article.
	req.SortBy([]string{"-" + dateField, pathField})
	req.Score = "none"
	sr, err := bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, ix.searchErr(err)
	}
	hits := make([]ranked, len(sr.Hits))
	for i, h := range sr.Hits {
		hits[i] = ranked{path: h.ID}
	}
	return hits, int(sr.Total), nil
}

// searchErr maps bleve's closed-index error to ErrClosed.
func (ix *Index) searchErr(err error) error {
	if errors.Is(err, bleve.ErrorIndexClosed) {
		return ErrClosed
	}
	return fmt.Errorf("search: %w", err)
}

// hits reads the stored fields of rs and cuts their snippets.
func (ix *Index) hits(bi bleve.Index, rs []ranked, p *plan) ([]Hit, error) {
	hits := make([]Hit, 0, len(rs))
	for _, rk := range rs {
		h := Hit{Path: rk.path, Score: rk.score}
		doc, err := bi.Document(rk.path)
		if err != nil {
			return nil, ix.searchErr(err)
		}
		if doc == nil {
			continue // deleted since the search
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
