package i18n

import (
	"slices"
)

// ID names one message of the page chrome. The constants are the only
// valid IDs; their String is the dotted key operators write in
// [strings.LANG] tables.
type ID int

// The messages. Each comment gives the English text; {name} marks a
// placeholder, filled from the Arg of that name. Messages whose comment
// says "count" have plural forms chosen by the N argument.
const (
	// BylineBy: "By {names}"; count: the number of names.
	BylineBy ID = iota
	// BylineReadingTime: "{n} min read"; count.
	BylineReadingTime
	// BylineUpdated: "{date} (updated {updated})".
	BylineUpdated
	// ArticleUpdated: "Updated {date}".
	ArticleUpdated
	// ArticleTag: "Tag: {tag}", a link under the byline.
	ArticleTag
	// ArticleOlder: "← Older: {title}".
	ArticleOlder
	// ArticleNewer: "→ Newer: {title}".
	ArticleNewer
	// PreviewDraft: "Draft", the mark of a draft in preview.
	PreviewDraft
	// PreviewScheduled: "Scheduled for {date}", the mark of a future
	// article in preview.
	PreviewScheduled
	// NavHome: "↩ {site}", the link back to the index.
	NavHome
	// NavParent: "↩ Parent folder".
	NavParent
	// NavMenuView: "Menu view of this page, with links to follow".
	NavMenuView
	// NavTextView: "Text view of this page, for reading and saving".
	NavTextView
	// IndexEmpty: "Nothing is published yet."
	IndexEmpty
	// IndexRecent: "Recent articles".
	IndexRecent
	// IndexArchive: "Archive: all {n} articles by year"; count.
	IndexArchive
	// IndexTags: "Tags ({n})", n the number of tags.
	IndexTags
	// IndexFeed: "Atom feed".
	IndexFeed
	// CountArticles: "{n} articles"; count.
	CountArticles
	// ArchiveName: "Archive", the archive's page title.
	ArchiveName
	// ArchiveHeading: "Archive: {site}".
	ArchiveHeading
	// ArchiveByYear: "Archive by year".
	ArchiveByYear
	// ArchiveYear: "Articles from {year}", the heading of one year.
	ArchiveYear
	// ArchiveYearCount: "{n} articles in {year}"; count.
	ArchiveYearCount
	// TagsName: "Tags", the tag list's page title.
	TagsName
	// TagsHeading: "Tags: {site}".
	TagsHeading
	// TagsEmpty: "No tags yet."
	TagsEmpty
	// TagsEntry: "{tag} ({n} articles)"; count.
	TagsEntry
	// TagHeading: `{n} articles tagged "{tag}" on {site}`; count.
	TagHeading
	// TagFeed: "Atom feed for this tag".
	TagFeed
	// TagFeedTitle: "{site}: {tag}", the title of a tag's feed.
	TagFeedTitle
	// TagAll: "All tags".
	TagAll
	// PageNumber: "Page {page}".
	PageNumber
	// PageOf: "Page {page} of {pages}".
	PageOf
	// PageOlder: "Older articles".
	PageOlder
	// PageNewer: "Newer articles".
	PageNewer
	// PageNext: "Next page".
	PageNext
	// PagePrevious: "Previous page".
	PagePrevious
	// ListingTitle: "Index of {path}".
	ListingTitle
	// ListingEmpty: "This folder is empty."
	ListingEmpty
	// SearchPrompt: "Search the archive", the prompt of the Gemini input
	// request.
	SearchPrompt
	// SearchLink: "Search", the link to the search page.
	SearchLink
	// SearchItem: "Search the archive", the Gopher search item.
	SearchItem
	// SearchResults: `{n} results for "{query}"`; count.
	SearchResults
	// SearchNone: `No results for "{query}"`.
	SearchNone
	// SearchAgain: "Search again".
	SearchAgain
	// SearchHeading: "Search: {query}", the heading of a results page.
	SearchHeading
	// SearchBuilding: "The search index is being built; try again in a
	// minute."
	SearchBuilding
	// SearchFailed: "Search failed; try again."
	SearchFailed
	// SearchTooLong: "Too long a search: use fewer words."
	SearchTooLong
	// SearchOnlyExcluded: "Every word is excluded: add one to look for."
	SearchOnlyExcluded
	// SearchNoWords: "Nothing to search for: try other words."
	SearchNoWords
	// ErrorNotFound: "Not found."
	ErrorNotFound
	// ErrorGone: "This page has been removed."
	ErrorGone
	// ErrorStarting: "The server is starting up; try again."
	ErrorStarting
	// ErrorBadLink: "That link cannot be followed."
	ErrorBadLink
	// ErrorRateLimited: "Too many requests; try again in {n} seconds.";
	// count.
	ErrorRateLimited
	// GopherReferences: "References", the heading of a text view's links.
	GopherReferences
	// ListPair: "{a} and {b}", a list of two.
	ListPair
	// ListComma: "{a}, {b}", joins all but the last of a longer list.
	ListComma
	// ListEnd: "{a} and {b}", adds the last item of a longer list.
	ListEnd
	// ListMore: "{n} more", the last item of a shortened list; count.
	ListMore
	// DateLong: "{day} {month} {year}".
	DateLong
	// DateFirstDay: "1", the first day of a month in DateLong (French
	// "1er").
	DateFirstDay
	// DateJanuary to DateDecember: month names as they stand in DateLong
	// (genitive where the language wants it: Russian "января").
	DateJanuary
	DateFebruary
	DateMarch
	DateApril
	DateMay
	DateJune
	DateJuly
	DateAugust
	DateSeptember
	DateOctober
	DateNovember
	DateDecember

	numIDs int = iota
)

// placeholder is one named slot of a template.
type placeholder uint8

const (
	phNone placeholder = iota
	phN
	phNames
	phDate
	phUpdated
	phTitle
	phSite
	phTag
	phPath
	phQuery
	phPage
	phPages
	phYear
	phDay
	phMonth
	phA
	phB
	numPlaceholders
)

// placeholderNames are the names written between braces.
var placeholderNames = [numPlaceholders]string{
	phN:       "n",
	phNames:   "names",
	phDate:    "date",
	phUpdated: "updated",
	phTitle:   "title",
	phSite:    "site",
	phTag:     "tag",
	phPath:    "path",
	phQuery:   "query",
	phPage:    "page",
	phPages:   "pages",
	phYear:    "year",
	phDay:     "day",
	phMonth:   "month",
	phA:       "a",
	phB:       "b",
}

func (p placeholder) String() string { return placeholderNames[p] }

// placeholderByName finds a placeholder by its name, or phNone.
func placeholderByName(name string) placeholder {
	for p := phN; p < numPlaceholders; p++ {
		if placeholderNames[p] == name {
			return p
		}
	}
	return phNone
}

// spec describes one message: its key, what it is for, the placeholders
// its text may use, and whether it has plural forms.
type spec struct {
	key   string
	doc   string
	ph    []placeholder
	count bool
}

// specs is indexed by ID.
var specs = [numIDs]spec{
	BylineBy:           {"byline.by", "the authors in the byline; n is the number of names", []placeholder{phNames}, true},
	BylineReadingTime:  {"byline.reading_time", "estimated reading time in minutes", []placeholder{phN}, true},
	BylineUpdated:      {"byline.updated", "the byline's dates when an article was updated", []placeholder{phDate, phUpdated}, false},
	ArticleUpdated:     {"article.updated", "date of the last update, on its own", []placeholder{phDate}, false},
	ArticleTag:         {"article.tag", "link to one of an article's tags", []placeholder{phTag}, false},
	ArticleOlder:       {"article.older", "link to the previous (older) article", []placeholder{phTitle}, false},
	ArticleNewer:       {"article.newer", "link to the next (newer) article", []placeholder{phTitle}, false},
	PreviewDraft:       {"preview.draft", "mark of a draft in preview", nil, false},
	PreviewScheduled:   {"preview.scheduled", "mark of an article not yet published, in preview", []placeholder{phDate}, false},
	NavHome:            {"nav.home", "link back to the index", []placeholder{phSite}, false},
	NavParent:          {"nav.parent", "link to the parent folder", nil, false},
	NavMenuView:        {"nav.menu_view", "Gopher: link from a text view to the menu view", nil, false},
	NavTextView:        {"nav.text_view", "Gopher: link from a menu view to the text view", nil, false},
	IndexEmpty:         {"index.empty", "index of a site with no articles", nil, false},
	IndexRecent:        {"index.recent", "heading of the index's article list", nil, false},
	IndexArchive:       {"index.archive", "link from the index to the archive", []placeholder{phN}, true},
	IndexTags:          {"index.tags", "link from the index to the tags; n is the number of tags", []placeholder{phN}, false},
	IndexFeed:          {"index.feed", "link to the site's Atom feed", nil, false},
	CountArticles:      {"count.articles", "a number of articles", []placeholder{phN}, true},
	ArchiveName:        {"archive.name", "title of the archive page", nil, false},
	ArchiveHeading:     {"archive.heading", "heading of the archive page", []placeholder{phSite}, false},
	ArchiveByYear:      {"archive.by_year", "link to the archive by year", nil, false},
	ArchiveYear:        {"archive.year", "heading of one year of the archive", []placeholder{phYear}, false},
	ArchiveYearCount:   {"archive.year_count", "articles in one year of the archive", []placeholder{phN, phYear}, true},
	TagsName:           {"tags.name", "title of the tag list", nil, false},
	TagsHeading:        {"tags.heading", "heading of the tag list", []placeholder{phSite}, false},
	TagsEmpty:          {"tags.empty", "tag list of a site without tags", nil, false},
	TagsEntry:          {"tags.entry", "one tag in the tag list, with its number of articles", []placeholder{phTag, phN}, true},
	TagHeading:         {"tag.heading", "subtitle of one tag's page", []placeholder{phN, phTag, phSite}, true},
	TagFeed:            {"tag.feed", "link to one tag's Atom feed", nil, false},
	TagFeedTitle:       {"tag.feed_title", "title of one tag's Atom feed", []placeholder{phSite, phTag}, false},
	TagAll:             {"tag.all", "link from a tag's page to the tag list", nil, false},
	PageNumber:         {"page.number", "one page of a long list", []placeholder{phPage}, false},
	PageOf:             {"page.of", "position in a long list", []placeholder{phPage, phPages}, false},
	PageOlder:          {"page.older", "link to the next page of a list, newest first", nil, false},
	PageNewer:          {"page.newer", "link to the previous page of a list, newest first", nil, false},
	PageNext:           {"page.next", "link to the next page of results", nil, false},
	PagePrevious:       {"page.previous", "link to the previous page of results", nil, false},
	ListingTitle:       {"listing.title", "title of a folder's generated listing", []placeholder{phPath}, false},
	ListingEmpty:       {"listing.empty", "listing of an empty folder", nil, false},
	SearchPrompt:       {"search.prompt", "Gemini input prompt of the search", nil, false},
	SearchLink:         {"search.link", "link to the search", nil, false},
	SearchItem:         {"search.item", "Gopher search item on the main menu", nil, false},
	SearchResults:      {"search.results", "heading of search results", []placeholder{phN, phQuery}, true},
	SearchNone:         {"search.none", "a search that found nothing", []placeholder{phQuery}, false},
	SearchAgain:        {"search.again", "link to a new search", nil, false},
	SearchHeading:      {"search.heading", "heading of a page of search results", []placeholder{phQuery}, false},
	SearchBuilding:     {"search.building", "a search asked before the index is ready", nil, false},
	SearchFailed:       {"search.failed", "a search that failed on the server", nil, false},
	SearchTooLong:      {"search.too_long", "a query over the length or word limit", nil, false},
	SearchOnlyExcluded: {"search.only_excluded", "a query that only excludes words", nil, false},
	SearchNoWords:      {"search.no_words", "a query with nothing to look for (empty, or only common words)", nil, false},
	ErrorNotFound:      {"error.not_found", "nothing at this address", nil, false},
	ErrorGone:          {"error.gone", "a page removed for good", nil, false},
	ErrorStarting:      {"error.starting", "request before the site is loaded", nil, false},
	ErrorBadLink:       {"error.bad_link", "Gopher: a link to a URL that is not allowed", nil, false},
	ErrorRateLimited:   {"error.rate_limited", "Gopher: too many requests; n is the wait in seconds", []placeholder{phN}, true},
	GopherReferences:   {"gopher.references", "heading of the numbered links of a text view", nil, false},
	ListPair:           {"list.pair", "a list of two items", []placeholder{phA, phB}, false},
	ListComma:          {"list.comma", "a list of three or more: joins all but the last", []placeholder{phA, phB}, false},
	ListEnd:            {"list.end", "a list of three or more: adds the last", []placeholder{phA, phB}, false},
	ListMore:           {"list.more", "last item of a shortened list: how many are left out", []placeholder{phN}, true},
	DateLong:           {"date.long", "a date", []placeholder{phDay, phMonth, phYear}, false},
	DateFirstDay:       {"date.first_day", "the first day of a month as {day} in date.long", nil, false},
	DateJanuary:        {"date.month.january", "month name in date.long", nil, false},
	DateFebruary:       {"date.month.february", "month name in date.long", nil, false},
	DateMarch:          {"date.month.march", "month name in date.long", nil, false},
	DateApril:          {"date.month.april", "month name in date.long", nil, false},
	DateMay:            {"date.month.may", "month name in date.long", nil, false},
	DateJune:           {"date.month.june", "month name in date.long", nil, false},
	DateJuly:           {"date.month.july", "month name in date.long", nil, false},
	DateAugust:         {"date.month.august", "month name in date.long", nil, false},
	DateSeptember:      {"date.month.september", "month name in date.long", nil, false},
	DateOctober:        {"date.month.october", "month name in date.long", nil, false},
	DateNovember:       {"date.month.november", "month name in date.long", nil, false},
	DateDecember:       {"date.month.december", "month name in date.long", nil, false},
}

// String returns the message's key, such as "index.recent", or "" for
// a value that is not one of the constants.
func (id ID) String() string {
	if !id.valid() {
		return ""
	}
	return specs[id].key
}

func (id ID) valid() bool { return id >= 0 && int(id) < numIDs }

// Lookup finds the ID of a message key such as "index.recent".
func Lookup(key string) (ID, bool) {
	for id := range ID(numIDs) {
		if specs[id].key == key {
			return id, true
		}
	}
	return 0, false
}

// allows reports whether message id may use placeholder p.
func (id ID) allows(p placeholder) bool { return slices.Contains(specs[id].ph, p) }
