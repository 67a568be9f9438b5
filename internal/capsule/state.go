package capsule

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"time"
	"unicode/utf8"

	"broadside/internal/diag"
)

// The metadata index: what a snapshot knows of every document, written
// to the state folder so that a restart parses only the files that changed
// while the server was down (Load with the index's snapshot as prev trusts
// an entry only when its file has the same size and modification time).
//
// The format is private to this package and versioned: a magic line, the
// version, a fingerprint of the options (time zone, conversion options, full
// or quick parsing), the entries, and a CRC-32C of everything before it. A
// file that is truncated, corrupt, written by another version or with other
// options, or larger than its limits is refused as a whole, and the caller
// loads the capsule from scratch. The state folder is the server's own
// (0700); the limits keep a damaged or hostile file from costing more than
// reading it.

const (
	indexMagic   = "broadside capsule index\n"
	indexVersion = 1
	// MaxIndexSize bounds the index file a read accepts.
	MaxIndexSize = 1 << 30
	maxString    = 1 << 20 // one title, summary, path...
	maxList      = 1 << 14 // tags, authors, aliases, links or problems of one document
	maxEntries   = 1 << 24
)

// IndexFile is the name of the index in the state folder.
const IndexFile = "capsule.index"

// SaveIndex writes the index of s to the folder dir (created 0700 if
// missing) under IndexFile: to a temporary file first, renamed over the old
// index once complete, so that a crash leaves the old index or the new one,
// never half of one.
func SaveIndex(dir string, s *Snapshot) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state folder: %w", err)
	}
	// The folder holds what the server keeps about the capsule (and Titan
	// history): its own, whatever made it.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("state folder: %w", err)
	}
	f, err := os.CreateTemp(dir, IndexFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing index: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = s.WriteIndex(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, IndexFile))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing index: %w", err)
	}
	return nil
}

// OpenIndex reads the index SaveIndex wrote in dir, as ReadIndex does. A
// missing index is an error that wraps fs.ErrNotExist.
func OpenIndex(dir string, opts Options) (*Snapshot, error) {
	f, err := os.Open(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", f.Name())
	}
	return ReadIndex(bufio.NewReaderSize(f, 1<<20), opts)
}

// ErrIndexStale is the error of ReadIndex for an index written by another
// version or with other options.
var ErrIndexStale = errors.New("index written by another version or with other options")

// optionsKey identifies the options documents were read with: the zone
// (by the offsets it gives), full or quick parsing, and what the converter
// makes of a probe document that every conversion option changes.
func optionsKey(opts Options) string {
	opts = opts.resolved()
	h := sha256.New()
	fmt.Fprintf(h, "full=%v\n", opts.Full)
	for _, t := range []time.Time{time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC), time.Date(2024, 7, 15, 12, 0, 0, 0, time.UTC)} {
		fmt.Fprintf(h, "%s %s\n", opts.Location, t.In(opts.Location).Format(time.RFC3339))
	}
	const probe = "# Probe\n\nSome *emphasis*, `code`, ~~struck~~ and [a link](x.md) in a paragraph.\n\n#### Deep heading\n\nText [with](https://example.org/) links.\n"
	doc, err := opts.Converter.Convert([]byte(probe), linkRewriter("probe.md"))
	if err == nil {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d", doc.Gemtext, doc.Title, doc.Summary, doc.Words)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WriteIndex writes the metadata of every document of s (the latest
// version of each file, and the last good version of each broken one) to
// w, for ReadIndex.
func (s *Snapshot) WriteIndex(w io.Writer) error {
	var e encoder
	e.buf = make([]byte, 0, 256*len(s.bySource)+1024)
	e.buf = append(e.buf, indexMagic...)
	e.uint(indexVersion)
	e.str(optionsKey(s.opts))
	e.uint(uint64(len(s.bySource) + len(s.good)))
	for src, d := range s.bySource {
		e.doc(d, false, s.scanned.links[src])
	}
	for src, d := range s.good {
		e.doc(d, true, s.scanned.links[src])
	}
	e.buf = binary.LittleEndian.AppendUint32(e.buf, checksum(e.buf))
	_, err := w.Write(e.buf)
	return err
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// ReadIndex reads an index WriteIndex wrote with the same options. It
// returns a snapshot of the capsule as it was then, to give Load as prev
// (Load takes from it only documents whose files have not changed); it has
// no folder to read bodies from. It fails with ErrIndexStale when the
// index was written by another version or with other options, and with
// another error when it is damaged or over its limits.
func ReadIndex(r io.Reader, opts Options) (*Snapshot, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxIndexSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	if len(b) > MaxIndexSize {
		return nil, fmt.Errorf("index over %d bytes", MaxIndexSize)
	}
	if !bytes.HasPrefix(b, []byte(indexMagic)) || len(b) < len(indexMagic)+4 {
		return nil, errors.New("not a capsule index")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if checksum(body) != sum {
		return nil, errors.New("index damaged (checksum mismatch)")
	}
	d := decoder{buf: body[len(indexMagic):], loc: opts.resolved().Location}
	if v := d.uint(math.MaxUint32); d.err == nil && v != indexVersion {
		return nil, ErrIndexStale
	}
	if fp := d.str(); d.err == nil && fp != optionsKey(opts) {
		return nil, ErrIndexStale
	}
	n := d.uint(maxEntries)
	s := newSnapshot(nil, opts)
	for i := uint64(0); i < n && d.err == nil; i++ {
		doc, good, target := d.doc()
		if d.err != nil {
			break
		}
		m := s.bySource
		if good {
			m = s.good
		}
		if _, dup := m[doc.Source]; dup {
			d.fail("%s twice", doc.Source)
			break
		}
		m[doc.Source] = doc
		if target != "" {
			if s.scanned.links == nil {
				s.scanned.links = map[string]string{}
			}
			s.scanned.links[doc.Source] = target
		}
	}
	if d.err == nil && len(d.buf) != 0 {
		d.fail("%d bytes after the last entry", len(d.buf))
	}
	if d.err != nil {
		return nil, fmt.Errorf("index damaged: %w", d.err)
	}
	for src, g := range s.good {
		if cur := s.bySource[src]; cur == nil || !cur.Broken || g.Broken {
			return nil, fmt.Errorf("index damaged: a last good version of %s that stands in for nothing", src)
		}
	}
	s.index(nil)
	return s, nil
}

type encoder struct{ buf []byte }

func (e *encoder) uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) int(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *encoder) str(s string)  { e.uint(uint64(len(s))); e.buf = append(e.buf, s...) }

func (e *encoder) time(t time.Time) {
	_, off := t.Zone()
	e.int(t.Unix())
	e.uint(uint64(t.Nanosecond()))
	e.int(int64(off))
}

func (e *encoder) strs(l []string) {
	e.uint(uint64(len(l)))
	for _, s := range l {
		e.str(s)
	}
}

// Flags of an entry.
const (
	flagGood = 1 << iota // the last good version of a broken file
	flagDated
	flagDraft
	flagBroken
)

func (e *encoder) doc(d *Doc, good bool, target string) {
	var flags uint64
	for _, f := range []struct {
		set  bool
		flag uint64
	}{{good, flagGood}, {d.Dated, flagDated}, {d.Draft, flagDraft}, {d.Broken, flagBroken}} {
		if f.set {
			flags |= f.flag
		}
	}
	e.uint(flags)
	e.str(d.Source)
	e.str(target)
	e.str(d.Path)
	e.uint(uint64(d.Kind))
	e.str(d.Title)
	e.time(d.Date)
	e.time(d.Updated)
	e.uint(uint64(len(d.Tags)))
	for _, t := range d.Tags {
		e.str(t.Name)
		e.str(t.Slug)
	}
	e.str(d.Summary)
	e.strs(d.Authors)
	e.str(d.Lang)
	e.strs(d.Aliases)
	e.str(d.ID)
	e.str(d.Origin)
	e.uint(uint64(d.Words))
	e.int(d.Size)
	e.time(d.ModTime)
	e.uint(uint64(len(d.Links)))
	for _, l := range d.Links {
		e.str(l.Target)
		e.str(l.Written)
		e.uint(uint64(l.Line))
		e.uint(uint64(l.Col))
	}
	e.uint(uint64(len(d.Problems)))
	for _, p := range d.Problems {
		e.str(p.File)
		e.uint(uint64(p.Line))
		e.uint(uint64(p.Col))
		e.uint(uint64(p.Severity))
		e.str(p.Code)
		e.str(p.Message)
	}
	e.uint(uint64(d.tagsAt[0]))
	e.uint(uint64(d.tagsAt[1]))
	e.str(d.notice)
}

// decoder reads what encoder wrote, checking every length against the
// limits; the first problem sticks in err and every later read returns
// zero values.
type decoder struct {
	buf []byte
	loc *time.Location
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
	d.buf = nil
}

func (d *decoder) uint(limit uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail("truncated number")
		return 0
	}
	if v > limit {
		d.fail("number %d over its limit %d", v, limit)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) int(limit int64) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail("truncated number")
		return 0
	}
	if v > limit || v < -limit {
		d.fail("number %d over its limit %d", v, limit)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uint(maxString)
	if d.err != nil {
		return ""
	}
	if uint64(len(d.buf)) < n {
		d.fail("truncated text")
		return ""
	}
	s := string(d.buf[:n])
	d.buf = d.buf[n:]
	if !utf8.ValidString(s) {
		d.fail("text that is not UTF-8")
		return ""
	}
	return s
}

func (d *decoder) strs() []string {
	n := d.uint(maxList)
	var out []string
	for i := uint64(0); i < n && d.err == nil; i++ {
		out = append(out, d.str())
	}
	return out
}

// time reads an instant and its zone offset: in the loading zone when it
// gives that offset then (a date written without a zone), else in a fixed
// zone.
func (d *decoder) time() time.Time {
	sec := d.int(1 << 40)
	nsec := d.uint(999999999)
	off := d.int(24 * 3600)
	if d.err != nil {
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if sec == (time.Time{}).Unix() && nsec == 0 && off == 0 {
		return time.Time{}
	}
	if _, o := t.In(d.loc).Zone(); int64(o) == off {
		return t.In(d.loc)
	}
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(off)))
}

func (d *decoder) doc() (doc *Doc, good bool, target string) {
	flags := d.uint(1<<4 - 1)
	doc = &Doc{Source: d.str()}
	target = d.str()
	doc.Path = d.str()
	doc.Kind = Kind(d.uint(uint64(Gemtext)))
	doc.Title = d.str()
	doc.Date = d.time()
	doc.Updated = d.time()
	n := d.uint(maxList)
	for i := uint64(0); i < n && d.err == nil; i++ {
		doc.Tags = append(doc.Tags, Tag{Name: d.str(), Slug: d.str()})
	}
	doc.Summary = d.str()
	doc.Authors = d.strs()
	doc.Lang = d.str()
	doc.Aliases = d.strs()
	doc.ID = d.str()
	doc.Origin = d.str()
	doc.Words = int(d.uint(MaxDocSize))
	doc.Size = d.int(MaxDocSize * 1024)
	doc.ModTime = d.time()
	n = d.uint(maxList)
	for i := uint64(0); i < n && d.err == nil; i++ {
		doc.Links = append(doc.Links, Link{Target: d.str(), Written: d.str(), Line: int(d.uint(MaxDocSize)), Col: int(d.uint(MaxDocSize))})
	}
	n = d.uint(maxList)
	for i := uint64(0); i < n && d.err == nil; i++ {
		doc.Problems = append(doc.Problems, diag.Diagnostic{File: d.str(), Line: int(d.uint(MaxDocSize)), Col: int(d.uint(MaxDocSize)),
			Severity: diag.Severity(d.uint(uint64(diag.Error))), Code: d.str(), Message: d.str()})
	}
	doc.tagsAt[0], doc.tagsAt[1] = int(d.uint(MaxDocSize)), int(d.uint(MaxDocSize))
	doc.notice = d.str()
	doc.Dated, doc.Draft, doc.Broken = flags&flagDated != 0, flags&flagDraft != 0, flags&flagBroken != 0
	if d.err == nil {
		d.check(doc, target)
	}
	return doc, flags&flagGood != 0, target
}

// check refuses an entry no load could have made: a file the walk would
// skip, a served path outside the capsule, problems about another file.
func (d *decoder) check(doc *Doc, target string) {
	ok := func(p string) bool { return fs.ValidPath(p) && p != "." && !Hidden(p) && badName(p) == "" }
	switch {
	case !ok(doc.Source) || !IsDocument(doc.Source):
		d.fail("an entry for %q, which is not a document", doc.Source)
	case target != "" && !ok(target):
		d.fail("%s leads to %q", doc.Source, target)
	case len(doc.Path) < 2 || doc.Path[0] != '/' || path.Clean(doc.Path) != doc.Path:
		d.fail("%s served at %q", doc.Source, doc.Path)
	case doc.Size < 0:
		d.fail("%s of %d bytes", doc.Source, doc.Size)
	}
	errs := 0
	for _, p := range doc.Problems {
		if p.File != doc.Source {
			d.fail("a problem of %s about %q", doc.Source, p.File)
		}
		if p.Severity == diag.Error {
			errs++
		}
	}
	if doc.Broken != (errs > 0) {
		d.fail("%s broken without errors, or the reverse", doc.Source)
	}
}
