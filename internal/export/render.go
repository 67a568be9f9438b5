package export

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"broadside/internal/diag"
	"broadside/internal/frontend"
	"broadside/internal/gemini"
	"broadside/internal/gopher"
	"broadside/internal/site"
)

// errNotServed marks an entry the live server did not answer with
// content after all; it is reported and skipped, not fatal.
var errNotServed = errors.New("not served")

// renderer writes entries into a tree by asking the real front-end
// handlers, so each file holds what the live server sends.
type renderer struct {
	s      *site.Site
	gem    *frontend.Gemini
	gop    *frontend.Gopher
	gemini *os.Root // DIR/gemini being written
	gopher *os.Root
	old    *tree // the earlier export, to keep unchanged files' times; may be nil

	mu    sync.Mutex
	diags []diag.Diagnostic
	meta  map[string]string // Gemini file -> media type sent
	stats Stats
}

func newRenderer(s *site.Site, gem, gop *os.Root, old *tree) *renderer {
	live := &site.Live{}
	live.Store(s)
	return &renderer{
		s:      s,
		gem:    &frontend.Gemini{Live: live},
		gop:    &frontend.Gopher{Live: live},
		gemini: gem,
		gopher: gop,
		old:    old,
		meta:   map[string]string{},
	}
}

func (r *renderer) report(d diag.Diagnostic) {
	r.mu.Lock()
	r.diags = append(r.diags, d)
	r.mu.Unlock()
}

// run renders every entry on workers goroutines, stopping at the first
// error that is not about one entry (a full disk, a cancelled context).
func (r *renderer) run(ctx context.Context, entries []entry, workers int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan entry)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			gem := &folders{root: r.gemini, old: r.old.part(geminiTree)}
			gop := &folders{root: r.gopher, old: r.old.part(gopherTree)}
			defer gem.close()
			defer gop.close()
			for e := range jobs {
				f := gem
				if e.kind != geminiBody {
					f = gop
				}
				if err := r.render(e, f); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, e := range entries {
		select {
		case jobs <- e:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return context.Cause(ctx)
}

// render writes one entry. An entry the live server does not serve is
// reported and skipped; only errors that stop the export are returned.
func (r *renderer) render(e entry, f *folders) error {
	dir, old, name, err := f.at(e.file)
	if err != nil {
		return err
	}
	var n int64
	switch e.kind {
	case geminiBody:
		n, err = r.geminiFile(e, dir, old, name)
	case gopherFile:
		n, err = writeFile(dir, old, name, func(w io.Writer) error { return r.gopherAnswer(w, e.path) })
	case gopherMenu:
		n, err = r.gopherMenu(e, dir, old, name)
	}
	if errors.Is(err, errNotServed) {
		r.report(diag.Diagnostic{File: where(r.s, e.source, e.path), Severity: diag.Warning, Code: "export/not-served",
			Message: fmt.Sprintf("the live server does not serve %s (%v), so it is not exported", quote(e.path), errors.Unwrap(err))})
		return nil
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	if e.kind == geminiBody {
		r.stats.GeminiFiles++
	} else {
		r.stats.GopherFiles++
	}
	r.stats.Bytes += n
	r.mu.Unlock()
	return nil
}

// geminiFile writes the body the live server sends for e.path as name in
// dir.
func (r *renderer) geminiFile(e entry, dir, old *os.Root, name string) (int64, error) {
	var meta string
	n, err := writeFile(dir, old, name, func(w io.Writer) error {
		opts := r.s.Options()
		req := &gemini.Request{
			URL:  &url.URL{Scheme: "gemini", Host: opts.Hostname, Path: e.path},
			Host: opts.Hostname,
			Path: e.path,
		}
		gw := &geminiWriter{w: w}
		r.gem.ServeGemini(gw, req)
		if gw.status != gemini.StatusSuccess {
			return fmt.Errorf("%w: status %d", errNotServed, gw.status)
		}
		meta = gw.meta
		return gw.err
	})
	if err == nil {
		r.mu.Lock()
		r.meta[e.file] = meta
		r.mu.Unlock()
	}
	return n, err
}

// gopherAnswer writes what the live Gopher server answers for selector.
func (r *renderer) gopherAnswer(w io.Writer, selector string) error {
	gw := &gopherWriter{w: w, status: gopher.StatusOK}
	r.gop.ServeGopher(gw, &gopher.Request{Selector: selector})
	if gw.status != gopher.StatusOK {
		return fmt.Errorf("%w: %s", errNotServed, gw.status)
	}
	return gw.err
}

// gopherMenu writes the live menu for a selector as a gophermap, name in
// dir.
func (r *renderer) gopherMenu(e entry, dir, old *os.Root, name string) (int64, error) {
	var menu bytes.Buffer
	if err := r.gopherAnswer(&menu, e.path); err != nil {
		return 0, err
	}
	gm, changes := Gophermap(menu.Bytes())
	for _, c := range changes {
		r.report(diag.Diagnostic{File: where(r.s, e.source, e.path), Severity: diag.Warning, Code: "export/gophermap",
			Message: fmt.Sprintf("menu %s, %s", quote(e.path), c)})
	}
	return writeFile(dir, old, name, func(w io.Writer) error {
		_, err := w.Write(gm)
		return err
	})
}

// writeFile creates name in root (0644, never replacing a file) and fills
// it; on any error the file is removed. When old, the same part of the
// earlier export, holds the same bytes under that name, the new file gets
// its modification time, so mirrors see no change.
func writeFile(root, old *os.Root, name string, fill func(io.Writer) error) (int64, error) {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	cw := &countWriter{w: f}
	var w io.Writer = cw
	cmp := openCompare(old, name)
	if cmp != nil {
		w = io.MultiWriter(cw, cmp)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644) // whatever the umask: static servers want world-readable files
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && cmp.same() {
		err = root.Chtimes(name, cmp.mtime, cmp.mtime)
	}
	if err != nil {
		root.Remove(name)
		if errors.Is(err, errNotServed) {
			return 0, err
		}
		return 0, fmt.Errorf("export: writing %s: %w", name, err)
	}
	return cw.n, nil
}

// folders opens the folders of one part of an export, new and earlier,
// once for a run of files in the same folder: each call through an
// os.Root walks every folder of its path again, and a large export has
// thousands of files in one folder. A folders is used by one goroutine.
type folders struct {
	root, old *os.Root // the part's top, new and earlier (old may be nil)
	dir       string
	sub, osub *os.Root // the folder dir, new and earlier
}

// at returns the folder holding name (new, and earlier if it exists) and
// name's last element.
func (f *folders) at(name string) (dir, old *os.Root, base string, err error) {
	d, base := path.Split(name)
	d = strings.TrimSuffix(d, "/")
	if d == "" {
		return f.root, f.old, base, nil
	}
	if f.sub == nil || d != f.dir {
		f.close()
		sub, err := f.root.OpenRoot(d)
		if err != nil {
			return nil, nil, "", fmt.Errorf("export: %w", err)
		}
		f.sub, f.dir = sub, d
		if f.old != nil {
			f.osub, _ = f.old.OpenRoot(d) // none: nothing to compare with
		}
	}
	return f.sub, f.osub, base, nil
}

func (f *folders) close() {
	for _, r := range []*os.Root{f.sub, f.osub} {
		if r != nil {
			r.Close()
		}
	}
	f.sub, f.osub, f.dir = nil, nil, ""
}

// comparer reads an earlier file alongside the writes of its new version
// and tells whether the two are equal.
type comparer struct {
	old   *os.File // nil once they differ
	mtime time.Time
	buf   []byte
}

// openCompare opens name in old for comparing; nil when there is nothing
// to compare with. Errors only mean the times are not kept.
func openCompare(old *os.Root, name string) *comparer {
	if old == nil {
		return nil
	}
	f, err := old.Open(name)
	if err != nil {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil
	}
	return &comparer{old: f, mtime: fi.ModTime()}
}

func (c *comparer) Write(p []byte) (int, error) {
	if c.old == nil {
		return len(p), nil
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	b := c.buf[:len(p)]
	if _, err := io.ReadFull(c.old, b); err != nil || !bytes.Equal(b, p) {
		c.old.Close()
		c.old = nil
	}
	return len(p), nil
}

// same reports whether the earlier file ended where the new one did,
// with the same bytes, and closes it.
func (c *comparer) same() bool {
	if c == nil || c.old == nil {
		return false
	}
	defer c.old.Close()
	var one [1]byte
	n, _ := c.old.Read(one[:])
	return n == 0
}

// geminiWriter is a gemini.ResponseWriter that keeps the header and sends
// the body to w.
type geminiWriter struct {
	w      io.Writer
	status gemini.Status
	meta   string
	header bool
	err    error
}

func (g *geminiWriter) WriteHeader(status gemini.Status, meta string) {
	if g.header {
		return
	}
	g.header, g.status, g.meta = true, status, meta
}

func (g *geminiWriter) Write(b []byte) (int, error) {
	if !g.header {
		g.WriteHeader(gemini.StatusSuccess, gemini.DefaultMediaType)
	}
	if g.status != gemini.StatusSuccess {
		return 0, gemini.ErrBodyNotAllowed
	}
	n, err := g.w.Write(b)
	if err != nil && g.err == nil {
		g.err = err
	}
	return n, err
}

// gopherWriter is a gopher.ResponseWriter that sends the response to w
// and keeps the status the handler reports.
type gopherWriter struct {
	w      io.Writer
	status gopher.Status
	err    error
}

func (g *gopherWriter) Write(b []byte) (int, error) {
	n, err := g.w.Write(b)
	if err != nil && g.err == nil {
		g.err = err
	}
	return n, err
}

func (g *gopherWriter) SetStatus(s gopher.Status) { g.status = s }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// langOf returns the lang parameter of a media type, "" if none.
func langOf(mediaType string) string {
	for param := range strings.SplitSeq(mediaType, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(param), "lang="); ok {
			return v
		}
	}
	return ""
}
