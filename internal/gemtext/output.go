package gemtext

import (
	"bytes"
	"fmt"
)

// output accumulates gemtext lines and enforces rule 18: LF endings, one
// final newline, no trailing white space on lines outside preformatted
// blocks and never more than one blank line in a row (blank lines are only
// ever written between blocks, on request).
type output struct {
	b     []byte
	blank bool // a blank line is due before the next line
	limit int  // the most bytes b may hold; 0: no limit
}

// sep asks for one blank line before the next line. Repeated calls still
// give one blank line, and none is written at the start or end.
func (o *output) sep() {
	if len(o.b) > 0 {
		o.blank = true
	}
}

// line writes s as one line without its trailing spaces and tabs.
func (o *output) line(s string) {
	o.startLine()
	end := len(s)
	for end > 0 && (s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	o.b = append(o.b, s[:end]...)
	o.b = append(o.b, '\n')
	o.check()
}

// pre writes v verbatim as a line inside a preformatted block, neutralising
// a line that would otherwise close the block (rule 3).
func (o *output) pre(v []byte) {
	o.startLine()
	if bytes.HasPrefix(v, []byte("```")) {
		o.b = append(o.b, Neutraliser...)
	}
	o.b = append(o.b, v...)
	o.b = append(o.b, '\n')
	o.check()
}

// check abandons the conversion when the output outgrows its limit.
func (o *output) check() {
	if o.limit > 0 && len(o.b) > o.limit {
		panic(overBudget{fmt.Sprintf("the converted text would be larger than %d bytes", o.limit)})
	}
}

func (o *output) startLine() {
	if o.blank {
		o.b = append(o.b, '\n')
		o.blank = false
	}
}
