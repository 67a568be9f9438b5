// Package diag defines Diagnostic, the one report of a problem an author or
// operator can fix: in the config, a file's front matter, its conversion, a
// link, a certificate or a setting. Each is made where the problem is found,
// carried with the snapshot, printed by "broadside check" (gcc style, or
// JSON) and logged once by "broadside serve".
//
// It is a leaf package: every other package may import it, it imports none
// of them.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity grades a Diagnostic. The zero value is Warning.
type Severity int

const (
	// Warning is worth fixing, but what the author meant is published.
	Warning Severity = iota
	// Error means something was lost or refused: a file or a key that
	// could not be read, a link that leads nowhere, a certificate that
	// will not be accepted. "broadside check" exits 1.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// MarshalText writes "error" or "warning".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "error" or "warning".
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	default:
		return fmt.Errorf("unknown severity %q", b)
	}
	return nil
}

// Diagnostic is one problem, placed as precisely as it is known.
type Diagnostic struct {
	// File is the slash-separated path relative to the capsule for content
	// problems, or the config file's path as the user named it.
	File string `json:"file"`
	// Line and Col are 1-based; 0 means the whole file (Line) or the whole
	// line (Col).
	Line     int      `json:"line"`
	Col      int      `json:"column"`
	Severity Severity `json:"severity"`
	// Code is a stable identifier of the kind of problem, "area/what" in
	// lower-case with hyphens (e.g. "frontmatter/unknown-key"), for tools
	// and tests; the Message is for people and may change.
	Code    string `json:"code"`
	Message string `json:"message"`
}

// String formats d the way gcc does, so editors jump to it:
// "FILE:LINE:COL: error: message", leaving out an unknown column or line.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		b.WriteString(":" + strconv.Itoa(d.Line))
		if d.Col > 0 {
			b.WriteString(":" + strconv.Itoa(d.Col))
		}
	}
	b.WriteString(": " + d.Severity.String() + ": " + d.Message)
	return b.String()
}

// Compare orders diagnostics by file, line, column, then errors before
// warnings, code and message, so that sorted output is stable.
func Compare(a, b Diagnostic) int {
	return cmp.Or(
		strings.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Col, b.Col),
		cmp.Compare(b.Severity, a.Severity),
		strings.Compare(a.Code, b.Code),
		strings.Compare(a.Message, b.Message),
	)
}

// Sort orders ds with Compare.
func Sort(ds []Diagnostic) { slices.SortStableFunc(ds, Compare) }

// Count returns how many of ds are errors and how many warnings.
func Count(ds []Diagnostic) (errors, warnings int) {
	for _, d := range ds {
		if d.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}
