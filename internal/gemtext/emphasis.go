package gemtext

import (
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// delimiters parses the delimiter runs of emphasis (* and _) and
// strikethrough (~ and ~~) as goldmark's emphasis and strikethrough parsers
// do, but does not hand them to goldmark's delimiter list: goldmark matches
// that list by searching back from every closer to the start of the
// paragraph, which is quadratic in unmatched delimiters ("*a_ " repeated
// 20,000 times takes seconds). The runs stay in the tree as
// *parser.Delimiter nodes and CloseBlock matches them with the CommonMark
// algorithm and its "openers bottom" bounds, in linear time.
type delimiters struct{}

// scanner is the DelimiterProcessor parser.ScanDelimiter needs to know
// which bytes delimit; matching is done by matchDelimiters.
type scanner struct{}

func (scanner) IsDelimiter(b byte) bool { return b == '*' || b == '_' || b == '~' }
func (scanner) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}
func (scanner) OnMatch(consumes int) ast.Node { return ast.NewEmphasis(consumes) }

func (delimiters) Trigger() []byte { return []byte{'*', '_', '~'} }

func (delimiters) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	budgetOf(pc).tick()
	before := block.PrecendingCharacter()
	line, segment := block.PeekLine()
	d := parser.ScanDelimiter(line, before, 1, scanner{})
	if d == nil {
		return nil
	}
	// GFM strikethrough: one or two tildes, not part of a longer run.
	if d.Char == '~' && (d.OriginalLength > 2 || before == '~') {
		return nil
	}
	d.Segment = segment.WithStop(segment.Start + d.OriginalLength)
	block.Advance(d.OriginalLength)
	pc.Set(delimitersKey, true)
	return d
}

var delimitersKey = parser.NewContextKey() // bool: the current block has delimiter runs

// CloseBlock matches the delimiters of the finished block: those directly
// inside each link or image among themselves (goldmark matches a link's
// label when the link closes), then those of the block itself.
func (delimiters) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	if pc.Get(delimitersKey) == nil {
		endSpans(pc)
		return
	}
	pc.Set(delimitersKey, nil)
	stack := []ast.Node{parent}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		has := false
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c.(type) {
			case *parser.Delimiter:
				has = true
			case *ast.Link, *ast.Image:
				stack = append(stack, c)
			}
		}
		if has {
			countSpans(pc, matchDelimiters(n))
		}
	}
	endSpans(pc)
}

// delim is one delimiter run in the list being matched.
type delim struct {
	d          *parser.Delimiter
	prev, next int // neighbours still in the list, -1 at the ends
}

// matchDelimiters turns the delimiter runs among the children of n into
// emphasis and strikethrough nodes, with goldmark's rules (ProcessDelimiters
// and Delimiter.CalcComsumption): a closer pairs with the nearest earlier
// opener of the same character unless the rule of three forbids it; two
// characters are used when both runs have two left. Runs left over become
// text.
//
// A closer that finds no opener records where its search stopped, per
// character, per whether it can also open and per its length modulo 3 (the
// inputs of the rule of three); the next closer of the same class searches
// no further down, since nothing below can have become a match. Every
// search therefore either ends at an opener, removing everything it passed,
// or raises its class's floor: linear time, with 18 classes. It returns
// the number of spans made.
func matchDelimiters(n ast.Node) int {
	var list []delim
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if d, ok := c.(*parser.Delimiter); ok {
			list = append(list, delim{d: d, prev: len(list) - 1, next: len(list) + 1})
		}
	}
	list[len(list)-1].next = -1
	var bottom [3][2][3]int
	for i := range bottom {
		for j := range bottom[i] {
			for k := range bottom[i][j] {
				bottom[i][j][k] = -1
			}
		}
	}
	first, spans := 0, 0
	unlink := func(i int) {
		p, nx := list[i].prev, list[i].next
		if p >= 0 {
			list[p].next = nx
		} else {
			first = nx
		}
		if nx >= 0 {
			list[nx].prev = p
		}
	}
	closer := first
	for closer >= 0 {
		c := list[closer].d
		if !c.CanClose {
			closer = list[closer].next
			continue
		}
		floor := &bottom[charClass(c.Char)][boolIndex(c.CanOpen)][c.OriginalLength%3]
		opener, consume := -1, 0
		for o := list[closer].prev; o > *floor; o = list[o].prev {
			od := list[o].d
			if od.CanOpen && od.Char == c.Char {
				if consume = od.CalcComsumption(c); consume > 0 {
					opener = o
					break
				}
			}
		}
		if opener < 0 {
			*floor = list[closer].prev
			next := list[closer].next
			if !c.CanOpen {
				unlink(closer)
				toText(c)
			}
			closer = next
			continue
		}
		o := list[opener].d
		o.ConsumeCharacters(consume)
		c.ConsumeCharacters(consume)
		var span ast.Node
		if c.Char == '~' {
			span = east.NewStrikethrough()
		} else {
			span = ast.NewEmphasis(consume)
		}
		span.(interface{ SetPos(int) }).SetPos(o.Segment.Start)
		spans++
		parent := o.Parent()
		for child := o.NextSibling(); child != nil && child != ast.Node(c); {
			next := child.NextSibling()
			span.AppendChild(span, child)
			child = next
		}
		parent.InsertAfter(parent, o, span)
		for i := list[opener].next; i != closer; {
			next := list[i].next
			unlink(i)
			toText(list[i].d)
			i = next
		}
		if o.Length == 0 {
			unlink(opener)
			parent.RemoveChild(parent, o)
		}
		if c.Length == 0 {
			next := list[closer].next
			unlink(closer)
			c.Parent().RemoveChild(c.Parent(), c)
			closer = next
		}
	}
	for i := first; i >= 0; i = list[i].next {
		toText(list[i].d)
	}
	return spans
}

// toText replaces a delimiter run that matched nothing (or what is left of
// it) by its characters, as goldmark's RemoveDelimiter does.
func toText(d *parser.Delimiter) {
	p := d.Parent()
	if d.Length != 0 {
		ast.MergeOrReplaceTextSegment(p, d, d.Segment)
	} else {
		p.RemoveChild(p, d)
	}
}

func charClass(c byte) int {
	switch c {
	case '*':
		return 0
	case '_':
		return 1
	}
	return 2
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// codeSpans parses code spans as goldmark's code span parser does
// (github.com/yuin/goldmark/parser/code_span.go, MIT licence), which looks
// for a closing run of exactly as many backticks as the opener, to the
// end of the block. goldmark starts that search afresh for every opener,
// so "\“" repeated 20,000 times (each opener one backtick, each run after
// it two) costs seconds. A search that fails has seen every backtick run up
// to the end of the block: codeSpans remembers where each length last
// occurs, and a later opener with no run of its length after it fails at
// once.
type codeSpans struct{}

var codeRunsKey = parser.NewContextKey() // *codeRuns of the current block

// codeRuns records the backtick runs seen by a search that failed.
type codeRuns struct {
	from int         // source offset of the opener whose search failed
	last map[int]int // run length to the source offset of its last run
}

func (codeSpans) Trigger() []byte { return []byte{'`'} }

func (codeSpans) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	budgetOf(pc).tick()
	line, startSegment := block.PeekLine()
	opener := 0
	for ; opener < len(line) && line[opener] == '`'; opener++ {
	}
	start := startSegment.Start - startSegment.Padding
	if runs, _ := pc.Get(codeRunsKey).(*codeRuns); runs != nil && start >= runs.from {
		if last, ok := runs.last[opener]; !ok || last <= start {
			block.Advance(opener)
			return ast.NewTextSegment(startSegment.WithStop(startSegment.Start + opener))
		}
	}
	block.Advance(opener)
	l, pos := block.Position()
	node := ast.NewCodeSpan()
	seen := map[int]int{}
	for {
		line, segment := block.PeekLine()
		if line == nil {
			block.SetPosition(l, pos)
			pc.Set(codeRunsKey, &codeRuns{from: start, last: seen})
			return ast.NewTextSegment(startSegment.WithStop(startSegment.Start + opener))
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '`' {
				oldi := i
				for ; i < len(line) && line[i] == '`'; i++ {
				}
				closure := i - oldi
				if closure == opener && (i >= len(line) || line[i] != '`') {
					segment = segment.WithStop(segment.Start + i - closure)
					if !segment.IsEmpty() {
						node.AppendChild(node, ast.NewRawTextSegment(segment))
					}
					block.Advance(i)
					goto end
				}
				seen[closure] = segment.Start - segment.Padding + oldi
			}
		}
		node.AppendChild(node, ast.NewRawTextSegment(segment))
		block.AdvanceLine()
	}
end:
	if !node.IsBlank(block.Source()) {
		// Trim one space at each end when both ends have one.
		first := node.FirstChild().(*ast.Text)
		last := node.LastChild().(*ast.Text)
		src := block.Source()
		if !first.Segment.IsEmpty() && isSpaceOrNewline(src[first.Segment.Start]) &&
			!last.Segment.IsEmpty() && isSpaceOrNewline(src[last.Segment.Stop-1]) {
			first.Segment = first.Segment.WithStart(first.Segment.Start + 1)
			last.Segment = last.Segment.WithStop(last.Segment.Stop - 1)
		}
	}
	return node
}

// CloseBlock forgets the runs of the finished block.
func (codeSpans) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	pc.Set(codeRunsKey, nil)
}

func isSpaceOrNewline(c byte) bool { return c == ' ' || c == '\n' }
