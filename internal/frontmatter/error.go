package frontmatter

import (
	"strconv"
	"strings"
)

// Error is one front-matter problem with its position. Line is the absolute
// 1-based line in the file (not relative to the front-matter block); 0 means
// the position is unknown. Key is the front-matter key concerned, dotted for
// nested keys ("taxonomies.tags"), or "" for syntax errors.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
	Err  error // underlying cause, if any; see Unwrap
}

// Error reads "FILE:LINE: KEY: MSG: ERR", leaving out the parts that are
// empty or zero (so "FILE: MSG" when the line is unknown).
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause, so errors.Is and errors.As see it.
func (e *Error) Unwrap() error { return e.Err }

// syntaxError rewords a library's syntax error (dropping its block-relative
// line) and still unwraps to it.
type syntaxError struct {
	msg string
	err error
}

func (e *syntaxError) Error() string { return e.msg }
func (e *syntaxError) Unwrap() error { return e.err }
