package gemtext

import (
	"slices"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Footnotes as goldmark's footnote extension parses them
// (github.com/yuin/goldmark/extension/footnote.go, MIT licence), minus its
// two quadratic steps: every reference searched the list of definitions
// one by one, and the list was sorted by insertion. Definitions are parsed
// by goldmark's own block parser; references are looked up in a map, and
// the list is sorted with a real sort.

var kindFootnote = east.KindFootnote

var (
	footnotesKey     = parser.NewContextKey() // *footnotes
	footnoteLinksKey = parser.NewContextKey() // []*east.FootnoteLink
)

// footnotes is the list node goldmark builds and the definitions by label,
// the first definition of a label winning as in goldmark.
type footnotes struct {
	list    *east.FootnoteList
	byLabel map[string]*east.Footnote
}

// footnoteDefinitions wraps goldmark's footnote definition parser to record
// each definition as it closes.
type footnoteDefinitions struct{ parser.BlockParser }

func (f footnoteDefinitions) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	f.BlockParser.Close(node, reader, pc)
	fn, ok := node.(*east.Footnote)
	if !ok {
		return
	}
	notes, _ := pc.Get(footnotesKey).(*footnotes)
	if notes == nil {
		list, _ := fn.Parent().(*east.FootnoteList)
		notes = &footnotes{list: list, byLabel: map[string]*east.Footnote{}}
		pc.Set(footnotesKey, notes)
	}
	if _, dup := notes.byLabel[string(fn.Ref)]; !dup {
		notes.byLabel[string(fn.Ref)] = fn
	}
}

// footnoteReferences parses "[^label]" (and "![^label]") references to
// defined footnotes, numbering footnotes in the order of first reference.
type footnoteReferences struct{}

func (footnoteReferences) Trigger() []byte { return []byte{'!', '['} }

const footnoteLabelLimit = 999 // goldmark's, the same as CommonMark's for link labels

func (footnoteReferences) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	budgetOf(pc).tick()
	line, segment := block.PeekLine()
	pos := 1
	if len(line) > 0 && line[0] == '!' {
		pos++
	}
	if pos >= len(line) || line[pos] != '^' {
		return nil
	}
	pos++
	if pos >= len(line) {
		return nil
	}
	open := pos
	//lint:ignore SA1019 goldmark's footnote parser makes this very call; the same one gives the same labels
	closure := util.FindClosure(line[pos:min(len(line), pos+footnoteLabelLimit)], '[', ']', false, false)
	if closure < 0 {
		return nil
	}
	closes := pos + closure
	value := readerFor(parent, block, pc).Value(text.NewSegment(segment.Start+open, segment.Start+closes))
	block.Advance(closes + 1)

	notes, _ := pc.Get(footnotesKey).(*footnotes)
	if notes == nil || notes.list == nil {
		return nil
	}
	def := notes.byLabel[string(value)]
	if def == nil {
		return nil
	}
	if def.Index < 0 {
		notes.list.Count++
		def.Index = notes.list.Count
	}
	link := east.NewFootnoteLink(def.Index)
	links, _ := pc.Get(footnoteLinksKey).([]*east.FootnoteLink)
	pc.Set(footnoteLinksKey, append(links, link))
	if line[0] == '!' {
		parent.AppendChild(parent, ast.NewTextSegment(text.NewSegment(segment.Start, segment.Start+1)))
	}
	return link
}

// footnoteList moves the referenced footnotes, in reference order, to the
// end of the document with their back links, as goldmark's
// footnoteASTTransformer does.
type footnoteList struct{}

func (footnoteList) Transform(node *ast.Document, reader text.Reader, pc parser.Context) {
	notes, _ := pc.Get(footnotesKey).(*footnotes)
	links, _ := pc.Get(footnoteLinksKey).([]*east.FootnoteLink)
	pc.Set(footnotesKey, nil)
	pc.Set(footnoteLinksKey, nil)
	if notes == nil || notes.list == nil {
		return
	}
	list := notes.list
	counter := map[int]int{}
	for _, l := range links {
		if l.Index >= 0 {
			counter[l.Index]++
		}
	}
	refIndex := map[int]int{}
	for _, l := range links {
		l.RefCount = counter[l.Index]
		l.RefIndex = refIndex[l.Index]
		refIndex[l.Index]++
	}
	var kept []*east.Footnote
	for n := list.FirstChild(); n != nil; {
		next := n.NextSibling()
		fn := n.(*east.Footnote)
		if fn.Index < 0 {
			list.RemoveChild(list, n)
		} else {
			var container ast.Node = fn
			if last := fn.LastChild(); last != nil && ast.IsParagraph(last) {
				container = last
			}
			refs := counter[fn.Index]
			for i := range max(refs, 1) {
				back := east.NewFootnoteBacklink(fn.Index)
				back.RefCount = refs
				back.RefIndex = i
				container.AppendChild(container, back)
			}
			kept = append(kept, fn)
		}
		n = next
	}
	slices.SortFunc(kept, func(a, b *east.Footnote) int { return a.Index - b.Index })
	for _, fn := range kept {
		list.AppendChild(list, fn) // moves it to the end, in order
	}
	if list.Count <= 0 {
		list.Parent().RemoveChild(list.Parent(), list)
		return
	}
	node.AppendChild(node, list)
}
