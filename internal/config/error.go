package config

import (
	"strconv"
	"strings"
)

// Error is one configuration problem. Key is the dotted TOML key
// ("gemini.listen"), or "" for a syntax error; Line is the 1-based line in
// the file, 0 when unknown (a default, or no file).
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
	Err  error // underlying cause, if any; see Unwrap
}

// Error reads "FILE:LINE: KEY: MSG: ERR", leaving out empty parts.
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

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }
