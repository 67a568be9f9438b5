// Package frontmatter splits a Markdown file into its front matter and body
// and decodes the front matter (YAML between "---" lines, TOML between "+++"
// lines) into Meta, with Hugo, Jekyll and Zola key names.
//
// Parsing never loses the body: a broken block is reported with the file and
// the absolute line of each problem, and every field that could be decoded
// is still returned. Whether a document with errors is published is the
// caller's decision.
package frontmatter

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"broadside/internal/diag"
)

// Format is the front-matter syntax of a document.
type Format int

// The front-matter formats.
const (
	None Format = iota // no front matter
	YAML               // between "---" lines
	TOML               // between "+++" lines
)

// Document is a split and decoded Markdown file.
type Document struct {
	Meta     Meta
	Format   Format
	Body     []byte // everything after the closing delimiter line, or the whole (BOM-stripped) input; shares memory with the input
	BodyLine int    // 1-based file line where Body starts: 1 + the number of LFs before it
	// Diagnostics lists every problem, errors and warnings, in line
	// order. An error means something the author wrote was lost: a
	// field, or with a syntax error the whole block.
	Diagnostics []diag.Diagnostic

	keys map[string][2]int // lower-cased top-level key -> line, column
}

// Broken reports whether the front matter has an error: what it says is
// not all there.
func (d *Document) Broken() bool {
	n, _ := diag.Count(d.Diagnostics)
	return n > 0
}

// Position returns the line and column of a top-level key (matched
// case-insensitively), or 0, 0 when the front matter does not have it.
func (d *Document) Position(key string) (line, col int) {
	p := d.keys[strings.ToLower(key)]
	return p[0], p[1]
}

// Parse splits src and decodes its front matter. file is used only in
// messages. Dates without a zone are in loc (nil means UTC).
//
// Front matter exists only when line 1, after an optional UTF-8 BOM, is
// "---" or "+++" and a later line is the same delimiter. Delimiter lines may
// end in CR (CRLF files) and trailing spaces or tabs, and nothing else. A
// block that is opened and never closed is an error, and the whole input
// is the body.
//
// Every key is checked against one schema for both syntaxes: unknown keys
// are warnings (suggesting the nearest known key), values of the wrong
// type and unreadable dates are errors at the key's line. Invalid UTF-8 in
// the block is replaced with U+FFFD, with a warning. When the block has an
// error and the file says "draft: true" or "published: false" anywhere,
// Meta.Draft is set: an author's "not yet" survives a syntax error.
//
// Parse always returns a non-nil Document with every problem in
// Diagnostics. The error, if any, joins the errors among them as *Error
// values, each with the absolute line in the file; the Document then still
// holds the body and every field that decoded.
func Parse(file string, src []byte, loc *time.Location) (*Document, error) {
	src = bytes.TrimPrefix(src, bom)
	b := split(src)
	doc := &Document{Format: b.format, Body: b.body, BodyLine: b.bodyLine, keys: map[string][2]int{}}
	var problems []*Error
	switch {
	case b.unclosed:
		// CONVERSION.md: an unclosed block is body text plus a warning,
		// so the file is still published (as a page, read whole).
		problems = append(problems, &Error{File: file, Line: 1, Col: 1, Code: CodeUnclosed, Severity: diag.Warning,
			Msg: fmt.Sprintf("front matter opened by %q is never closed, so the whole file is read as body: end it with a line of %s (a horizontal rule at the top is written ***)",
				b.openDelim, b.openDelim)})
	case b.format != None:
		data := b.data
		if !utf8.Valid(data) {
			line := b.dataLine + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
			problems = append(problems, &Error{File: file, Line: line, Code: CodeEncoding, Severity: diag.Warning,
				Msg: "invalid UTF-8 replaced with U+FFFD; save the file as UTF-8"})
			data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
		}
		last := b.bodyLine - 1 // the closing delimiter
		var entries []entry
		var errs []*Error
		if b.format == YAML {
			entries, errs = yamlEntries(file, data, b.dataLine, last)
		} else {
			entries, errs = tomlEntries(file, data, b.dataLine, last)
		}
		for _, e := range entries {
			k := strings.ToLower(e.key)
			if _, ok := doc.keys[k]; !ok {
				doc.keys[k] = [2]int{e.val.line, e.val.col}
			}
		}
		m, ferrs := decodeMeta(file, b.format, entries, loc)
		doc.Meta = m
		problems = append(problems, append(errs, ferrs...)...)
	}
	var joined []error
	for _, p := range problems {
		if p.Severity == diag.Error {
			joined = append(joined, p)
		}
	}
	// An unclosed block is read as body, but if it asks for a draft the
	// author's "not yet" stands, as for a block with errors.
	if (len(joined) > 0 || b.unclosed) && !doc.Meta.Draft {
		if line, ok := saysDraft(src); ok {
			doc.Meta.Draft = true
			problems = append(problems, &Error{File: file, Line: line, Code: CodeDraftFallback, Severity: diag.Warning,
				Msg: "the front matter cannot be read and this line asks for a draft: held back as a draft until fixed"})
		}
	}
	for _, p := range problems {
		doc.Diagnostics = append(doc.Diagnostics, p.Diagnostic())
	}
	diag.Sort(doc.Diagnostics)
	doc.Diagnostics = capDiagnostics(doc.Diagnostics, file)
	return doc, errors.Join(joined...)
}

// MaxDiagnostics bounds the diagnostics Parse returns for one file: a
// block of 100,000 misspelt keys is reported by its first problems and a
// count, not by 100,000 lines in a log.
const MaxDiagnostics = 50

// capDiagnostics keeps the first MaxDiagnostics-1 of ds and sums up the
// rest in one diagnostic, as severe as the worst of them.
func capDiagnostics(ds []diag.Diagnostic, file string) []diag.Diagnostic {
	if len(ds) <= MaxDiagnostics {
		return ds
	}
	rest := ds[MaxDiagnostics-1:]
	more := diag.Diagnostic{File: file, Line: rest[0].Line, Code: CodeMore,
		Message: fmt.Sprintf("%d more problems in the front matter are not shown", len(rest))}
	if n, _ := diag.Count(rest); n > 0 {
		more.Severity = diag.Error
	}
	return append(ds[:MaxDiagnostics-1:MaxDiagnostics-1], more)
}

// draftLine matches a line that asks for a draft in YAML or TOML.
var draftLine = regexp.MustCompile(`(?im)^[ \t]*(?:draft[ \t]*[:=][ \t]*["']?(?:true|yes|on)|published[ \t]*[:=][ \t]*["']?(?:false|no|off))["']?[ \t]*(?:#.*)?\r?$`)

// saysDraft finds the first line of src that asks for a draft.
func saysDraft(src []byte) (int, bool) {
	loc := draftLine.FindIndex(src)
	if loc == nil {
		return 0, false
	}
	return bytes.Count(src[:loc[0]], []byte("\n")) + 1, true
}

// firstInvalid returns the offset of the first invalid UTF-8 byte of b.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
