package gemtext

import (
	"fmt"
	"io"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
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
	opts Options
	md   goldmark.Markdown
}

// New returns a Converter with the given options.
func New(opts Options) *Converter {
	return &Converter{opts: opts, md: newMarkdown()}
}

// newMarkdown returns goldmark configured with the extensions Broadside
// accepts. Benchmarks use it too, so that the HTML baseline parses the same
// dialect.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAttribute()),
	)
}

// Convert converts the Markdown body src (front matter already removed).
// Link and image destinations go through rewrite when it is non-nil, and
// through MarkdownLink otherwise. Bad Markdown is never an error: every input
// converts, and problems are reported in Document.Warnings.
func (c *Converter) Convert(src []byte, rewrite LinkRewriter) (*Document, error) {
	norm, warnings := normalise(src)
	root := c.md.Parser().Parse(text.NewReader(norm))
	r := newRender(c.opts, norm, rewrite)
	r.document(root)
	doc := &Document{
		Gemtext:  r.out.b,
		Title:    r.title(),
		Summary:  r.summary(),
		Words:    r.words,
		Warnings: warnings,
	}
	return doc, nil
}

// defaultConverter is built once and never changes afterwards.
var defaultConverter = sync.OnceValue(func() *Converter { return New(Options{}) })

// Convert writes the gemtext for the Markdown body src to w with the default
// options. The only error is w's.
func Convert(w io.Writer, src []byte) error {
	doc, err := defaultConverter().Convert(src, nil)
	if err != nil {
		return err
	}
	if _, err := w.Write(doc.Gemtext); err != nil {
		return fmt.Errorf("gemtext: write: %w", err)
	}
	return nil
}
