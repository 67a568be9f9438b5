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
	Origin  string
	Words   int
	Body    []byte // gemtext, without the title heading
	Size    int64
	ModTime time.Time
	// Links lists the document's links and images to paths of the
	// capsule and to other Gemini capsules, where they are written, for
	// "broadside check".
	Links []Link
	// Problems lists what is wrong with the file, as it was read.
	Problems []diag.Diagnostic
	// Broken says the file failed to parse (an error among Problems): this
	// version is not what the author meant, and is served only if it is a
	// draft. See Snapshot.
	Broken bool

	tagsAt [2]int // line and column of the tags key, for tag problems
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
