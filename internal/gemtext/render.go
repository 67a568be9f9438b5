package gemtext

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// ruleLine is what a horizontal rule and the start of the footnote section
// become (rule 17): a text line no client reads as a list item.
const ruleLine = "-----"

// render holds the state of one conversion. A Converter creates one per
// call, so no state is shared between documents or goroutines.
type render struct {
	opts    Options
	src     []byte
	rewrite LinkRewriter
	out     output

	links     []link          // link lines waiting for the end of the current block
	linkIndex map[string]int  // index in links by URL, once links is long
	end       []link          // LinksAtEnd: every link line of the document
	endSeen   map[string]bool // LinksAtEnd: URLs already in end
	numbers   map[string]int  // LinksNumbered: marker number of each URL
	next      int             // LinksNumbered: last number given

	marker    string // list or footnote marker for the next prose line
	qsep      bool   // a ">" separator is due before the next quote line
	lastQuote bool   // the last line written was a quote line
	skip      string // HTML element whose content is being dropped
	inLink    int    // > 0 while rendering a link's or an image's label

	inFootnotes bool

	h1, heading string // first level-1 heading, first heading of any level
	firstPara   string
	wantMore    bool            // the source may contain <!--more-->
	plain       strings.Builder // prose so far, while wantMore and not more
	more        bool            // <!--more--> was seen
	moreSummary string
	words       int
}

// bctx is the context a block is rendered in.
type bctx struct {
	quote  bool   // inside a block quote: lines start with "> "
	indent string // inside list items: continuation lines start with it
}

func newRender(opts Options, src []byte, rewrite LinkRewriter) *render {
	return &render{
		opts:     opts,
		src:      src,
		rewrite:  rewrite,
		out:      output{b: make([]byte, 0, len(src)+len(src)/8)},
		wantMore: bytes.Contains(src, []byte("<!--")) && bytes.Contains(bytes.ToLower(src), []byte("more")),
	}
}

func (r *render) title() string {
	if r.h1 != "" {
		return r.h1
	}
	return r.heading
}

func (r *render) summary() string {
	if r.more {
		return r.moreSummary
	}
	return r.firstPara
}

// document renders the top-level blocks, each followed by its link lines,
// then the footnote section and, in LinksAtEnd mode, every link line.
func (r *render) document(root ast.Node) {
	var notes *east.FootnoteList
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if l, ok := n.(*east.FootnoteList); ok {
			notes = l
			continue
		}
		r.out.sep()
		r.block(n, bctx{})
		r.endBlock()
	}
	if notes != nil {
		r.footnotes(notes)
	}
	if r.opts.Links == LinksAtEnd && len(r.end) > 0 {
		r.out.sep()
		for _, l := range r.end {
			r.out.line(l.line(false))
		}
	}
}

// endBlock writes the pending link lines and resets the per-block state. An
// unclosed <script> or <iframe> therefore hides at most one top-level block.
func (r *render) endBlock() {
	if len(r.links) > 0 {
		r.out.blank = false // link lines follow their block directly
	}
	for _, l := range r.links {
		r.out.line(l.line(r.opts.Links == LinksNumbered))
	}
	r.links, r.linkIndex = r.links[:0], nil
	r.marker, r.qsep, r.skip = "", false, ""
}

func (r *render) block(n ast.Node, c bctx) {
	switch n := n.(type) {
	case *ast.Paragraph:
		r.paragraph(n, c, true)
	case *ast.TextBlock:
		r.paragraph(n, c, false)
	case *ast.Heading:
		r.headingBlock(n, c)
	case *ast.ThematicBreak:
		r.emit(c, ruleLine)
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		r.code(n, c)
	case *ast.Blockquote:
		r.quote(n, c)
	case *ast.List:
		r.list(n, c)
	case *ast.HTMLBlock:
		r.htmlBlock(n, c)
	case *east.Table:
		r.table(n, c)
	default:
		for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
			r.block(ch, c)
		}
	}
}

// paragraph renders a paragraph (or a tight list item's text block) as one
// text line per hard break. A paragraph that is only a link becomes that
// link line (rule 4), except in quotes and footnotes where a link line
// would break the surrounding lines.
func (r *render) paragraph(n ast.Node, c bctx, isPara bool) {
	if !c.quote && !r.inFootnotes {
		if l, ok := r.onlyLink(n); ok {
			r.marker = ""
			r.out.line(l.line(false))
			return
		}
	}
	var b strings.Builder
	r.inlines(&b, n)
	lines := r.lines(b.String())
	if isPara && r.firstPara == "" && !r.inFootnotes {
		r.firstPara = collapse(strings.ReplaceAll(strings.Join(lines, " "), string(moreMark), ""))
	}
	r.prose(c, lines)
}

// lines splits inline output at hard breaks, resolves soft breaks and
// collapses runs of spaces (left by dropped HTML, or typed, which Markdown
// renders as one space anyway).
func (r *render) lines(s string) []string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		p = strings.Trim(resolveBreaks(p), " \t")
		for strings.Contains(p, "  ") {
			p = strings.ReplaceAll(p, "  ", " ")
		}
		parts[i] = p
	}
	return parts
}

// prose emits text lines, counting their words and collecting the summary.
func (r *render) prose(c bctx, lines []string) {
	for _, s := range lines {
		if i := strings.IndexByte(s, moreMark); i >= 0 {
			if r.wantMore && !r.more && !r.inFootnotes {
				r.plain.WriteString(s[:i])
				r.more = true
				r.moreSummary = collapse(r.plain.String())
			}
			s = strings.Trim(strings.ReplaceAll(s, string(moreMark), ""), " \t")
		} else if r.wantMore && !r.more {
			r.plain.WriteString(s)
			r.plain.WriteByte(' ')
		}
		if s == "" {
			continue
		}
		r.words += countWords(s)
		r.emit(c, s)
	}
}

// emit writes one text line in context: after the pending list or footnote
// marker or the continuation indent, after "> " in quotes. A bare text line
// that looks like another line type is neutralised (rule 3).
func (r *render) emit(c bctx, s string) {
	prefix := c.indent
	if r.marker != "" {
		prefix, r.marker = r.marker, ""
	}
	line := prefix + s
	if c.quote {
		if r.qsep {
			r.out.line(">")
			r.qsep = false
		}
		r.out.line("> " + line)
		r.lastQuote = true
		return
	}
	r.lastQuote = false
	if prefix == "" {
		line = Escape(line)
	}
	r.out.line(line)
}

// flushMarker writes a pending list marker on a line of its own, for items
// that start with something other than text.
func (r *render) flushMarker(c bctx) {
	if r.marker == "" {
		return
	}
	m := strings.TrimRight(r.marker, " ")
	r.marker = ""
	r.lastQuote = c.quote
	if c.quote {
		r.out.line("> " + m)
		return
	}
	r.out.line(m)
}

// headingBlock renders a heading (rule 8); inside lists, quotes and
// footnotes it becomes a text line.
func (r *render) headingBlock(n *ast.Heading, c bctx) {
	var b strings.Builder
	r.inlines(&b, n)
	t := cleanLabel(b.String())
	if t == "" {
		return
	}
	if !r.inFootnotes {
		if n.Level == 1 && r.h1 == "" {
			r.h1 = t
		}
		if r.heading == "" {
			r.heading = t
		}
	}
	if c.quote || c.indent != "" || r.marker != "" {
		r.words += countWords(t)
		r.emit(c, t)
		return
	}
	r.words += countWords(t)
	level := n.Level
	if level > 3 {
		if r.opts.DeepHeadings == DeepHeadingsAsText {
			r.out.line(Escape(t))
			return
		}
		level = 3
	}
	r.out.line("###"[:level] + " " + t)
}

// quote renders a block quote (rule 12): nested quotes are flattened and a
// ">" line separates its blocks.
func (r *render) quote(n *ast.Blockquote, c bctx) {
	qc := c
	qc.quote = true
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		if ch != n.FirstChild() && r.lastQuote {
			r.qsep = true
		}
		r.block(ch, qc)
	}
	r.qsep = false
}

// list renders a list (rule 9): "* item" at the top level, indented text
// lines for nested items, numbers kept for ordered lists. An item that is
// only a link becomes that link line.
func (r *render) list(n *ast.List, c bctx) {
	num := n.Start
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		m := "* "
		if n.IsOrdered() {
			m = strconv.Itoa(num) + ". "
			num++
		}
		r.flushMarker(c)
		if !c.quote && !r.inFootnotes && item.ChildCount() == 1 {
			if l, ok := r.onlyLink(item.FirstChild()); ok {
				r.out.line(l.line(false))
				continue
			}
		}
		r.marker = c.indent + m
		ic := c
		ic.indent = c.indent + "  "
		for ch := item.FirstChild(); ch != nil; ch = ch.NextSibling() {
			r.block(ch, ic)
		}
		r.marker = ""
	}
}

// code renders fenced and indented code as a preformatted block whose
// content is byte-exact (rule 10). Inside lists and quotes the block is
// written at the top level, between the surrounding lines.
func (r *render) code(n ast.Node, c bctx) {
	r.flushMarker(c)
	alt := ""
	if f, ok := n.(*ast.FencedCodeBlock); ok && f.Info != nil {
		var b strings.Builder
		decodeText(&b, f.Language(r.src))
		alt = collapse(b.String())
	}
	r.qsep, r.lastQuote = false, false
	r.out.sep()
	r.out.line("```" + alt)
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		r.out.pre(bytes.TrimSuffix(seg.Value(r.src), []byte("\n")))
	}
	r.out.line("```")
	r.out.sep()
}

// htmlBlock renders the visible text of an HTML block (rule 14).
func (r *render) htmlBlock(n *ast.HTMLBlock, c bctx) {
	// The lines are joined first: a comment or tag may span several.
	var raw []byte
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		raw = append(raw, seg.Value(r.src)...)
	}
	if n.HasClosure() {
		seg := n.ClosureLine
		raw = append(raw, seg.Value(r.src)...)
	}
	var b strings.Builder
	r.html(&b, raw)
	r.prose(c, r.lines(b.String()))
}

// footnotes renders the footnote section (rule 13) after a rule line: each
// note starts with its marker and is followed by its own link lines.
func (r *render) footnotes(list *east.FootnoteList) {
	r.inFootnotes = true
	r.out.sep()
	r.out.line(ruleLine)
	for n := list.FirstChild(); n != nil; n = n.NextSibling() {
		f, ok := n.(*east.Footnote)
		if !ok {
			continue
		}
		r.marker = r.footnoteMarker(f.Index) + " "
		for ch := f.FirstChild(); ch != nil; ch = ch.NextSibling() {
			r.block(ch, bctx{})
		}
		r.endBlock()
	}
}

// footnoteMarker is "[n]", or "[^n]" when link markers already use "[n]".
func (r *render) footnoteMarker(i int) string {
	if r.opts.Links == LinksNumbered {
		return "[^" + strconv.Itoa(i) + "]"
	}
	return "[" + strconv.Itoa(i) + "]"
}
