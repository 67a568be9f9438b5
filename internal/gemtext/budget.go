package gemtext

import (
	"fmt"
	"strings"
	"time"
)

// The limits that keep one conversion bounded whatever the input. Markdown
// parsers, goldmark included, have inputs on which they go quadratic (a line
// of 50,000 "[a](" openers, 100,000 reference definitions in one
// paragraph). The hardened parser (parser.go) removes the ones it can and
// charges the rest to a budget; a conversion over budget is served as plain
// preformatted text with a warning that gives the reason.
const (
	// MaxNesting is the deepest nesting of block quotes, lists and
	// footnote definitions, and of links, images, emphasis and
	// strikethrough within a line, that is parsed as such. Deeper markers
	// are shown as text. Nobody nests 32 levels on purpose, and a cap
	// keeps both the parser (which walks every open level on every line)
	// and the renderer (which recurses) linear and shallow.
	MaxNesting = 32

	// workPerByte and workBase size the work budget: the bytes the link
	// parser may scan ahead for destinations and titles, summed over
	// every link opener. A document that is all links scans each byte
	// about once, so 8 times the input is far above any real document.
	workPerByte = 8
	workBase    = 1 << 20

	// outputPerByte and outputBase bound the gemtext produced, so that a
	// reference definition used a million times cannot turn 8 MB into
	// gigabytes.
	outputPerByte = 4
	outputBase    = 64 << 10

	// deadlineBase and deadlinePerMiB are the last resort: a wall-clock
	// limit checked as parsing advances. The deterministic limits above
	// catch every hostile input we know of long before it; the deadline
	// is for the ones we do not know, and is far above what a real
	// document takes even on a loaded machine under the race detector.
	deadlineBase   = 5 * time.Second
	deadlinePerMiB = time.Second
)

// budget tracks the work and the output of one conversion. It lives in the
// goldmark parse context and in the renderer; it is never shared.
type budget struct {
	work, workLimit int64
	outLimit        int
	deadline        time.Time // zero: none
	ticks           uint32
}

// overBudget is the panic value that abandons a conversion; Convert
// recovers it and serves the document as plain text.
type overBudget struct{ reason string }

func newBudget(size int, deadline time.Duration) *budget {
	b := &budget{
		workLimit: int64(size)*workPerByte + workBase,
		outLimit:  size*outputPerByte + outputBase,
	}
	if deadline == 0 {
		deadline = deadlineBase + time.Duration(size)*deadlinePerMiB/(1<<20)
	}
	if deadline > 0 {
		b.deadline = time.Now().Add(deadline)
	}
	return b
}

// charge adds n units of work done on behalf of what, and abandons the
// conversion when the total goes over the limit.
func (b *budget) charge(n int, what string) {
	b.work += int64(n)
	if b.work > b.workLimit {
		panic(overBudget{fmt.Sprintf("%s: parsing would scan more than %d bytes", what, b.workLimit)})
	}
	b.tick()
}

// tick is called as parsing advances; every 1024 ticks it checks the clock.
func (b *budget) tick() {
	b.ticks++
	if b.ticks%1024 == 0 && !b.deadline.IsZero() && time.Now().After(b.deadline) {
		panic(overBudget{"conversion took too long"})
	}
}

// plainDocument is the fallback for input that cannot be converted within
// the budget: the normalised source as one preformatted block, so that
// nothing the author wrote is lost and nothing is interpreted. Lines that
// would close the block are neutralised like any other.
func plainDocument(src []byte) *Document {
	var o output
	o.b = make([]byte, 0, len(src)+32)
	s := strings.TrimRight(string(src), "\n")
	if strings.TrimSpace(s) == "" {
		return &Document{}
	}
	o.line("```")
	for len(s) > 0 {
		line, rest, _ := strings.Cut(s, "\n")
		o.pre([]byte(line))
		s = rest
	}
	o.line("```")
	return &Document{Gemtext: o.b, Words: countWords(string(src))}
}
