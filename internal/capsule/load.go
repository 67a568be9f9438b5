package capsule

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"broadside/internal/diag"
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
	// Full parses every document completely, converting its Markdown, so
	// that Doc.Words, Doc.Links, summaries taken from the body and the
	// converter's problems are known for every document ("broadside
	// check"). Without it a load reads front matter only (and looks for
	// a title in the first heading), and the rest comes with Body.
	Full bool
}

// resolved fills in the defaults.
func (o Options) resolved() Options {
	if o.Converter == nil {
		o.Converter = gemtext.New(gemtext.Options{})
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return o
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

	fresh    []*Doc // the documents read afresh
	fsys     fs.FS
	bySource map[string]*Doc // the latest version of every file, broken or not
	good     map[string]*Doc // for files whose latest version is broken: their last good version
	others   map[string]bool // files that are not documents (static, or skipped with a problem)
	// scanProblems are the problems the scan found with files that are
	// not documents, kept for Update.
	scanProblems []diag.Diagnostic
	ix           indexState      // see index.go
	examined     map[string]bool // the documents an Update looked at, while it runs
	opts         Options         // as the caller gave them, before defaults
	conv         Options         // opts with defaults
	scanned      scanState       // see scan.go
}

// Errors reports how many problems are errors.
func (s *Snapshot) Errors() int {
	n, _ := diag.Count(s.Problems)
	return n
}

// Current returns the latest version of a file, broken or not, or nil if
// the snapshot has no such file.
func (s *Snapshot) Current(source string) *Doc { return s.bySource[source] }

// Served returns the document served for a file: its latest version, or
// the last good one standing in for it, or nil if the file is not served
// (it has no good version, or another file took its path).
func (s *Snapshot) Served(source string) *Doc {
	for _, d := range []*Doc{s.bySource[source], s.good[source]} {
		if d != nil && s.Docs[d.Path] == d {
			return d
		}
	}
	return nil
}

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

// StandsIn reports whether d is served in place of a newer version of its
// file that is broken: its last good version.
func (s *Snapshot) StandsIn(d *Doc) bool {
	return s.good[d.Source] == d && s.bySource[d.Source] != d
}

// StandIns returns the documents that stand in for broken newer versions
// of their files and are served (see StandsIn), by file name.
func (s *Snapshot) StandIns() []*Doc {
	var out []*Doc
	for _, d := range s.good {
		if s.Docs[d.Path] == d {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *Doc) int { return strings.Compare(a.Source, b.Source) })
	return out
}

// lastGood returns the last version of a file that parsed cleanly, or nil.
func (s *Snapshot) lastGood(src string) *Doc {
	if s == nil {
		return nil
	}
	if g := s.good[src]; g != nil {
		return g
	}
	if d := s.bySource[src]; d != nil && !d.Broken {
		return d
	}
	return nil
}

func newSnapshot(fsys fs.FS, opts Options) *Snapshot {
	return &Snapshot{Docs: map[string]*Doc{}, bySource: map[string]*Doc{}, good: map[string]*Doc{}, others: map[string]bool{},
		fsys: fsys, opts: opts, conv: opts.resolved()}
}

// Load reads every document of fsys. When prev is not nil, its last good
// versions stand in for files that are now broken, and, if it was loaded
// with the same options, documents whose file has the same size and
// modification time as in prev are taken from it instead of being parsed
// again. Load fails only when the root itself cannot be read, or when the
// system runs short of resources (too many open files): then the caller
// keeps its last snapshot rather than one missing every file that could
// not be opened. Give it RootFS(root) for a folder (see scan.go); the
// snapshot keeps fsys to read bodies from.
func Load(fsys fs.FS, opts Options, prev *Snapshot) (*Snapshot, error) {
	s := newSnapshot(fsys, opts)
	reuse := prev
	if prev != nil && prev.opts != opts {
		reuse = nil
	}
	todo, problems, err := s.scan(fsys, ".", reuse)
	if err != nil {
		return nil, fmt.Errorf("reading capsule: %w", err)
	}
	if err := s.parse(todo); err != nil {
		return nil, err
	}
	for src, d := range s.bySource {
		if d.Broken {
			if g := prev.lastGood(src); g != nil {
				s.good[src] = g
			}
		}
	}
	s.index(problems)
	return s, nil
}

// parse reads the documents of todo into the snapshot.
func (s *Snapshot) parse(todo []fileInfo) error {
	s.Parsed += len(todo)
	docs, err := parseAll(s.fsys, s.conv, todo)
	if err != nil {
		return fmt.Errorf("reading capsule: %w", err)
	}
	for _, d := range docs {
		s.bySource[d.Source] = d
	}
	s.fresh = append(s.fresh, docs...)
	return nil
}

// Fresh returns the documents this snapshot read afresh rather than took
// from the previous one (every one, for a first load), by file name.
func (s *Snapshot) Fresh() []*Doc {
	out := slices.Clone(s.fresh)
	slices.SortFunc(out, func(a, b *Doc) int { return strings.Compare(a.Source, b.Source) })
	return out
}

// before reports whether source a wins a served path over source b:
// Markdown before gemtext for the same stem, otherwise by name.
func before(a, b string) bool {
	return cmp.Or(strings.Compare(stem(a), stem(b)), strings.Compare(rank(a), rank(b)), strings.Compare(a, b)) < 0
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
