package gemtext

import (
	"bytes"
	"fmt"
	"time"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// LinkMode says where the converter places link lines.
type LinkMode int

// The link placements. The zero value is LinksAfterBlock.
const (
	LinksAfterBlock LinkMode = iota // link lines after the paragraph/list/table/quote that holds them
	LinksAtEnd                      // all link lines at the end of the document
	LinksNumbered                   // text gets [n] markers, link lines "=> URL [n] label" after the block
	LinksOff                        // no link lines at all (text only)
)

// HeadingMode says how headings deeper than gemtext's three levels are shown.
type HeadingMode int

// The deep heading renderings. The zero value is DeepHeadingsAsH3.
const (
	DeepHeadingsAsH3   HeadingMode = iota // h4-h6 become "###" (default)
	DeepHeadingsAsText                    // h4-h6 become a plain text line
)

// Options configure a Converter. The zero value is the default conversion.
type Options struct {
	Links        LinkMode
	DeepHeadings HeadingMode
	KeepEmphasis bool // keep *, _, `, ~~ markers instead of stripping them
}

// LinkRewriter maps a link or image destination as written to the URL to
// emit. Returning "" drops the link line and keeps the link's text.
type LinkRewriter func(dest string) string

// Document is the result of one conversion.
type Document struct {
	Gemtext  []byte   // the converted body
	Title    string   // plain text of the first level-1 heading, else the first heading of any level, else ""
	Summary  string   // plain text before <!--more--> if present, else the first paragraph's plain text (one line, collapsed spaces)
	Words    int      // words of prose, for reading time (each CJK character counts as one word)
	Warnings []string // problems found in the input, e.g. "line 12: invalid UTF-8 replaced with U+FFFD"
}

// Converter converts Markdown to gemtext. It holds only its options and the
// goldmark parser, never per-document state, so one *Converter is safe for
// concurrent use by any number of goroutines.
type Converter struct {
	opts   Options
	parser parser.Parser
	// deadline overrides the wall-clock limit of one conversion (tests);
	// zero means the default, negative none.
	deadline time.Duration
}

// New returns a Converter with the given options.
func New(opts Options) *Converter {
	return &Converter{opts: opts, parser: newParser()}
}

// Convert converts the Markdown body src (front matter already removed).
// Link and image destinations go through rewrite when it is non-nil, and
// through MarkdownLink otherwise. Bad Markdown is never an error: every input
// converts, and problems are reported in Document.Warnings.
//
// Work and output are bounded for any input (see budget.go): nesting past
// MaxNesting is shown as text, and a document that would take more work or
// output than its budget allows, however that came about, is converted to
// one preformatted block holding its text, with a warning giving the reason.
func (c *Converter) Convert(src []byte, rewrite LinkRewriter) (*Document, error) {
	norm, warnings := normalise(src)
	doc, fail := c.convert(norm, rewrite, newBudget(len(norm), c.deadline))
	if fail != "" {
		doc = plainDocument(norm)
		doc.Warnings = []string{"shown as plain text, not converted: " + fail}
	}
	doc.Warnings = append(warnings, doc.Warnings...)
	return doc, nil
}

// convert parses and renders norm within budget b. It returns the reason
// instead when the budget runs out or the parser fails: a bug in goldmark
// or here must cost one document its formatting, not the server.
func (c *Converter) convert(norm []byte, rewrite LinkRewriter, b *budget) (doc *Document, fail string) {
	defer func() {
		if v := recover(); v != nil {
			if o, ok := v.(overBudget); ok {
				fail = o.reason
				return
			}
			doc, fail = nil, fmt.Sprintf("internal error in the converter: %v", v)
		}
	}()
	pc := parser.NewContext()
	pc.Set(budgetKey, b)
	root := c.parser.Parse(newSourceReader(norm, b), parser.WithContext(pc))
	r := newRender(c.opts, norm, rewrite)
	r.out.limit = b.outLimit
	r.document(root)
	doc = &Document{
		Gemtext: r.out.b,
		Title:   r.title(),
		Summary: r.summary(),
		Words:   r.words,
	}
	if at, ok := pc.Get(cappedKey).(int); ok {
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("line %d: nested more than %d levels deep; deeper markers are shown as text",
			lineAt(norm, at-1), MaxNesting))
	}
	if at, ok := pc.Get(tableCappedKey).(int); ok {
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("line %d: table would have more empty cells than text; shown as text",
			lineAt(norm, at-1)))
	}
	return doc, ""
}

// sourceReader is the reader of the whole document. Block parsing
// advances the budget's clock through it, and it computes LineOffset (the
// column of the current position, tabs expanded) incrementally: goldmark's
// reader counts from the start of the line on every call, and every open
// container calls it on every line, which makes deep nesting under long
// indentation quadratic in the line.
type sourceReader struct {
	text.Reader
	b *budget

	line, head   int // the line of the cached head, and its first byte
	pos, col     int // the last position LineOffset measured, and its column
	cachedColumn bool
}

func newSourceReader(src []byte, b *budget) *sourceReader {
	return &sourceReader{Reader: text.NewReader(src), b: b, line: -1}
}

func (r *sourceReader) PeekLine() ([]byte, text.Segment) {
	r.b.tick()
	return r.Reader.PeekLine()
}

func (r *sourceReader) LineOffset() int {
	line, seg := r.Position()
	src := r.Source()
	if line != r.line {
		r.line, r.cachedColumn = line, false
		r.head = bytes.LastIndexByte(src[:max(seg.Start, 0)], '\n') + 1
	}
	if !r.cachedColumn || seg.Start < r.pos {
		r.pos, r.col, r.cachedColumn = r.head, 0, true
	}
	for ; r.pos < seg.Start; r.pos++ {
		if src[r.pos] == '\t' {
			r.col += util.TabWidth(r.col)
		} else {
			r.col++
		}
	}
	return r.col - seg.Padding
}

// lineAt returns the 1-based line of byte offset i of src.
func lineAt(src []byte, i int) int {
	i = max(0, min(i, len(src)))
	n := 1
	for _, c := range src[:i] {
		if c == '\n' {
			n++
		}
	}
	return n
}
