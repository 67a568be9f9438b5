package gemtext

import (
	"bytes"
	"sort"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// newParser returns goldmark's CommonMark + GFM + footnotes parser with
// every part that can go quadratic on hostile input either replaced by a
// linear equivalent or guarded:
//
//   - emphasis and strikethrough delimiters are matched in linear time
//     (emphasis.go) instead of by goldmark's delimiter search, which is
//     quadratic in unmatched delimiters;
//   - link reference definitions are extracted in linear time (refdef.go);
//   - footnote references are looked up in a map and footnotes sorted with
//     a real sort (footnote.go);
//   - a code span opener with no closing run of its length after it fails
//     at once instead of searching to the end of the block again;
//   - escaped pipes in table cells are resolved per cell, and a table that
//     would be mostly empty padding cells stays a paragraph (transform.go);
//   - block quotes, lists and footnote definitions nest at most MaxNesting
//     deep, and so do open link brackets; inline spans nested deeper are
//     unwrapped (flatten, transform.go);
//   - heading attributes ({#id .class}) are only parsed on headings of
//     reasonable length;
//   - the parsers that call Value (links, footnote references) read the
//     block through a reader whose Value is logarithmic rather than linear
//     in the number of lines; parsing advances the budget's clock at
//     every line and at most inline triggers;
//   - the bytes the link parser scans for destinations are charged to the
//     budget, since they are quadratic in link openers on a long line.
//
// The result parses ordinary Markdown exactly as goldmark does (the
// differential tests compare goldmark's own HTML rendering of both trees).
func newParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(
			util.Prioritized(headingGuard{
				with:    parser.NewSetextHeadingParser(parser.WithHeadingAttribute()),
				without: parser.NewSetextHeadingParser(),
				setext:  true,
			}, 100),
			util.Prioritized(parser.NewThematicBreakParser(), 200),
			util.Prioritized(nested{parser.NewListParser()}, 300),
			util.Prioritized(parser.NewListItemParser(), 400),
			util.Prioritized(parser.NewCodeBlockParser(), 500),
			util.Prioritized(headingGuard{
				with:    parser.NewATXHeadingParser(parser.WithHeadingAttribute()),
				without: parser.NewATXHeadingParser(),
			}, 600),
			util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
			util.Prioritized(nested{parser.NewBlockquoteParser()}, 800),
			util.Prioritized(parser.NewHTMLBlockParser(), 900),
			util.Prioritized(nested{footnoteDefinitions{extension.NewFootnoteBlockParser()}}, 999),
			util.Prioritized(parser.NewParagraphParser(), 1000),
		),
		parser.WithInlineParsers(
			util.Prioritized(extension.NewTaskCheckBoxParser(), 0),
			util.Prioritized(codeSpans{}, 100),
			util.Prioritized(footnoteReferences{}, 101),
			util.Prioritized(links{parser.NewLinkParser()}, 200),
			util.Prioritized(ticking{parser.NewAutoLinkParser()}, 300),
			util.Prioritized(ticking{parser.NewRawHTMLParser()}, 400),
			util.Prioritized(delimiters{}, 500),
			util.Prioritized(extension.NewLinkifyParser(), 999),
		),
		parser.WithParagraphTransformers(
			util.Prioritized(referenceDefinitions{}, 100),
			util.Prioritized(tables{extension.NewTableParagraphTransformer()}, 200),
		),
		parser.WithASTTransformers(
			util.Prioritized(tablePipes{}, 0),
			util.Prioritized(footnoteList{}, 999),
			util.Prioritized(flatten{}, 2000),
		),
	)
}

// Keys of the per-conversion state kept in goldmark's parse context. The
// parsers are shared by every conversion, so they keep no state of their own.
var (
	budgetKey     = parser.NewContextKey() // *budget
	readerKey     = parser.NewContextKey() // *blockReader
	openLabelsKey = parser.NewContextKey() // int: link brackets open in the current block
	cappedKey     = parser.NewContextKey() // int: source offset of the first nesting cut, +1
	spansKey      = parser.NewContextKey() // int: inline spans made in the current block
	deepKey       = parser.NewContextKey() // bool: some block made more than MaxNesting spans
	pipesKey      = parser.NewContextKey() // bool: some paragraph holds "\|"
)

// countSpans adds n to the inline spans (links, images, emphasis) of the
// current block: a block with no more than MaxNesting of them cannot nest
// them deeper, and the tree needs no flattening.
func countSpans(pc parser.Context, n int) {
	c, _ := pc.Get(spansKey).(int)
	pc.Set(spansKey, c+n)
}

// endSpans closes the count of a block's spans, noting whether the tree
// may need flattening.
func endSpans(pc parser.Context) {
	if spans, _ := pc.Get(spansKey).(int); spans > MaxNesting {
		pc.Set(deepKey, true)
	}
	pc.Set(spansKey, 0)
}

func budgetOf(pc parser.Context) *budget {
	if b, ok := pc.Get(budgetKey).(*budget); ok {
		return b
	}
	// Convert always sets a budget; a parse without one is unlimited.
	b := &budget{workLimit: 1 << 62, outLimit: 1 << 62}
	pc.Set(budgetKey, b)
	return b
}

// noteCapped remembers where nesting was first cut, for the warning.
func noteCapped(pc parser.Context, offset int) {
	if pc.Get(cappedKey) == nil {
		pc.Set(cappedKey, offset+1)
	}
}

// blockReader wraps the reader goldmark gives inline parsers. goldmark's
// Value walks back from the last line of the block to the segment's line,
// so every Value call in a paragraph of n lines costs n: a paragraph of
// 100,000 lines each holding a "](" costs 10^10. This Value finds the line
// by binary search and is otherwise identical. PeekLine advances the
// budget's clock.
type blockReader struct {
	text.Reader
	lines *text.Segments
	b     *budget
}

func readerFor(parent ast.Node, block text.Reader, pc parser.Context) *blockReader {
	r, _ := pc.Get(readerKey).(*blockReader)
	if r == nil {
		r = &blockReader{b: budgetOf(pc)}
		pc.Set(readerKey, r)
	}
	r.Reader, r.lines = block, parent.Lines()
	return r
}

func (r *blockReader) PeekLine() ([]byte, text.Segment) {
	r.b.tick()
	return r.Reader.PeekLine()
}

// Value returns the bytes of seg within the block, with the padding of
// each line it crosses, exactly as goldmark's blockReader does.
func (r *blockReader) Value(seg text.Segment) []byte {
	n := r.lines.Len()
	if n == 0 || seg.Start < r.lines.At(0).Start {
		return r.Reader.Value(seg)
	}
	// The last line that starts at or before seg.Start.
	line := sort.Search(n, func(i int) bool { return r.lines.At(i).Start > seg.Start }) - 1
	source := r.Source()
	ret := make([]byte, 0, seg.Stop-seg.Start+1)
	i := seg.Start
	for ; line < n; line++ {
		s := r.lines.At(line)
		if i < 0 {
			i = s.Start
		}
		ret = s.ConcatPadding(ret)
		if stop := min(seg.Stop, s.Stop); i < stop {
			ret = append(ret, source[i:stop]...)
		}
		i = -1
		if s.Stop > seg.Stop {
			break
		}
	}
	return ret
}

// ticking wraps an inline parser so that every call advances the budget's
// clock. The parsers written here tick themselves; the cheap and frequent
// ones (linkify at every space, task boxes) do not need to: the clock also
// advances at every line and at every bracket, backtick, delimiter and
// angle bracket.
type ticking struct{ parser.InlineParser }

func (t ticking) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	budgetOf(pc).tick()
	return t.InlineParser.Parse(parent, block, pc)
}

// links wraps goldmark's link parser. It counts the brackets open in the
// block and refuses a new one past MaxNesting (images nest, and every
// level costs recursion later), and it charges to the budget the bytes
// goldmark will scan for the destination of "](": that scan runs to the
// end of the line, so a line of n openers costs n².
type links struct{ parser.InlineParser }

func (l links) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	r := readerFor(parent, block, pc)
	open, _ := pc.Get(openLabelsKey).(int)
	line, seg := r.PeekLine()
	if len(line) == 0 {
		return nil
	}
	if line[0] == ']' {
		if open == 0 {
			return l.InlineParser.Parse(parent, r, pc) // no label to close: goldmark returns at once
		}
		pc.Set(openLabelsKey, open-1)
		if len(line) > 1 && line[1] == '(' {
			r.b.charge(destinationScan(r)+2, "link openers")
		}
		n := l.InlineParser.Parse(parent, r, pc)
		if n != nil {
			countSpans(pc, 1)
		}
		return n
	}
	if open >= MaxNesting {
		noteCapped(pc, seg.Start)
		return nil
	}
	n := l.InlineParser.Parse(parent, r, pc)
	if n != nil {
		pc.Set(openLabelsKey, open+1)
	}
	return n
}

func (l links) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	pc.Set(openLabelsKey, 0)
	l.InlineParser.(parser.CloseBlocker).CloseBlock(parent, block, pc)
}

// destinationScan returns how many bytes goldmark's parseLinkDestination
// will examine for the "](" at the reader's position: it skips the spaces
// after "(" (across a line end) and scans the line up to a space or an
// unbalanced ")", or for "<" up to ">". The reader is left where it was.
func destinationScan(r text.Reader) int {
	l, pos := r.Position()
	defer r.SetPosition(l, pos)
	r.Advance(2)
	r.SkipSpaces()
	line, _ := r.PeekLine()
	if len(line) > 0 && line[0] == '<' {
		for i := 1; i < len(line); i++ {
			if line[i] == '\\' && i < len(line)-1 && util.IsPunct(line[i+1]) {
				i++
			} else if line[i] == '>' {
				return i
			}
		}
		return len(line)
	}
	opened := 0
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i < len(line)-1 && util.IsPunct(line[i+1]):
			i++
		case c == '(':
			opened++
		case c == ')':
			opened--
			if opened < 0 {
				return i
			}
		case util.IsSpace(c):
			return i
		}
	}
	return len(line)
}

// nested wraps the parser of a container block (block quote, list,
// footnote definition) so that it does not open one more than MaxNesting
// containers deep: the marker is then read as text. goldmark walks every
// open container on every line, and the renderer recurses into each.
type nested struct{ parser.BlockParser }

func (n nested) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	depth := 0
	for p := parent; p != nil && depth < MaxNesting; p = p.Parent() {
		switch p.Kind() {
		case ast.KindBlockquote, ast.KindList, kindFootnote:
			depth++
		}
	}
	if depth >= MaxNesting {
		_, seg := reader.PeekLine()
		noteCapped(pc, seg.Start)
		return nil, parser.NoChildren
	}
	return n.BlockParser.Open(parent, reader, pc)
}

// headingGuard parses heading attributes ({#id .class}) only on headings
// whose last line is short and holds few braces: goldmark retries the
// attribute parser at every "{" and rebuilds the class list for every
// ".class", both quadratic in the line. Other headings keep their braces
// as text.
type headingGuard struct {
	with, without parser.BlockParser
	setext        bool // the attributes are on the paragraph line above
}

const (
	maxAttributeLine   = 1024
	maxAttributeBraces = 8
)

var plainHeadingKey = parser.NewContextKey() // map[ast.Node]bool: setext headings opened without attributes

func (h headingGuard) Trigger() []byte { return h.with.Trigger() }

func (h headingGuard) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	var line []byte
	if h.setext {
		if last := pc.LastOpenedBlock().Node; last != nil && last.Lines().Len() > 0 {
			seg := last.Lines().At(last.Lines().Len() - 1)
			line = seg.Value(reader.Source())
		}
	} else {
		line, _ = reader.PeekLine()
	}
	if attributesSafe(line) {
		return h.with.Open(parent, reader, pc)
	}
	node, state := h.without.Open(parent, reader, pc)
	if node != nil && h.setext {
		m, _ := pc.Get(plainHeadingKey).(map[ast.Node]bool)
		if m == nil {
			m = map[ast.Node]bool{}
			pc.Set(plainHeadingKey, m)
		}
		m[node] = true
	}
	return node, state
}

func (h headingGuard) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	return h.with.Continue(node, reader, pc)
}

func (h headingGuard) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	if m, _ := pc.Get(plainHeadingKey).(map[ast.Node]bool); m[node] {
		delete(m, node)
		h.without.Close(node, reader, pc)
		return
	}
	h.with.Close(node, reader, pc)
}

func (h headingGuard) CanInterruptParagraph() bool { return h.with.CanInterruptParagraph() }
func (h headingGuard) CanAcceptIndentedLine() bool { return h.with.CanAcceptIndentedLine() }

func attributesSafe(line []byte) bool {
	if bytes.IndexByte(line, '{') < 0 {
		return true
	}
	return len(line) <= maxAttributeLine && bytes.Count(line, []byte{'{'}) <= maxAttributeBraces
}
