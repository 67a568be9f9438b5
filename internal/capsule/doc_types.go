package capsule

import (
	"time"

	"broadside/internal/diag"
)

// Kind says how a document is published.
type Kind int

const (
	// Page is Markdown without a date: rendered and served, never listed.
	Page Kind = iota
	// Article is Markdown with a date (front matter or a YYYY-MM-DD- file
	// name prefix): listed on the index, tag pages and feeds.
	Article
	// Gemtext is a hand-written .gmi file, served as written. A gemtext
	// file with a YYYY-MM-DD- name prefix is listed like an article.
	Gemtext
)

// Tag is one tag as the author wrote it and its canonical slug: tags that
// differ only in case are one tag.
type Tag struct {
	Name string // the author's spelling (of the first document that used it)
	Slug string // case-folded, URL-safe once path-escaped
}

// Doc is one document of the capsule. A Doc is never modified once its
// snapshot is built.
type Doc struct {
	Source  string // slash-separated path in the capsule, e.g. "posts/x.md"
	Path    string // served path, e.g. "/posts/x.gmi"
	Kind    Kind
	Dated   bool // Date is meaningful (articles and dated gemtext files)
	Title   string
	Date    time.Time
	Updated time.Time // Date when the front matter gives no later date
	Draft   bool
	Tags    []Tag
	Summary string
	Authors []string
	Lang    string
	Aliases []string // other served paths that redirect here
	ID      string   // explicit feed id from front matter, "" if none
	// Origin is the path the document was first published at: its first
	// front-matter alias, else its served path. Feed ids derive from it.
	Origin string
	// Words counts the words of the body, for reading time; 0 unless the
	// document was parsed in full (Options.Full, Parse). Body.Words is
	// always known.
	Words int
	// Size and ModTime identify the version of the file the document was
	// read from (for a symbolic link, of the file it leads to).
	Size    int64
	ModTime time.Time
	// Links lists the document's links and images to paths of the
	// capsule and to other Gemini capsules, where they are written, for
	// "broadside check". Only a full parse (Options.Full, Parse) finds
	// them; Body.Links always has them.
	Links []Link
	// Problems lists what is wrong with the file, as it was read: with
	// Options.Full or Parse, every problem; otherwise those of its front
	// matter and metadata, which decide Broken, while the converter's
	// come with its Body.
	Problems []diag.Diagnostic
	// Broken says the file failed to parse (an error among Problems): this
	// version is not what the author meant, and is served only if it is a
	// draft. See Snapshot.
	Broken bool

	tagsAt [2]int // line and column of the tags key, for tag problems
	notice string // the body of a file that cannot be read (too large, unreadable)
}

// Body is a document's text converted to gemtext, with what only
// converting it finds. Snapshot.Body makes it on demand; nothing keeps
// it but the caller (the site's page cache).
type Body struct {
	// Gemtext is the converted body, without the title heading (the page
	// prints the title itself). A gemtext file's is the file as written.
	Gemtext []byte
	// Words counts the words of prose, for reading time.
	Words int
	// Summary is the text before <!--more-->, else the first paragraph
	// (of a gemtext file, its first text line), for documents whose
	// front matter has no summary.
	Summary string
	// Links are the document's links into the capsule and to Gemini
	// capsules, as Doc.Links.
	Links []Link
	// Problems lists every problem of the file as it was read, the
	// converter's included.
	Problems []diag.Diagnostic
	// Size and ModTime identify the version of the file converted: the
	// document's own, or a newer one (see Snapshot.Body).
	Size    int64
	ModTime time.Time
}

// SummaryWith returns the document's summary: its front matter's, else
// the one its body b gives.
func (d *Doc) SummaryWith(b *Body) string {
	if d.Summary != "" || b == nil {
		return d.Summary
	}
	return b.Summary
}

// Len is about how many bytes of memory b holds.
func (b *Body) Len() int {
	n := len(b.Gemtext) + len(b.Summary) + 64
	for _, l := range b.Links {
		n += len(l.Target) + len(l.Written) + 48
	}
	for _, p := range b.Problems {
		n += len(p.File) + len(p.Code) + len(p.Message) + 80
	}
	return n
}

// Link is a link or an image of a document that leads to a path of the
// capsule or to a gemini:// URL.
type Link struct {
	// Target is the absolute, unescaped path linked to, without query or
	// fragment ("/posts/x.gmi" for "x.md" written in posts/a.md), or an
	// absolute gemini:// URL as written.
	Target string
	// Written is the destination as the author wrote it.
	Written string
	// Line and Col place it in the file (1-based; Col 0 if unknown).
	Line, Col int
}

// Visible reports whether the document is published at time now: not a
// draft, and not dated in the future.
func (d *Doc) Visible(now time.Time) bool {
	if d.Draft {
		return false
	}
	return !d.Dated || !d.Date.After(now)
}

// Listed reports whether the document belongs on the index, tag pages and
// feeds at time now.
func (d *Doc) Listed(now time.Time) bool {
	return d.Dated && d.Visible(now)
}

// Problem is the former name of diag.Diagnostic, kept so that code
// written against it still compiles.
type Problem = diag.Diagnostic

// Severity is diag.Severity; Warning and Error are its values.
type Severity = diag.Severity

// The severities, as diag defines them.
const (
	Warning = diag.Warning
	Error   = diag.Error
)

// Codes of the problems this package finds itself; front-matter problems
// keep the codes of package frontmatter.
const (
	CodeFile         = "capsule/file"         // the file cannot be read or served (too large, unreadable, not a regular file)
	CodePathTaken    = "capsule/path-taken"   // two files claim one served path: the second is not served
	CodeLastGood     = "capsule/last-good"    // a broken file whose last good version is still served
	CodeUnpublished  = "capsule/unpublished"  // a broken file never published, held back until fixed
	CodeNoTitle      = "capsule/no-title"     // no title in the front matter nor a heading
	CodeEncoding     = "capsule/encoding"     // the file is not UTF-8
	CodeTag          = "capsule/tag"          // a tag with no letters or digits
	CodeTagSpelling  = "capsule/tag-spelling" // tags that differ only in case or punctuation, shown as one
	CodeAlias        = "capsule/alias"        // an alias that is not a path in the capsule
	CodeSlug         = "capsule/slug"         // a slug with nothing usable in it
	CodeLinkOutside  = "capsule/link-outside" // a relative link that climbs out of the capsule, dropped
	CodeConvert      = "convert/markdown"     // a problem the Markdown converter found
	CodeConvertUTF8  = "convert/encoding"     // invalid UTF-8 in the body, replaced
	CodeConvertCtrl  = "convert/control"      // control characters dropped from the body
	CodeTooManyProbs = "capsule/more"         // the count of problems past MaxProblems
)
