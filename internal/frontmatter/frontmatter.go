// Package frontmatter splits a Markdown file into its front matter and body
// and decodes the front matter (YAML between "---" lines, TOML between "+++"
// lines) into Meta, with Hugo, Jekyll and Zola key names.
//
// Parsing never loses the body: a broken block is reported with the file and
// the absolute line of each problem, and every field that could be decoded
// is still returned. Unknown keys are ignored.
package frontmatter

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// Format is the front-matter syntax of a document.
type Format int

// The front-matter formats.
const (
	None Format = iota // no front matter
	YAML               // between "---" lines
	TOML               // between "+++" lines
)

// String returns "none", "yaml" or "toml".
func (f Format) String() string {
	switch f {
	case YAML:
		return "yaml"
	case TOML:
		return "toml"
	}
	return "none"
}

// Document is a split and decoded Markdown file.
type Document struct {
	Meta     Meta
	Format   Format
	Body     []byte  // everything after the closing delimiter line, or the whole (BOM-stripped) input; shares memory with the input
	BodyLine int     // 1-based file line where Body starts: 1 + the number of LFs before it
	Warnings []error // *Error values, e.g. an unclosed block (then Format is None and Body the whole input)
}

// Parse splits src and decodes its front matter. file is used only in
// messages. Dates without a zone are in loc (nil means UTC).
//
// Front matter exists only when line 1, after an optional UTF-8 BOM, is
// "---" or "+++" and a later line is the same delimiter. Delimiter lines may
// end in CR (CRLF files) and trailing spaces or tabs, and nothing else.
//
// Parse always returns a non-nil Document. The error, if any, is an
// errors.Join of *Error values, one per problem, each with the absolute line
// in the file; the Document then still holds the body and every field that
// decoded.
func Parse(file string, src []byte, loc *time.Location) (*Document, error) {
	src = bytes.TrimPrefix(src, bom)
	b := split(src)
	doc := &Document{Format: b.format, Body: b.body, BodyLine: b.bodyLine}
	if b.unclosed {
		doc.Warnings = append(doc.Warnings, &Error{File: file, Line: 1,
			Msg: fmt.Sprintf("front matter opened by %q is never closed; reading the whole file as body", b.openDelim)})
		return doc, nil
	}
	var entries []entry
	var errs []error
	last := b.bodyLine - 1 // the closing delimiter
	switch b.format {
	case None:
		return doc, nil
	case YAML:
		entries, errs = yamlEntries(file, b.data, b.dataLine, last)
	case TOML:
		entries, errs = tomlEntries(file, b.data, b.dataLine, last)
	}
	m, ferrs := decodeMeta(file, entries, loc)
	doc.Meta = m
	return doc, errors.Join(append(errs, ferrs...)...)
}
