package capsule

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"broadside/internal/diag"
)

// Finding and opening the files of a capsule. A capsule is written by
// people, editors, git checkouts and sync tools, and read by a server on
// the open internet, so the walk trusts nothing it finds:
//
//   - Only regular files are read. Named pipes, sockets and devices are
//     reported and never opened (opening a pipe blocks until someone
//     writes to it); files are opened without blocking and checked again
//     once open, so that one swapped for a pipe in between is refused too.
//   - A symbolic link to a file is read as that file (its size limit and
//     modification time are the target's), unless it leads outside the
//     capsule, to a hidden path, to nothing, round in a loop, or from a
//     file that is not Markdown to a Markdown source (which would publish
//     the source as written, drafts included). A link to a folder is not
//     followed, so the walk cannot loop and no document is loaded twice
//     by way of a folder.
//   - Names holding control characters or invalid UTF-8 are skipped: they
//     would reach logs, menus and terminals.
//   - Running out of file descriptors or memory fails the whole load, so
//     that a reload keeps the last good snapshot instead of dropping every
//     file it could not open this time.

// fileInfo is one document to read.
type fileInfo struct {
	source  string // path in the capsule
	target  string // path read: source, or where its symbolic link leads
	size    int64  // the target's
	modTime time.Time
}

// maxLinkHops bounds how many symbolic links one path may go through,
// like the kernel's ELOOP limit.
const maxLinkHops = 40

// maxDepth bounds how deep folders are walked: os.Root opens one level at
// a time, so no path length limit stops a tree a million folders deep,
// and the walk recurses once per level.
const maxDepth = 64

// Reasons a path is refused; the messages are what authors read.
var (
	errOutside     = errors.New("leads outside the capsule")
	errHiddenLink  = errors.New("leads to a hidden file")
	errLoop        = errors.New("goes round in a loop of symbolic links")
	errSourceLink  = errors.New("leads to a Markdown source from a file that is not Markdown, which would publish it as written")
	errNotRegular  = errors.New("is not a regular file")
	errNoLinks     = errors.New("cannot be followed: this file system does not report symbolic links")
	errFileChanged = errors.New("changed while it was being opened")
)

// Codes of the problems the scan finds, besides CodeFile for files that
// cannot be read or are not regular files.
const (
	CodeFileName = "capsule/file-name" // a name with control characters or invalid UTF-8, or a folder too deep, skipped
	CodeSymlink  = "capsule/symlink"   // a symbolic link that is not followed
)

// scan walks fsys from the folder root (the whole capsule: ".") and
// returns the documents to parse, taking from prev those whose file has
// not changed, and the problems found with files that are skipped. It
// fails when root cannot be read or when the system runs short of
// resources.
func (s *Snapshot) scan(fsys fs.FS, root string, prev *Snapshot) ([]fileInfo, []diag.Diagnostic, error) {
	var todo []fileInfo
	var problems []diag.Diagnostic
	report := func(file, code string, sev Severity, format string, args ...any) {
		problems = append(problems, diag.Diagnostic{File: displayPath(file), Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root || transient(err) {
				return err
			}
			report(p, CodeFile, Error, "cannot read: %v", cause(err))
			return nil
		}
		if p == "." {
			return nil
		}
		if Hidden(p) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if bad := badName(d.Name()); bad != "" {
			kind := "file"
			if d.IsDir() {
				kind = "folder"
			}
			report(p, CodeFileName, Warning, "%s name %q %s; skipped", kind, d.Name(), bad)
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if strings.Count(p, "/") >= maxDepth {
				report(p, CodeFileName, Warning, "folder nested more than %d deep; skipped", maxDepth)
				return fs.SkipDir
			}
			return nil
		}
		fi, ok, err := s.examineFile(fsys, p, d, prev, report)
		if err != nil {
			return err
		}
		if ok {
			todo = append(todo, *fi)
		}
		return nil
	})
	return todo, problems, err
}

// examineFile decides what to do with the file at p, which is not hidden
// and has a good name: it records a static or skipped file, takes an
// unchanged document from prev, or returns the document to read (ok). It
// fails only for want of resources.
func (s *Snapshot) examineFile(fsys fs.FS, p string, d fs.DirEntry, prev *Snapshot,
	report func(file, code string, sev Severity, format string, args ...any)) (*fileInfo, bool, error) {
	fi, err := s.examine(fsys, p, d)
	if err != nil {
		if transient(err) {
			return nil, false, err
		}
		code := CodeFile
		if errors.As(err, new(*linkError)) {
			code = CodeSymlink
		}
		s.others[p] = true
		report(p, code, Warning, "%v; skipped", err)
		return nil, false, nil
	}
	if fi == nil { // a static file, served by the site
		s.others[p] = true
		return nil, false, nil
	}
	if s.examined != nil {
		s.examined[p] = true
	}
	if fi.target != fi.source {
		if s.scanned.links == nil {
			s.scanned.links = map[string]string{}
		}
		s.scanned.links[p] = fi.target
	}
	if prev != nil {
		if old := prev.bySource[p]; old != nil && old.Size == fi.size && old.ModTime.Equal(fi.modTime) &&
			prev.scanned.links[p] == s.scanned.links[p] {
			s.bySource[p] = old
			s.Reused++
			return nil, false, nil
		}
	}
	return fi, true, nil
}

// scanState is what a scan remembers for the next one.
type scanState struct {
	// links maps documents read through a symbolic link to the file they
	// lead to: a link pointed elsewhere is a change even when the new
	// target has the size and time of the old one.
	links map[string]string
}

// examine decides what to do with the file at p: it returns the document
// to read, nil for a static file, or why the file is skipped.
func (s *Snapshot) examine(fsys fs.FS, p string, d fs.DirEntry) (*fileInfo, error) {
	typ := d.Type()
	switch {
	case typ.IsRegular():
		if !IsDocument(p) {
			return nil, nil
		}
		info, err := d.Info()
		if err != nil {
			return nil, fmt.Errorf("cannot read: %w", cause(err))
		}
		return &fileInfo{source: p, target: p, size: info.Size(), modTime: info.ModTime()}, nil
	case typ&fs.ModeSymlink != 0:
		return s.examineLink(fsys, p)
	default:
		return nil, fmt.Errorf("is not a regular file but %s", modeName(typ))
	}
}

// linkError is why a symbolic link is not followed.
type linkError struct{ err error }

func (e *linkError) Error() string { return e.err.Error() }
func (e *linkError) Unwrap() error { return e.err }

// examineLink follows the symbolic link at p.
func (s *Snapshot) examineLink(fsys fs.FS, p string) (*fileInfo, error) {
	fi, err := s.followLink(fsys, p)
	if err != nil && !transient(err) {
		err = &linkError{err}
	}
	return fi, err
}

func (s *Snapshot) followLink(fsys fs.FS, p string) (*fileInfo, error) {
	target, err := followLinks(fsys, p)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		return nil, errors.New("symbolic link leads to a file that does not exist")
	case errors.Is(err, errOutside), errors.Is(err, errLoop), errors.Is(err, errNoLinks):
		return nil, fmt.Errorf("symbolic link %w", err)
	case transient(err):
		return nil, err
	default:
		return nil, fmt.Errorf("symbolic link cannot be followed: %w", cause(err))
	}
	if target != "." && Hidden(target) {
		return nil, fmt.Errorf("symbolic link %w", errHiddenLink)
	}
	if isMarkdown(target) && !isMarkdown(p) {
		return nil, fmt.Errorf("symbolic link %w", errSourceLink)
	}
	info, err := fs.Lstat(fsys, target)
	if err != nil {
		return nil, fmt.Errorf("symbolic link to %s: %w", target, cause(err))
	}
	if info.IsDir() {
		return nil, fmt.Errorf("symbolic link to the folder %s is not followed; link its files instead", target)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("symbolic link to %s, which is not a regular file but %s", target, modeName(info.Mode().Type()))
	}
	if !IsDocument(p) {
		return nil, nil
	}
	return &fileInfo{source: p, target: target, size: info.Size(), modTime: info.ModTime()}, nil
}

// followLinks follows the symbolic links of the slash-separated path name one
// component at a time, as the kernel would, and returns the path it leads
// to, which holds no symbolic link. It refuses paths that leave fsys or
// loop.
func followLinks(fsys fs.FS, name string) (string, error) {
	if _, ok := fsys.(fs.ReadLinkFS); !ok {
		return "", errNoLinks
	}
	rest := strings.Split(name, "/")
	var done []string
	hops := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) == 0 {
				return "", errOutside
			}
			done = done[:len(done)-1]
			continue
		}
		p := path.Join(path.Join(done...), c)
		info, err := fs.Lstat(fsys, p)
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			done = append(done, c)
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", errLoop
		}
		link, err := fs.ReadLink(fsys, p)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(link, "/") || link == "" {
			return "", errOutside
		}
		rest = append(strings.Split(link, "/"), rest...)
	}
	if len(done) == 0 {
		return ".", nil
	}
	return path.Join(done...), nil
}

// badName says what is wrong with a file name that must not be shown, or
// returns "".
func badName(name string) string {
	if !utf8.ValidString(name) {
		return "is not valid UTF-8"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "holds control characters"
		}
		// Bidirectional overrides and isolates reorder what a log or a
		// menu shows ("Trojan Source").
		if (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return "holds bidirectional control characters"
		}
	}
	return ""
}

// displayPath makes a path safe to print: control characters and invalid
// UTF-8 become U+FFFD.
func displayPath(p string) string {
	if badName(p) == "" {
		return p
	}
	p = strings.ToValidUTF8(p, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if badName(string(r)) != "" {
			return '\uFFFD'
		}
		return r
	}, p)
}

// modeName names a file type for messages.
func modeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeDir != 0:
		return "a folder"
	}
	return "an irregular file (" + m.String() + ")"
}

// transient reports whether err is a lack of resources that a later
// attempt may not meet: the load fails as a whole rather than losing files.
func transient(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOMEM, syscall.ENOBUFS, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// cause strips a PathError's operation and path: the Problem names the file.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseAll parses files on every CPU: conversion, or with quick loads the
// front matter's YAML, dominates load time. It fails only when reading a
// file fails for want of resources.
func parseAll(fsys fs.FS, opts Options, todo []fileInfo) ([]*Doc, error) {
	docs := make([]*Doc, len(todo))
	errs := make([]error, len(todo))
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			open := newOpener(fsys)
			defer open.close()
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= len(todo) {
					return
				}
				var d *Doc
				d, errs[j] = parseFile(open, opts, todo[j])
				if d != nil {
					docs[j] = finish(d)
				}
			}
		})
	}
	wg.Wait()
	docs = slices.DeleteFunc(docs, func(d *Doc) bool { return d == nil })
	return docs, errors.Join(errs...)
}

// parseFile reads and parses one document: with opts.Full, the whole of
// it; otherwise its metadata, from the start of the file when that is
// enough. A file that cannot be read becomes a notice with an error, so
// it is not served; only a lack of resources fails.
func parseFile(open *opener, opts Options, fi fileInfo) (*Doc, error) {
	notice := func(sev Severity, msg, body string) *Doc {
		d := &Doc{Source: fi.source, Path: ServedPath(fi.source), Size: fi.size, ModTime: fi.modTime, Kind: Gemtext, notice: body}
		d.problem(0, sev, msg)
		d.Title = nameTitle(fi.source)
		return d
	}
	var src []byte
	var info fs.FileInfo
	// read reads the first want bytes, or returns the notice that stands
	// for a file that cannot be read.
	read := func(want int64) (*Doc, error) {
		var err error
		src, info, err = open.readFile(fi.target, want, MaxDocSize)
		var big *tooBig
		switch {
		case errors.As(err, &big):
			return notice(Error, fmt.Sprintf("file is %d bytes, over the %d byte limit; it is not served", big.size, MaxDocSize),
				"This document is too large to serve.\n"), nil
		case err != nil && transient(err):
			return nil, fmt.Errorf("%s: %w", fi.target, err)
		case err != nil:
			return notice(Error, fmt.Sprintf("cannot read: %v", cause(err)), "This document could not be read.\n"), nil
		}
		return nil, nil
	}
	quick := !opts.Full && isMarkdown(fi.source)
	want := int64(MaxDocSize)
	if quick {
		want = headSize
	}
	if d, err := read(want); d != nil || err != nil {
		return d, err
	}
	var d *Doc
	if quick {
		complete := int64(len(src)) >= info.Size()
		d = &Doc{Source: fi.source, Path: ServedPath(fi.source)}
		if !quickMarkdown(d, src, complete, opts) {
			d = nil
			if !complete {
				if d, err := read(MaxDocSize); d != nil || err != nil {
					return d, err
				}
			}
		}
	}
	if d == nil {
		d, _ = render(fi.source, src, opts)
	}
	// The version read, which may be newer than the one the walk saw: a
	// reload that follows its change will find it unchanged.
	d.Size, d.ModTime = info.Size(), info.ModTime()
	if fi.target != fi.source && d.Draft {
		d.report(CodeSymlink, 0, 0, Warning, fmt.Sprintf("symbolic link to the draft %s; not published either", fi.target))
	}
	return d, nil
}

// tooBig is the error of a file that grew past the limit after the walk.
type tooBig struct{ size int64 }

func (e *tooBig) Error() string { return "file is " + strconv.FormatInt(e.size, 10) + " bytes" }

// readFile reads the start of the regular file name (which names no
// symbolic link), at most want bytes of it, without ever blocking on a
// file that is not regular. It returns what it read with the file's
// information as it was when the read ended; a file over limit bytes is
// refused.
func readFile(fsys fs.FS, name string, want, limit int64) ([]byte, fs.FileInfo, error) {
	return newOpener(fsys).readFile(name, want, limit)
}

// opener opens the documents of one goroutine's share of a load. On a
// capsule opened with RootFS it keeps the folder of the last file open, so
// that a run of files in one folder (the walk's order) costs an open each,
// not a walk of every folder on the way from the root (os.Root resolves
// each component).
type opener struct {
	fsys fs.FS
	dir  string   // the folder held open, "" if none
	sub  *os.Root // it, opened within the capsule
}

func newOpener(fsys fs.FS) *opener { return &opener{fsys: fsys} }

func (o *opener) close() {
	if o.sub != nil {
		o.sub.Close()
		o.sub = nil
	}
}

// open opens name for reading if it is a regular file, as openRegular.
func (o *opener) open(name string) (fs.File, error) {
	r, ok := o.fsys.(*rootFS)
	if !ok {
		return openRegular(o.fsys, name)
	}
	dir, base := path.Split(name)
	if dir == "" {
		return r.openRegular(name)
	}
	if dir != o.dir {
		o.close()
		sub, err := r.root.OpenRoot(strings.TrimSuffix(dir, "/"))
		if err != nil {
			return nil, err
		}
		o.dir, o.sub = dir, sub
	}
	return (&rootFS{root: o.sub}).openRegular(base)
}

// readFile is readFile with o's open.
func (o *opener) readFile(name string, want, limit int64) ([]byte, fs.FileInfo, error) {
	f, err := o.open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > limit {
		return nil, nil, &tooBig{info.Size()}
	}
	var b []byte
	if want < info.Size() {
		b = make([]byte, want)
		n, err := io.ReadFull(f, b)
		if err != nil && err != io.ErrUnexpectedEOF {
			return nil, nil, err
		}
		b = b[:n]
	} else {
		// The whole file, one byte more than allowed to see that it grew
		// past the limit after the stat.
		// Sized from the stat like os.ReadFile.
		var buf bytes.Buffer
		buf.Grow(int(info.Size()) + bytes.MinRead)
		if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
			return nil, nil, err
		}
		if int64(buf.Len()) > limit {
			return nil, nil, &tooBig{int64(buf.Len())}
		}
		b = buf.Bytes()
	}
	if int64(len(b)) != info.Size() && (want >= info.Size() || int64(len(b)) < want) {
		// It grew or shrank while being read: describe what was read.
		if info, err = f.Stat(); err != nil {
			return nil, nil, err
		}
	}
	return b, info, nil
}

// openRegular opens name for reading if it is a regular file. On a
// capsule opened with RootFS the open cannot block and what was opened is
// checked, so a file swapped for a pipe or a link after the walk saw it is
// refused. On other file systems (tests' fstest.MapFS, root.FS() itself)
// the file is checked before it is opened.
func openRegular(fsys fs.FS, name string) (fs.File, error) {
	if r, ok := fsys.(*rootFS); ok {
		return r.openRegular(name)
	}
	var info fs.FileInfo
	var err error
	if _, ok := fsys.(fs.ReadLinkFS); ok {
		info, err = fs.Lstat(fsys, name)
	} else {
		info, err = fs.Stat(fsys, name)
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w but %s", errNotRegular, modeName(info.Mode().Type()))
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, errFileChanged
	}
	return f, nil
}

// RootFS returns the capsule folder opened as root, for Load and for
// serving static files. It is root.FS() with the capsule's rules: Open,
// Stat, ReadDir and ReadFile refuse hidden paths, symbolic links that
// leave the capsule, loop, lead to a hidden path, or lead to a Markdown
// source from a name that is not Markdown; Open never blocks on a named
// pipe or a device and opens only regular files and folders. It is safe
// for concurrent use.
func RootFS(root *os.Root) fs.FS {
	return &rootFS{root: root, fsys: root.FS()}
}

type rootFS struct {
	root *os.Root
	fsys fs.FS
}

// allowed resolves name under the capsule's rules.
func (r *rootFS) allowed(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name != "." && Hidden(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	target, err := followLinks(r.fsys, name)
	switch {
	case err != nil:
	case target != "." && Hidden(target):
		err = errHiddenLink
	case isMarkdown(target) && !isMarkdown(name):
		err = errSourceLink
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", err
		}
		return "", &fs.PathError{Op: op, Path: name, Err: err}
	}
	return target, nil
}

func (r *rootFS) Open(name string) (fs.File, error) {
	target, err := r.allowed("open", name)
	if err != nil {
		return nil, err
	}
	f, err := r.openFile(target)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil || !(info.Mode().IsRegular() || info.IsDir()) {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errNotRegular}
	}
	return f, nil
}

func (r *rootFS) Stat(name string) (fs.FileInfo, error) {
	target, err := r.allowed("stat", name)
	if err != nil {
		return nil, err
	}
	return fs.Stat(r.fsys, target)
}

func (r *rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	target, err := r.allowed("readdir", name)
	if err != nil {
		return nil, err
	}
	return fs.ReadDir(r.fsys, target)
}

func (r *rootFS) ReadFile(name string) ([]byte, error) {
	f, err := r.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// ReadLink and Lstat look at links without following them, so they need
// no rule; Load uses them to apply its own, with warnings.
func (r *rootFS) ReadLink(name string) (string, error) { return fs.ReadLink(r.fsys, name) }

func (r *rootFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(r.fsys, name) }

// openFile opens name for reading without blocking (see openflags_*.go).
func (r *rootFS) openFile(name string) (*os.File, error) {
	return r.root.OpenFile(name, os.O_RDONLY|openNonblock, 0)
}

// openRegular opens name, which should be a regular file and not a link,
// and checks after opening that it is: that what was opened is a regular
// file, and that the name still leads to that same file without a link
// (os.Root follows links even when asked not to).
func (r *rootFS) openRegular(name string) (fs.File, error) {
	f, err := r.openFile(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%w but %s", errNotRegular, modeName(info.Mode().Type()))
	}
	if now, err := r.root.Lstat(name); err != nil || !os.SameFile(info, now) {
		f.Close()
		return nil, errFileChanged
	}
	return f, nil
}
