package capsule

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"broadside/internal/diag"
	"broadside/internal/frontmatter"
	"broadside/internal/gemtext"
)

// Parse reads one document from its contents in full, as Load does with
// Options.Full: source is its slash-separated path in the capsule, which
// decides its served path and how its relative links resolve.
func Parse(source string, src []byte, opts Options) *Doc {
	d, _ := Render(source, src, opts)
	return d
}

// Render reads one document as Parse does and also returns its body.
func Render(source string, src []byte, opts Options) (*Doc, *Body) {
	return render(source, src, opts.resolved())
}

// render is Render with opts resolved.
func render(source string, src []byte, opts Options) (*Doc, *Body) {
	d := &Doc{Source: source, Path: ServedPath(source), Size: int64(len(src))}
	var body []byte
	var summary string
	if isMarkdown(source) {
		body, summary = parseMarkdown(d, src, opts)
	} else {
		body, summary = parseGemtext(d, src, opts)
	}
	checkEncoding(d, src)
	finish(d)
	return d, &Body{Gemtext: body, Words: d.Words, Summary: summary, Links: d.Links, Problems: d.Problems, Size: d.Size}
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

// parseMarkdown reads a Markdown document in full and returns its body,
// without the title heading, and the summary the body gives.
func parseMarkdown(d *Doc, src []byte, opts Options) ([]byte, string) {
	fm, _ := frontmatter.Parse(d.Source, src, opts.Location)
	d.Problems = append(d.Problems, fm.Diagnostics...)
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
	d.meta(fm, conv.Title, opts)
	d.Summary = firstNonEmpty(fm.Meta.Summary, conv.Summary)
	d.Words = conv.Words
	return stripTitle(conv.Gemtext, d.Title, fm.Meta.Title == ""), strings.TrimSpace(conv.Summary)
}

// meta fills in what the front matter says, with heading (the document's
// first heading, "" if none) as the title when it gives none.
func (d *Doc) meta(fm *frontmatter.Document, heading string, opts Options) {
	m := fm.Meta
	d.tagsAt[0], d.tagsAt[1] = fm.Position("tags")
	if d.tagsAt[0] == 0 {
		d.tagsAt[0], d.tagsAt[1] = fm.Position("taxonomies")
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
	d.Title = firstNonEmpty(m.Title, heading, nameTitle(d.Source))
	if firstNonEmpty(m.Title, heading) == "" && !fm.Broken() {
		d.noTitle()
	}
	d.Draft = m.Draft
	d.Summary = strings.TrimSpace(m.Summary)
	d.Authors = m.Authors
	d.Lang = m.Lang
	d.ID = m.ID
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

// headSize is how much of a Markdown file a load reads first: front
// matter is a few hundred bytes, so one read usually holds all of it.
const headSize = 4 << 10

// quickMarkdown reads a Markdown document's metadata from head, the
// start of its file (all of it when complete), without converting its
// body. It reports false when it cannot be sure to read the document as a
// full parse would: the front matter does not end within head, has
// errors (a draft fallback may look at the whole file), or the title must
// come from a heading that quickTitle cannot read. The caller then parses
// the whole file.
func quickMarkdown(d *Doc, head []byte, complete bool, opts Options) bool {
	if !utf8.Valid(head) && complete {
		return false // checkEncoding's one warning for the whole file
	}
	if !complete {
		// Only the front matter must be valid UTF-8; a cut rune at the
		// end of head is no problem.
		if end := frontMatterEnd(head); end < 0 || !utf8.Valid(head[:end]) {
			return false
		}
	}
	fm, _ := frontmatter.Parse(d.Source, head, opts.Location)
	if fm.Broken() || (fm.Format == frontmatter.None && !complete) {
		return false
	}
	for _, p := range fm.Diagnostics {
		if p.Code == frontmatter.CodeUnclosed {
			return false
		}
	}
	heading := ""
	if fm.Meta.Title == "" {
		if !complete {
			return false
		}
		var sure bool
		if heading, sure = quickTitle(fm.Body); !sure {
			return false
		}
	}
	d.Problems = append(d.Problems, fm.Diagnostics...)
	d.meta(fm, heading, opts)
	return true
}

// frontMatterEnd returns the offset just past the closing delimiter line
// of the front matter that starts head, or -1 if head holds none or not
// all of it.
func frontMatterEnd(head []byte) int {
	bom := 0
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		bom = 3
	}
	first, rest, ok := bytes.Cut(head[bom:], []byte("\n"))
	if !ok {
		return -1
	}
	delim := string(bytes.TrimRight(first, " \t\r"))
	if delim != "---" && delim != "+++" {
		return -1
	}
	off := bom + len(first) + 1
	for len(rest) > 0 {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return -1 // the last line may be cut short
		}
		off += len(line) + 1
		if string(bytes.TrimRight(line, " \t\r")) == delim {
			return off
		}
		rest = after
	}
	return -1
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

// parseGemtext reads a gemtext document: its title is its first heading,
// its summary its first text line. It returns the text, with invalid
// UTF-8 replaced, and that summary.
func parseGemtext(d *Doc, src []byte, opts Options) ([]byte, string) {
	d.Kind = Gemtext
	text := strings.ToValidUTF8(string(src), "\uFFFD")
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
	return []byte(text), d.Summary
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
