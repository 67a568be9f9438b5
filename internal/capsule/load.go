package capsule

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadside/internal/diag"
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
//
// A file that fails to parse never replaces what is served: Docs holds, for
// each file, its current version when it parsed cleanly (or is a draft),
// else the last good version a previous snapshot had, else nothing. Its
// problems are reported all the same.
type Snapshot struct {
	// Docs holds the document served for every Markdown and gemtext
	// file, by served path.
	Docs map[string]*Doc
	// Problems lists everything wrong, sorted by file, line and column.
	Problems []diag.Diagnostic
	// Files is the number of files seen, static ones included.
	Files int
	// Reused and Parsed count the documents taken from the previous
	// snapshot and those read afresh.
	Reused, Parsed int

	bySource map[string]*Doc // the latest version of every file, broken or not
	good     map[string]*Doc // the last version of every file that parsed cleanly
	opts     Options         // as the caller gave them, before defaults
	scanned  scanState       // see scan.go
}

// Errors reports how many problems are errors.
func (s *Snapshot) Errors() int {
	n, _ := diag.Count(s.Problems)
	return n
}

// Current returns the latest version of a file, broken or not, or nil if
// the snapshot has no such file.
func (s *Snapshot) Current(source string) *Doc { return s.bySource[source] }

// Sources returns the latest version of every file, broken or not, in
// file name order.
func (s *Snapshot) Sources() []*Doc {
	out := make([]*Doc, 0, len(s.bySource))
	for _, d := range s.bySource {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *Doc) int { return strings.Compare(a.Source, b.Source) })
	return out
}

// Load reads every document of fsys. When prev is not nil, its last good
// versions stand in for files that are now broken, and, if it was loaded
// with the same options, documents whose file has the same size and
// modification time as in prev are taken from it instead of being parsed
// again. Load fails only when the root itself cannot be read, or when the
// system runs short of resources (too many open files): then the caller
// keeps its last snapshot rather than one missing every file that could
// not be opened. Give it RootFS(root) for a folder (see scan.go).
func Load(fsys fs.FS, opts Options, prev *Snapshot) (*Snapshot, error) {
	given := opts
	if opts.Converter == nil {
		opts.Converter = gemtext.New(gemtext.Options{})
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	s := &Snapshot{Docs: map[string]*Doc{}, bySource: map[string]*Doc{}, good: map[string]*Doc{}, opts: given}
	reuse := prev
	if prev != nil && prev.opts != given {
		reuse = nil
	}
	todo, problems, err := s.scan(fsys, reuse)
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
	for src, d := range s.bySource {
		switch {
		case !d.Broken:
			s.good[src] = d
		case prev != nil && prev.good[src] != nil:
			s.good[src] = prev.good[src]
		}
	}
	s.index(problems)
	return s, nil
}

// index builds the served-path map from the parsed documents: each file's
// current version, or its last good one when it is broken, reporting
// documents that claim the same path.
func (s *Snapshot) index(problems []diag.Diagnostic) {
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
		cur := s.bySource[src]
		problems = append(problems, cur.Problems...)
		d := cur
		if cur.Broken && !cur.Draft {
			d = s.good[src]
			if d == nil {
				problems = append(problems, diag.Diagnostic{File: src, Severity: Warning, Code: CodeUnpublished,
					Message: "not published until its errors are fixed"})
				continue
			}
			problems = append(problems, diag.Diagnostic{File: src, Severity: Warning, Code: CodeLastGood,
				Message: "its errors keep the last good version (" + d.ModTime.UTC().Format(time.RFC3339) + ") published until they are fixed"})
		}
		if other, ok := s.Docs[d.Path]; ok {
			problems = append(problems, diag.Diagnostic{File: src, Severity: Error, Code: CodePathTaken,
				Message: fmt.Sprintf("served path %s is already taken by %s; this file is not served", d.Path, other.Source)})
			continue
		}
		s.Docs[d.Path] = d
	}
	problems = append(problems, tagSpellings(s.Docs)...)
	diag.Sort(problems)
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
	checkEncoding(d, src)
	return finish(d)
}

// MaxProblems bounds the problems kept for one file; the rest are counted.
const MaxProblems = 100

// finish sorts and bounds a parsed document's problems and decides whether
// it is broken.
func finish(d *Doc) *Doc {
	diag.Sort(d.Problems)
	if len(d.Problems) > MaxProblems {
		rest := d.Problems[MaxProblems-1:]
		more := diag.Diagnostic{File: d.Source, Line: rest[0].Line, Code: CodeTooManyProbs,
			Message: fmt.Sprintf("%d more problems in this file are not shown", len(rest))}
		if n, _ := diag.Count(rest); n > 0 {
			more.Severity = Error
		}
		d.Problems = append(d.Problems[:MaxProblems-1:MaxProblems-1], more)
	}
	n, _ := diag.Count(d.Problems)
	d.Broken = n > 0
	return d
}

// problem records a problem with the file at line, under the generic
// file code.
func (d *Doc) problem(line int, sev Severity, msg string) {
	d.report(CodeFile, line, 0, sev, msg)
}

// report records a problem with the file.
func (d *Doc) report(code string, line, col int, sev Severity, msg string) {
	d.Problems = append(d.Problems, diag.Diagnostic{File: d.Source, Line: line, Col: col, Severity: sev, Code: code, Message: msg})
}

func parseMarkdown(d *Doc, src []byte, opts Options) {
	fm, _ := frontmatter.Parse(d.Source, src, opts.Location)
	d.Problems = append(d.Problems, fm.Diagnostics...)
	m := fm.Meta
	d.tagsAt[0], d.tagsAt[1] = fm.Position("tags")
	if d.tagsAt[0] == 0 {
		d.tagsAt[0], d.tagsAt[1] = fm.Position("taxonomies")
	}
	links := &linkLog{}
	conv, err := opts.Converter.Convert(fm.Body, links.wrap(linkRewriter(d.Source)))
	if err != nil {
		d.report(CodeConvert, 0, 0, Error, fmt.Sprintf("converting: %v", err))
		conv = &gemtext.Document{}
	}
	for _, w := range conv.Warnings {
		line, msg := warningLine(w)
		if line > 0 {
			line += fm.BodyLine - 1
		}
		d.report(converterCode(msg), line, 0, Warning, msg)
	}
	links.locate(d, fm.Body, fm.BodyLine)

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
	if firstNonEmpty(m.Title, conv.Title) == "" && !fm.Broken() {
		d.noTitle()
	}
	d.Body = stripTitle(conv.Gemtext, d.Title, m.Title == "")
	d.Draft = m.Draft
	d.Summary = firstNonEmpty(m.Summary, conv.Summary)
	d.Authors = m.Authors
	d.Lang = m.Lang
	d.ID = m.ID
	d.Words = conv.Words
	d.Tags = tagsOf(d, m.Tags)
	aliasLine, aliasCol := fm.Position("aliases")
	for _, a := range m.Aliases {
		if p, ok := aliasPath(d.Source, a); ok {
			d.Aliases = append(d.Aliases, p)
		} else {
			d.report(CodeAlias, aliasLine, aliasCol, Warning, fmt.Sprintf("alias %q is not a path inside the capsule; ignored", a))
		}
	}
	if m.Slug != "" {
		slug := Slugify(m.Slug)
		if slug == "" {
			line, col := fm.Position("slug")
			d.report(CodeSlug, line, col, Warning, fmt.Sprintf("slug %q has no usable characters; ignored", m.Slug))
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

// noTitle warns about a document with neither a title nor a heading,
// except the home page's intro, whose title is never shown.
func (d *Doc) noTitle() {
	if d.Path == "/index.gmi" {
		return
	}
	d.report(CodeNoTitle, 1, 0, Warning, fmt.Sprintf("no title: add a title to the front matter or start with a # heading (the file name gives %q)", d.Title))
}

// converterCode classifies a converter warning by its message.
func converterCode(msg string) string {
	switch {
	case strings.Contains(msg, "UTF-8"):
		return CodeConvertUTF8
	case strings.Contains(msg, "control character"):
		return CodeConvertCtrl
	}
	return CodeConvert
}

func parseGemtext(d *Doc, src []byte, opts Options) {
	d.Kind = Gemtext
	text := strings.ToValidUTF8(string(src), "\uFFFD")
	d.Body = []byte(text)
	words := 0
	dir := path.Dir("/" + d.Source)
	pre := false
	lineNo := 0
	for line := range strings.Lines(text) {
		lineNo++
		l := gemtext.ParseLine(strings.TrimRight(line, "\r\n"), &pre)
		switch l.Kind {
		case gemtext.Heading:
			if d.Title == "" {
				d.Title = l.Text
			}
		case gemtext.Link:
			d.gemtextLink(dir, l.URL, lineNo, strings.Index(line, l.URL)+1)
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
		d.noTitle()
	}
	if t, ok := nameDate(d.Source, opts.Location); ok {
		d.Date, d.Updated, d.Dated = t, t, true
	}
}

// gemtextLink records a link line of a gemtext file that leads into the
// capsule.
func (d *Doc) gemtextLink(dir, u string, line, col int) {
	if isGemini(u) {
		d.Links = append(d.Links, Link{Target: u, Written: u, Line: line, Col: col})
		return
	}
	if u == "" || hasScheme(u) || strings.HasPrefix(u, "//") {
		return
	}
	p, _, _ := strings.Cut(u, "#")
	p, _, _ = strings.Cut(p, "?")
	if p == "" {
		return
	}
	if un, err := url.PathUnescape(p); err == nil {
		p = un
	}
	abs, ok := resolve(dir, p)
	if !ok {
		d.report(CodeLinkOutside, line, col, Warning, fmt.Sprintf("link %q leads out of the capsule", u))
		return
	}
	d.Links = append(d.Links, Link{Target: abs, Written: u, Line: line, Col: col})
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
