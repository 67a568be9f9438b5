package capsule

import (
	"fmt"
	"time"
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

// Doc is one document of the capsule.
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
	Origin   string
	Words    int
	Body     []byte // gemtext, without the title heading
	Size     int64
	ModTime  time.Time
	Problems []Problem
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

// Severity grades a Problem.
type Severity int

const (
	// Warning is worth fixing but the document is served as intended.
	Warning Severity = iota
	// Error means part of the document (usually its front matter) was lost.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Problem is something wrong with one file of the capsule.
type Problem struct {
	File     string // path in the capsule
	Line     int    // 1-based; 0 when the problem concerns the whole file
	Severity Severity
	Msg      string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Severity, p.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", p.File, p.Severity, p.Msg)
}
