package gemtext

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// tablePipes removes the backslash of "\|" inside code spans in table
// cells, where GFM allows an escaped pipe to reach the code. goldmark's
// table extension does it with a transformer that, for every such cell,
// loops over every escaped pipe of the document: quadratic. Each cell only
// holds its own pipes, so this looks at each code span's text once.
type tablePipes struct{}

func (tablePipes) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	if pc.Get(pipesKey) == nil {
		return
	}
	src := reader.Source()
	walk(doc, func(n ast.Node) bool {
		switch n.Kind() {
		case east.KindTableCell:
			walk(n, func(c ast.Node) bool {
				if c.Kind() == ast.KindCodeSpan {
					splitPipes(c, src)
					return false
				}
				return true
			})
			return false
		case ast.KindParagraph, ast.KindHeading, ast.KindTextBlock, ast.KindCodeBlock,
			ast.KindFencedCodeBlock, ast.KindHTMLBlock:
			return false // no table inside
		}
		return true
	})
}

// splitPipes drops the backslash before each "|" in the text of code span
// n, splitting the text node there as goldmark does.
func splitPipes(n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		t, ok := c.(*ast.Text)
		if !ok {
			c = next
			continue
		}
		seg := t.Segment
		cur := ast.Node(t)
		for i := seg.Start; i+1 < seg.Stop; i++ {
			if src[i] != '\\' || src[i+1] != '|' {
				continue
			}
			s := cur.(*ast.Text).Segment
			left := ast.NewRawTextSegment(s.WithStop(i))
			right := ast.NewRawTextSegment(s.WithStart(i + 1))
			n.InsertAfter(n, cur, left)
			n.InsertAfter(n, left, right)
			n.RemoveChild(n, cur)
			cur = right
		}
		c = next
	}
}

// flatten unwraps inline spans (emphasis, strikethrough, links, images)
// nested more than MaxNesting deep, keeping their content: "*a **a *a ..."
// repeated 100,000 times nests 100,000 deep, and the renderer recurses.
type flatten struct{}

func (flatten) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	if pc.Get(deepKey) == nil {
		return
	}
	type frame struct {
		n     ast.Node
		depth int // inline spans above n
	}
	stack := []frame{{doc, 0}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := f.n.FirstChild(); c != nil; {
			next := c.NextSibling()
			depth := f.depth
			if isSpan(c) {
				if depth >= MaxNesting {
					if first := c.FirstChild(); first != nil {
						for g := first; g != nil; {
							gn := g.NextSibling()
							f.n.InsertBefore(f.n, c, g)
							g = gn
						}
						next = first // look at the moved children at this level
					}
					noteCapped(pc, max(c.Pos(), 0))
					f.n.RemoveChild(f.n, c)
					c = next
					continue
				}
				depth++
			}
			if c.HasChildren() {
				stack = append(stack, frame{c, depth})
			}
			c = next
		}
	}
}

func isSpan(n ast.Node) bool {
	switch n.Kind() {
	case ast.KindEmphasis, ast.KindLink, ast.KindImage, east.KindStrikethrough:
		return true
	}
	return false
}

// walk visits n and its descendants in document order without recursion,
// entering a node's children only when visit returns true.
func walk(n ast.Node, visit func(ast.Node) bool) {
	stack := []ast.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !visit(n) {
			continue
		}
		for c := n.LastChild(); c != nil; c = c.PreviousSibling() {
			stack = append(stack, c)
		}
	}
}

// tables wraps goldmark's table paragraph transformer, which gives every
// row as many cells as the header has, empty ones included (as GFM says):
// a header of 5,000 columns over 5,000 one-word lines makes 25 million
// cells. A paragraph whose table would hold more cells than it has bytes
// (plus a constant) stays a paragraph.
type tables struct{ parser.ParagraphTransformer }

const maxTableCells = 64 << 10

var tableCappedKey = parser.NewContextKey() // int: source offset of the first refused table, +1

func (t tables) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	src := reader.Source()
	if lines.Len() < 2 {
		return // goldmark's transformer needs a header and a delimiter row
	}
	size := -1
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		line := seg.Value(src)
		if bytes.IndexByte(line, '|') < 0 && bytes.IndexByte(line, '-') < 0 {
			continue
		}
		cols, dash := 1, false
	scan:
		for _, c := range line {
			switch c {
			case '|':
				cols++
			case '-':
				dash = true
			case ':', ' ', '\t', '\n', '\r':
			default:
				dash = false
				break scan
			}
		}
		if !dash {
			continue
		}
		if size < 0 {
			size = 0
			for j := range lines.Len() {
				seg := lines.At(j)
				size += seg.Len()
				if pc.Get(pipesKey) == nil && bytes.Contains(seg.Value(src), []byte("\\|")) {
					pc.Set(pipesKey, true)
				}
			}
		}
		if cols*(lines.Len()-i) > size+maxTableCells {
			if pc.Get(tableCappedKey) == nil {
				pc.Set(tableCappedKey, lines.At(0).Start+1)
			}
			return
		}
	}
	t.ParagraphTransformer.Transform(node, reader, pc)
}
