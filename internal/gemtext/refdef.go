package gemtext

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// referenceDefinitions extracts link reference definitions ("[x]: /url
// "title"") from the start of a paragraph, as goldmark's
// LinkReferenceParagraphTransformer does, in linear time. goldmark's is
// quadratic in the lines of the paragraph twice over: every Value call
// walks back from the paragraph's last line, and every definition found
// re-copies the lines after it. A paragraph of 100,000 definitions took
// minutes.
//
// The parsing below follows goldmark's parseLinkReferenceDefinition
// (github.com/yuin/goldmark/parser/link_ref.go, MIT licence) step by step,
// reading through blockReader so that Value is cheap; the differential
// tests check that both give the same tree.
type referenceDefinitions struct{}

// linkClosure are goldmark's options for finding the end of a label or title.
var linkClosure = text.FindClosureOptions{Nesting: false, Newline: true, Advance: true}

func (referenceDefinitions) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	if lines.Len() == 0 {
		return
	}
	// Most paragraphs do not start with "[": leave them at once.
	first := lines.At(0)
	if line := first.Value(reader.Source()); len(bytes.TrimLeft(line, " ")) == 0 || bytes.TrimLeft(line, " ")[0] != '[' {
		return
	}
	block := &blockReader{Reader: text.NewBlockReader(reader.Source(), lines), lines: lines, b: budgetOf(pc)}
	var removes [][2]int
	for {
		ref, start, end := parseReferenceDefinition(block, pc)
		if start < 0 {
			break
		}
		if start == 0 {
			ref.SetBlankPreviousLines(node.HasBlankPreviousLines())
		}
		node.Parent().InsertBefore(node.Parent(), node, ref)
		for i := start + 1; i < end; i++ {
			ref.Lines().Append(lines.At(i))
		}
		seg := ref.Lines().At(ref.Lines().Len() - 1)
		ref.Lines().Set(ref.Lines().Len()-1, seg.TrimRightSpace(reader.Source()))
		if start == end {
			end++
		}
		removes = append(removes, [2]int{start, end})
	}
	if len(removes) == 0 {
		return
	}
	// The removed ranges are increasing and disjoint: keep what lies
	// between them, in one pass.
	kept := text.NewSegments()
	next := 0
	for _, rm := range removes {
		for i := next; i < rm[0] && i < lines.Len(); i++ {
			kept.Append(lines.At(i))
		}
		next = max(next, rm[1])
	}
	for i := next; i < lines.Len(); i++ {
		kept.Append(lines.At(i))
	}
	if kept.Len() == 0 {
		node.Parent().RemoveChild(node.Parent(), node)
		return
	}
	node.SetLines(kept)
}

// parseReferenceDefinition is goldmark's parseLinkReferenceDefinition.
func parseReferenceDefinition(block text.Reader, pc parser.Context) (*ast.LinkReferenceDefinition, int, int) {
	block.SkipSpaces()
	line, _ := block.PeekLine()
	if line == nil {
		return nil, -1, -1
	}
	startLine, _ := block.Position()
	width, pos := util.IndentWidth(line, 0)
	if width > 3 {
		return nil, -1, -1
	}
	if width != 0 {
		pos++
	}
	if line[pos] != '[' {
		return nil, -1, -1
	}
	_, startPos := block.Position()
	block.Advance(pos + 1)
	segments, found := block.FindClosure('[', ']', linkClosure)
	if !found {
		return nil, -1, -1
	}
	label := values(block, segments)
	if util.IsBlank(label) {
		return nil, -1, -1
	}
	if block.Peek() != ':' {
		return nil, -1, -1
	}
	block.Advance(1)
	block.SkipSpaces()
	destination, ok := linkDestination(block)
	if !ok {
		return nil, -1, -1
	}
	line, _ = block.PeekLine()
	isNewLine := line == nil || util.IsBlank(line)

	endLine, _ := block.Position()
	_, spaces, _ := block.SkipSpaces()
	opener := block.Peek()
	if opener != '"' && opener != '\'' && opener != '(' {
		if !isNewLine {
			return nil, -1, -1
		}
		return addReference(pc, label, destination, nil, startPos), startLine, endLine + 1
	}
	if spaces == 0 {
		return nil, -1, -1
	}
	block.Advance(1)
	closer := opener
	if opener == '(' {
		closer = ')'
	}
	segments, found = block.FindClosure(opener, closer, linkClosure)
	if !found {
		if !isNewLine {
			return nil, -1, -1
		}
		ref := addReference(pc, label, destination, nil, startPos)
		block.AdvanceLine()
		return ref, startLine, endLine + 1
	}
	title := values(block, segments)

	line, _ = block.PeekLine()
	if line != nil && !util.IsBlank(line) {
		if !isNewLine {
			return nil, -1, -1
		}
		return addReference(pc, label, destination, title, startPos), startLine, endLine
	}

	endLine, _ = block.Position()
	return addReference(pc, label, destination, title, startPos), startLine, endLine + 1
}

func addReference(pc parser.Context, label, destination, title []byte, start text.Segment) *ast.LinkReferenceDefinition {
	ref := ast.NewLinkReferenceDefinition(label, destination, title)
	ref.Lines().Append(start)
	pc.AddReference(parser.NewReference(label, destination, title))
	return ref
}

// values joins the bytes of segments read from block.
func values(block text.Reader, segments *text.Segments) []byte {
	if segments.Len() == 1 {
		return block.Value(segments.At(0))
	}
	var v []byte
	for i := range segments.Len() {
		v = append(v, block.Value(segments.At(i))...)
	}
	return v
}

// linkDestination is goldmark's parseLinkDestination.
func linkDestination(block text.Reader) ([]byte, bool) {
	block.SkipSpaces()
	line, _ := block.PeekLine()
	if block.Peek() == '<' {
		i := 1
		for i < len(line) {
			c := line[i]
			if c == '\\' && i < len(line)-1 && util.IsPunct(line[i+1]) {
				i += 2
				continue
			} else if c == '>' {
				block.Advance(i + 1)
				return line[1:i], true
			}
			i++
		}
		return nil, false
	}
	opened := 0
	i := 0
	for i < len(line) {
		c := line[i]
		if c == '\\' && i < len(line)-1 && util.IsPunct(line[i+1]) {
			i += 2
			continue
		} else if c == '(' {
			opened++
		} else if c == ')' {
			opened--
			if opened < 0 {
				break
			}
		} else if util.IsSpace(c) {
			break
		}
		i++
	}
	block.Advance(i)
	return line[:i], len(line[:i]) != 0
}
