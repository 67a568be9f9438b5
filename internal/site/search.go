package site

import (
	"broadside/internal/i18n"
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SearchPath is where the archive is searched: "/search" asks for a query,
// "/search?QUERY" answers the first page of results and "/search/N?QUERY"
// page N.
const SearchPath = "/search"

// DefaultSearchPerPage is how many results a page shows by default.
const DefaultSearchPerPage = 10

// Searcher finds published articles by their text. The search package
// implements it; it must be safe for concurrent use.
type Searcher interface {
	Search(ctx context.Context, query string, page, perPage int) (*SearchResults, error)
}

// SearchResults is one page of results, best first.
type SearchResults struct {
	Total int // matches in all
	Page  int // 1-based
	Pages int
	Hits  []SearchHit
}

// SearchHit is one matching article.
type SearchHit struct {
	Path    string // served path
	Title   string
	Date    time.Time
	Snippet string // one line of plain text around the match
}

// QueryError is a query the reader must change; the results page tells
// them what, in the site's language.
type QueryError struct{ Problem QueryProblem }

func (e *QueryError) Error() string { return queryProblemText[e.Problem] }

// QueryProblem is what is wrong with a query.
type QueryProblem int

const (
	// QueryNoWords: nothing to search for (empty, or only common words).
	QueryNoWords QueryProblem = iota
	// QueryTooLong: over the length or word limit.
	QueryTooLong
	// QueryOnlyExcluded: every word is excluded.
	QueryOnlyExcluded
)

var queryProblemText = map[QueryProblem]string{
	QueryNoWords: "no words to search for", QueryTooLong: "query too long", QueryOnlyExcluded: "every word excluded",
}

var queryProblemMessage = map[QueryProblem]i18n.ID{
	QueryNoWords: i18n.SearchNoWords, QueryTooLong: i18n.SearchTooLong, QueryOnlyExcluded: i18n.SearchOnlyExcluded,
}

// ErrSearchNotReady means the index is still being built.
var ErrSearchNotReady = errors.New("the search index is being built")

// ErrNoSuchPage means the page of results asked for is past the last.
var ErrNoSuchPage = errors.New("no such page of results")

// searchPage parses "/search" and "/search/N", reporting the page number.
func searchPage(p string) (int, bool) {
	if p == SearchPath || p == SearchPath+"/" {
		return 1, true
	}
	rest, ok := strings.CutPrefix(p, SearchPath+"/")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || strconv.Itoa(n) != rest {
		return 0, false
	}
	return n, true
}

// MaxSearchPage bounds how deep a reader may page, so that a crawler
// asking for page 10,000 costs no more than a reader.
const MaxSearchPage = 100

func (s *Site) search(r *Request, page int) Response {
	if strings.TrimSpace(r.Query) == "" {
		return Response{Status: Input, Prompt: s.loc.T(i18n.SearchPrompt)}
	}
	if page > MaxSearchPage {
		return s.notFound()
	}
	ctx := r.Context
	if ctx == nil {
		ctx = context.Background()
	}
	res, err := s.opts.Search.Search(ctx, r.Query, page, s.opts.SearchPerPage)
	var qe *QueryError
	switch {
	case errors.As(err, &qe):
		return s.searchMessage(r.Query, s.loc.T(queryProblemMessage[qe.Problem]))
	case errors.Is(err, ErrNoSuchPage):
		return s.notFound()
	case errors.Is(err, ErrSearchNotReady):
		return Response{Status: Unavailable, Message: s.loc.T(i18n.SearchBuilding)}
	case err != nil:
		return Response{Status: Unavailable, Message: s.loc.T(i18n.SearchFailed)}
	}
	return s.searchResults(r.Query, res)
}

// queryEscape escapes a query for a Gemini URL: spaces as %20, since
// Gemini does not read "+" as a space.
func queryEscape(q string) string {
	return strings.ReplaceAll(url.QueryEscape(q), "+", "%20")
}

// searchResults renders one page of results: a count, then each hit as a
// gemsub entry with a snippet, then links to the other pages.
func (s *Site) searchResults(q string, res *SearchResults) Response {
	// The catalog quotes the query: a query that is one quoted phrase
	// is shown inside those quotes only ("court campaign", not
	// ""court campaign"").
	shown := q
	if len(q) > 2 && q[0] == '"' && q[len(q)-1] == '"' && !strings.Contains(q[1:len(q)-1], `"`) {
		shown = q[1 : len(q)-1]
	}
	loc := s.loc
	var w gemtextWriter
	heading := loc.T(i18n.SearchHeading, i18n.Query(q))
	w.heading(1, heading)
	w.blank()
	switch {
	case res.Total == 0:
		w.text(loc.T(i18n.SearchNone, i18n.Query(shown)))
	case res.Pages > 1:
		w.text(loc.T(i18n.SearchResults, i18n.N(res.Total), i18n.Query(shown)) + " · " + loc.T(i18n.PageOf, i18n.Page(res.Page), i18n.Pages(res.Pages)))
	default:
		w.text(loc.T(i18n.SearchResults, i18n.N(res.Total), i18n.Query(shown)))
	}
	for _, h := range res.Hits {
		if _, published := s.docs[h.Path]; !published {
			continue // scheduled or since withdrawn: the index lags a moment
		}
		w.blank()
		w.link(h.Path, h.Date.In(s.opts.Location).Format("2006-01-02")+" "+h.Title)
		if h.Snippet != "" {
			w.text(h.Snippet)
		}
	}
	w.blank()
	if res.Page > 1 {
		w.rawLink(searchURL(res.Page-1, q), "← "+loc.T(i18n.PagePrevious)+" · "+loc.T(i18n.PageOf, i18n.Page(res.Page-1), i18n.Pages(res.Pages)))
	}
	if res.Page < res.Pages && res.Page < MaxSearchPage {
		w.rawLink(searchURL(res.Page+1, q), "→ "+loc.T(i18n.PageNext)+" · "+loc.T(i18n.PageOf, i18n.Page(res.Page+1), i18n.Pages(res.Pages)))
	}
	w.link(SearchPath, loc.T(i18n.SearchAgain))
	s.home(&w, loc)
	pg := gemtextPage(s, heading, "", w.Bytes())
	return Response{Status: Found, Page: pg, Type: pg.Type}
}

// searchMessage is a page that tells the reader what is wrong with the
// query (too long, nothing but exclusions) and lets them try again.
func (s *Site) searchMessage(q, msg string) Response {
	loc := s.loc
	var w gemtextWriter
	heading := loc.T(i18n.SearchHeading, i18n.Query(q))
	w.heading(1, heading)
	w.blank()
	w.text(msg)
	w.blank()
	w.link(SearchPath, loc.T(i18n.SearchAgain))
	s.home(&w, loc)
	pg := gemtextPage(s, heading, "", w.Bytes())
	return Response{Status: Found, Page: pg, Type: pg.Type}
}

func searchURL(page int, q string) string {
	p := SearchPath
	if page > 1 {
		p += "/" + strconv.Itoa(page)
	}
	return p + "?" + queryEscape(q)
}
