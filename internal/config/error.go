package config

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"broadside/internal/diag"
)

// Codes of configuration problems, stable for tools and tests.
const (
	CodeSyntax     = "config/syntax"      // the file is not valid TOML
	CodeUnknownKey = "config/unknown-key" // a key Broadside does not have
	CodeType       = "config/type"        // a value of the wrong TOML type
	CodeValue      = "config/value"       // a value of the right type that is not allowed
	CodeRead       = "config/read"        // the file cannot be read
)

// Error is one configuration problem. Key is the dotted TOML key
// ("gemini.listen"), or "" for a syntax error; Line is the 1-based line in
// the file, 0 when unknown (a default, or no file). Code says what kind of
// problem it is; "" reads as CodeValue.
type Error struct {
	File string
	Line int
	Key  string
	Code string
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
	b.WriteString(e.message())
	return b.String()
}

// message is the text without the position: "KEY: MSG: ERR".
func (e *Error) message() string {
	var b strings.Builder
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

// Diagnostic returns e in the shared diagnostic form; every configuration
// problem is an error.
func (e *Error) Diagnostic() diag.Diagnostic {
	code := e.Code
	if code == "" {
		code = CodeValue
	}
	return diag.Diagnostic{File: e.File, Line: e.Line, Severity: diag.Error, Code: code, Message: e.message()}
}

// Diagnostics returns the problems of an error from Load or Parse as
// diagnostics, in the order given, for "broadside check". An error that is
// not an *Error (the file cannot be read) becomes one diagnostic on file.
func Diagnostics(err error, file string) []diag.Diagnostic {
	var out []diag.Diagnostic
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var ce *Error
		if errors.As(err, &ce) {
			out = append(out, ce.Diagnostic())
			return
		}
		out = append(out, diag.Diagnostic{File: file, Severity: diag.Error, Code: CodeRead, Message: err.Error()})
	}
	if err != nil {
		walk(err)
	}
	return out
}

// exampleKey matches a key line of Example, commented out or not, and a
// table header.
var (
	exampleKey   = regexp.MustCompile(`(?m)^#? ?([a-z_]+) = `)
	exampleTable = regexp.MustCompile(`(?m)^#? ?\[\[?([a-z_.]+)\]\]?`)
)

// knownKeys lists every dotted key Example documents, commented-out ones
// included: Example is the one complete list of keys.
func knownKeys() []string {
	var keys []string
	table := ""
	for line := range strings.Lines(Example) {
		if m := exampleTable.FindStringSubmatch(line); m != nil {
			table = m[1]
			keys = append(keys, table)
			continue
		}
		if m := exampleKey.FindStringSubmatch(line); m != nil {
			k := m[1]
			if table != "" {
				k = table + "." + k
			}
			keys = append(keys, k)
		}
	}
	return keys
}

// unknownKeyMsg is the message for an unknown key, suggesting the nearest
// documented key.
func unknownKeyMsg(key string) string {
	if s := diag.Suggest(key, knownKeys()); s != "" {
		return "unknown key, did you mean " + s + "?"
	}
	return "unknown key"
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }
