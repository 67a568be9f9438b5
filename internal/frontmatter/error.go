package frontmatter

import (
	"strconv"
	"strings"

	"broadside/internal/diag"
)

// Codes of the problems Parse reports, stable for tools and tests.
const (
	CodeSyntax        = "frontmatter/syntax"         // the block is not valid YAML or TOML: every field is lost
	CodeUnclosed      = "frontmatter/unclosed"       // an opening delimiter without a closing one
	CodeNotMapping    = "frontmatter/not-a-mapping"  // the block is a list or a scalar, not key: value lines
	CodeUnknownKey    = "frontmatter/unknown-key"    // a key no field or known generator uses (warning)
	CodeType          = "frontmatter/type"           // a value of the wrong type for its field
	CodeDate          = "frontmatter/date"           // a date that cannot be read
	CodeValue         = "frontmatter/value"          // a value of the right type that is still unusable (a language tag, an author table)
	CodeDuplicateKey  = "frontmatter/duplicate-key"  // the same field twice (keys match case-insensitively)
	CodeTags          = "frontmatter/tags"           // tags over the count or length limits, dropped (warning)
	CodeEncoding      = "frontmatter/encoding"       // invalid UTF-8 replaced with U+FFFD (warning)
	CodeDraftFallback = "frontmatter/draft-fallback" // a broken block that says draft: true is held back as a draft (warning)
	CodeTooLarge      = "frontmatter/too-large"      // a value that expands past the node budget (YAML aliases)
	CodeMore          = "frontmatter/more"           // the count of problems past MaxDiagnostics
)

// Error is one front-matter problem with its position. Line is the absolute
// 1-based line in the file (not relative to the front-matter block); 0 means
// the position is unknown. Col is the 1-based byte column, 0 if unknown.
// Key is the front-matter key concerned, dotted for nested keys
// ("taxonomies.tags"), or "" for syntax errors.
type Error struct {
	File     string
	Line     int
	Col      int
	Key      string
	Code     string
	Severity diag.Severity
	Msg      string
	Err      error // underlying cause, if any; see Unwrap
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

// Unwrap returns the underlying cause, so errors.Is and errors.As see it.
func (e *Error) Unwrap() error { return e.Err }

// Diagnostic returns e in the shared diagnostic form.
func (e *Error) Diagnostic() diag.Diagnostic {
	return diag.Diagnostic{File: e.File, Line: e.Line, Col: e.Col, Severity: e.Severity, Code: e.Code, Message: e.message()}
}

// syntaxError rewords a library's syntax error (dropping its block-relative
// line) and still unwraps to it.
type syntaxError struct {
	msg string
	err error
}

func (e *syntaxError) Error() string { return e.msg }
func (e *syntaxError) Unwrap() error { return e.err }
