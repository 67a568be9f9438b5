package capsule

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadside/internal/frontmatter"
	"broadside/internal/gemtext"
)

// MaxDocSize bounds the size of one Markdown or gemtext file; a larger one is
// reported and skipped rather than held in memory.
const MaxDocSize = 8 << 20

// Options says how to load a capsule. The zero value loads with default
// conversion options in UTC.
type Options struct {
	Converter *gemtext.Converter // nil: gemtext.New(gemtext.Options{})
	Location  *time.Location     // zone for dates written without one; nil: UTC
}

// Snapshot is an immutable view of a capsule at one moment.
type Snapshot struct {
	// Docs holds every Markdown and gemtext document, by served path.
	Docs map[string]*Doc
	// Problems lists everything wrong, sorted by file and line.
	Problems []Problem
	// Files is the number of files seen, static ones included.
	Files int
	// Reused and Parsed count the documents taken from the previous
	// snapshot and those read afresh.
	Reused, Parsed int

	bySource map[string]*Doc
	opts     Options
	scanned  scanState // see scan.go
}

// Errors reports how many problems are errors.
func (s *Snapshot) Errors() int {
	n := 0
	for _, p := range s.Problems {
		if p.Severity == Error {
			n++
		}
	}
	return n
}

// Load reads every document of fsys. When prev is not nil, documents whose
// file has the same size and modification time as in prev are taken from it
// instead of being parsed again; prev must have been loaded with the same
// options. Load fails only when the root itself cannot be read, or when
// the system runs short of resources (too many open files): then the
// caller keeps its last snapshot rather than one missing every file that
// could not be opened. Give it RootFS(root) for a folder (see scan.go).
func Load(fsys fs.FS, opts Options, prev *Snapshot) (*Snapshot, error) {
	if opts.Converter == nil {
		opts.Converter = gemtext.New(gemtext.Options{})
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	s := &Snapshot{Docs: map[string]*Doc{}, bySource: map[string]*Doc{}, opts: opts}
	todo, problems, err := s.scan(fsys, prev)
	if err != nil {
		return nil, fmt.Errorf("reading capsule: %w", err)
	}
	s.Parsed = len(todo)
	docs, err := parseAll(fsys, opts, todo)
	if err != nil {
		return nil, fmt.Errorf("reading capsule: %w", err)
	}
	for _, d := range docs {
		s.bySource[d.Source] = d
	}
	s.index(problems)
	return s, nil
}

// index builds the served-path map from the parsed documents, reporting
// documents that claim the same path.
func (s *Snapshot) index(problems []Problem) {
	sources := make([]string, 0, len(s.bySource))
	for src := range s.bySource {
		sources = append(sources, src)
	}
	// Markdown sorts before gemtext for the same stem, so the Markdown
	// wins a clash; otherwise the order is the file name order.
	slices.SortFunc(sources, func(a, b string) int {
		if c := strings.Compare(stem(a), stem(b)); c != 0 {
			return c
		}
		if c := strings.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		// x.md and x.markdown: decide by name, not by map order.
		return strings.Compare(a, b)
	})
	for _, src := range sources {
		d := s.bySource[src]
		problems = append(problems, d.Problems...)
		if other, ok := s.Docs[d.Path]; ok {
			problems = append(problems, Problem{File: src, Severity: Error,
				Msg: fmt.Sprintf("served path %s is already taken by %s; this file is not served", d.Path, other.Source)})
			continue
		}
		s.Docs[d.Path] = d
	}
	slices.SortStableFunc(problems, func(a, b Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	s.Problems = problems
}

func stem(src string) string {
	return strings.TrimSuffix(src, path.Ext(src))
}

func rank(src string) string {
	if strings.EqualFold(path.Ext(src), ".gmi") {
		return "1"
	}
	return "0"
}

// Hidden reports whether any segment of the slash-separated path p starts
// with a dot, or is an editor's temporary or backup file. Such files are
// never loaded or served.
func Hidden(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(seg, ".") || strings.HasSuffix(seg, "~") ||
			(strings.HasPrefix(seg, "#") && strings.HasSuffix(seg, "#")) ||
			seg == "4913" { // vim's probe file
			return true
		}
	}
	ext := strings.ToLower(path.Ext(p))
	return ext == ".swp" || ext == ".swx" || ext == ".tmp" || ext == ".bak"
}

// IsDocument reports whether the file is Markdown or gemtext.
func IsDocument(p string) bool {
	return isMarkdown(p) || strings.EqualFold(path.Ext(p), ".gmi")
}

func isMarkdown(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".md", ".markdown":
		return true
	}
	return false
}

// ServedPath maps a source file to the path it is served at: FILE.md and
// FILE.markdown at FILE.gmi.
func ServedPath(source string) string {
	if isMarkdown(source) {
		source = strings.TrimSuffix(source, path.Ext(source)) + ".gmi"
	}
	return "/" + source
}

// Parse reads one document from its contents, as Load would: source is its
// slash-separated path in the capsule, which decides its served path and
// how its relative links resolve.
func Parse(source string, src []byte, opts Options) *Doc {
	if opts.Converter == nil {
		opts.Converter = gemtext.New(gemtext.Options{})
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	d := &Doc{Source: source, Path: ServedPath(source), Size: int64(len(src))}
	if isMarkdown(source) {
		parseMarkdown(d, src, opts)
	} else {
		parseGemtext(d, src, opts)
	}
	return d
}

func (d *Doc) problem(line int, sev Severity, msg string) {
	d.Problems = append(d.Problems, Problem{File: d.Source, Line: line, Severity: sev, Msg: msg})
}

func parseMarkdown(d *Doc, src []byte, opts Options) {
	fm, err := frontmatter.Parse(d.Source, src, opts.Location)
	for _, w := range fm.Warnings {
		d.problem(errorLine(w), Warning, errorMsg(w))
	}
	m := fm.Meta
	for _, e := range flatten(err) {
		msg := errorMsg(e)
		// An unreadable draft or published flag fails safe: better an
		// article held back than one published before its time.
		if k := errorKey(e); strings.EqualFold(k, "draft") || strings.EqualFold(k, "published") {
			m.Draft = true
			msg += "; treated as a draft until fixed"
		}
		d.problem(errorLine(e), Error, msg)
	}
	conv, err := opts.Converter.Convert(fm.Body, linkRewriter(d.Source))
	if err != nil {
		d.problem(0, Error, fmt.Sprintf("converting: %v", err))
		conv = &gemtext.Document{}
	}
	for _, w := range conv.Warnings {
		line, msg := warningLine(w)
		if line > 0 {
			line += fm.BodyLine - 1
		}
		d.problem(line, Warning, msg)
	}

	d.Kind = Page
	d.Date, d.Dated = m.Date, !m.Date.IsZero()
	if !d.Dated {
		if t, ok := nameDate(d.Source, opts.Location); ok {
			d.Date, d.Dated = t, true
		}
	}
	if d.Dated {
		d.Kind = Article
	}
	d.Updated = d.Date
	if m.Updated.After(d.Date) {
		d.Updated = m.Updated
	}
	d.Title = firstNonEmpty(m.Title, conv.Title, nameTitle(d.Source))
	d.Body = stripTitle(conv.Gemtext, d.Title, m.Title == "")
	d.Draft = m.Draft
	d.Summary = firstNonEmpty(m.Summary, conv.Summary)
	d.Authors = m.Authors
	d.Lang = m.Lang
	d.ID = m.ID
	d.Words = conv.Words
	d.Tags = tagsOf(d, m.Tags)
	for _, a := range m.Aliases {
		if p, ok := aliasPath(d.Source, a); ok {
			d.Aliases = append(d.Aliases, p)
		} else {
			d.problem(0, Warning, fmt.Sprintf("alias %q is not a path inside the capsule; ignored", a))
		}
	}
	if m.Slug != "" {
		slug := Slugify(m.Slug)
		if slug == "" {
			d.problem(fm.BodyLine-1, Warning, fmt.Sprintf("slug %q has no usable characters; ignored", m.Slug))
		} else if p := path.Join(path.Dir(d.Path), slug+".gmi"); p != d.Path {
			d.Aliases = append(d.Aliases, d.Path)
			d.Path = p
		}
	}
	// The oldest path is the first alias the author wrote (renaming adds
	// one), else the served path, which a slug keeps across renames.
	d.Origin = d.Path
	if len(m.Aliases) > 0 && len(d.Aliases) > 0 && d.Aliases[0] != d.Path {
		d.Origin = d.Aliases[0]
	}
}

func parseGemtext(d *Doc, src []byte, opts Options) {
	d.Kind = Gemtext
	text := strings.ToValidUTF8(string(src), "\uFFFD")
	if len(text) != len(src) || text != string(src) {
		d.problem(0, Warning, "invalid UTF-8 replaced with U+FFFD")
	}
	d.Body = []byte(text)
	words := 0
	for _, l := range gemtext.Parse(text) {
		switch l.Kind {
		case gemtext.Heading:
			if d.Title == "" {
				d.Title = l.Text
			}
		case gemtext.Text, gemtext.ListItem, gemtext.Quote:
			if d.Summary == "" && l.Kind == gemtext.Text && strings.TrimSpace(l.Text) != "" {
				d.Summary = strings.TrimSpace(l.Text)
			}
			words += len(strings.Fields(l.Text))
		}
	}
	d.Words = words
	if d.Title == "" {
		d.Title = nameTitle(d.Source)
	}
	if t, ok := nameDate(d.Source, opts.Location); ok {
		d.Date, d.Updated, d.Dated = t, t, true
	}
}

// flatten returns the errors joined in err, or err itself.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func errorLine(err error) int {
	var fe *frontmatter.Error
	if errors.As(err, &fe) {
		return fe.Line
	}
	return 0
}

func errorKey(err error) string {
	var fe *frontmatter.Error
	if errors.As(err, &fe) {
		return fe.Key
	}
	return ""
}

// errorMsg is an error's text without the "file:line: " prefix the Problem
// adds itself.
func errorMsg(err error) string {
	var fe *frontmatter.Error
	if errors.As(err, &fe) {
		msg := fe.Msg
		if fe.Key != "" && !strings.Contains(msg, fe.Key) {
			msg = fe.Key + ": " + msg
		}
		if fe.Err != nil && !strings.Contains(msg, fe.Err.Error()) {
			msg += ": " + fe.Err.Error()
		}
		return msg
	}
	return err.Error()
}

// warningLine splits a converter warning "line N: msg".
func warningLine(w string) (int, string) {
	rest, ok := strings.CutPrefix(w, "line ")
	if !ok {
		return 0, w
	}
	num, msg, ok := strings.Cut(rest, ": ")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return 0, w
	}
	return n, msg
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// nameDate reads a YYYY-MM-DD- prefix of the file name.
func nameDate(source string, loc *time.Location) (time.Time, bool) {
	base := path.Base(source)
	if len(base) < 11 || base[10] != '-' {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02", base[:10], loc)
	return t, err == nil
}

// nameTitle makes a title from a file name: "2022-01-07-hello-world.md"
// becomes "Hello world".
func nameTitle(source string) string {
	base := strings.TrimSuffix(path.Base(source), path.Ext(source))
	if _, ok := nameDate(source, time.UTC); ok {
		base = base[11:]
	}
	if base == "index" && path.Dir(source) != "." {
		base = path.Base(path.Dir(source))
	}
	t := strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(base))
	if t == "" {
		// "2022-01-07-.md" or "-.md": nothing but the date or dashes.
		return strings.TrimSuffix(path.Base(source), path.Ext(source))
	}
	r := []rune(t)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// stripTitle drops a leading level-1 heading from the body when it repeats
// the title (or when the title came from it), since the page prints the
// title itself.
func stripTitle(body []byte, title string, fromHeading bool) []byte {
	rest := body
	for len(rest) > 0 && rest[0] == '\n' {
		rest = rest[1:]
	}
	line, after, _ := strings.Cut(string(rest), "\n")
	if !strings.HasPrefix(line, "# ") && line != "#" {
		return body
	}
	if !fromHeading && !strings.EqualFold(strings.TrimSpace(line[1:]), title) {
		return body
	}
	after = strings.TrimLeft(after, "\n")
	return []byte(after)
}
