// Package search is the full-text search of the archive: an Index of
// articles (bleve underneath, in memory or persisted in the state folder), a
// small query language of its own, and ranked, paginated results with
// one-line snippets.
//
// The caller owns the articles. It turns each published article into a Doc
// (never a draft or a scheduled article: what it passes is what readers can
// find), hands the whole list to Index.Sync in the background when it
// starts, and again, or one Upsert or Delete at a time, whenever the capsule
// changes. Sync compares fingerprints and re-indexes only what changed, so a
// persisted index reopened after a restart catches up with edits made while
// the server was down.
//
// Readers type queries in a language that is deliberately small (see
// Parse): words, "exact phrases", tag:x, lang:xx and -excluded terms.
// Nothing they type reaches bleve's own query-string syntax.
//
// Each article is analysed in its own language: its words are case- and
// accent-folded and stemmed (grève finds grèves, Arbeiterin finds
// Arbeiterinnen, забастовка finds забастовки), and a query is analysed once
// per language present in the index, so a French query word finds French
// articles by its French stem and English ones by its English stem.
//
// A server uses it like this:
//
//	ix, err := search.Open(search.Options{Dir: filepath.Join(state, "search"), Logger: log})
//	go ix.Sync(ctx, docs)            // at start, and after every reload
//	...
//	q, err := search.Parse(query)    // ErrEmpty, ErrTooLong, ErrTooManyTerms, ErrOnlyExcluded
//	res, err := ix.Search(ctx, q, page, 10) // ErrNotReady, ErrNoWords, ErrPage
//
// Keep the index in the state folder: in memory, bleve never merges the
// segments each batch and update adds, and the index of 10,000 generated
// articles took 390 MB of Go heap against 25 MB (plus 124 MB of files,
// mapped as needed) when persisted.
package search

import (
	"time"
)

// Doc is one published article as the index sees it. The caller fills it
// from its own model; the index keeps no reference to it (Body included)
// after the call that received it returns.
type Doc struct {
	// Path is the served path ("/posts/x.gmi"). It identifies the article:
	// indexing a Doc with the Path of an indexed one replaces it.
	Path  string
	Title string
	// Date is the publication date: newest first among equally relevant
	// results.
	Date    time.Time
	Updated time.Time
	// Lang is a BCP 47 tag ("fr", "pt-BR"); it chooses the stemmer and
	// stop words. An unknown or empty tag gets a language-neutral analysis
	// (case and accent folding, no stemming).
	Lang string
	// Tags are indexed up to the hundredth; the title, the summary and
	// each tag name up to their first KiB.
	Tags    []Tag
	Summary string
	// Body is gemtext. Markers, link URLs and preformatting toggles (with
	// their alt text) are not indexed; link labels and preformatted lines
	// are, since preformatted blocks here are mostly tables with content.
	// At most 1 MiB of text per article is indexed.
	Body []byte
	// LoadBody, if set, gives the body when Body is nil and the article
	// must be indexed (it is new, or its Fingerprint or another field
	// changed): a caller that keeps bodies on disk lists every article
	// cheaply and reads only those that changed. Set Fingerprint with it.
	// An error indexes the article without its body.
	LoadBody func() ([]byte, error)
	// Fingerprint, if not empty, stands for the article's content in
	// change detection: the caller's modification time and size of the
	// source file, or a content hash. Sync re-indexes an article when its
	// fingerprint or any other field but Body changes. Empty means the
	// index hashes Body itself, which is exact but reads every body on
	// every Sync.
	Fingerprint string
}

// Tag is one of an article's tags: its slug (as in /tags/<slug>/) and the
// name its author wrote. tag:x queries match either, case and accents
// folded.
type Tag struct {
	Slug string
	Name string
}
