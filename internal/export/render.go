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
	"strings"
	"sync"

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
	old    *tree // the previous export, to keep unchanged files' times

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
			for e := range jobs {
				if err := r.render(e); err != nil {
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
func (r *renderer) render(e entry) error {
	var err error
	var n int64
	switch e.kind {
	case geminiBody:
		n, err = r.geminiFile(e)
	case gopherFile:
		n, err = writeFile(r.gopher, e.file, func(w io.Writer) error { return r.gopherAnswer(w, e.path) })
	case gopherMenu:
		n, err = r.gopherMenu(e)
	}
	if errors.Is(err, errNotServed) {
		r.report(diag.Diagnostic{File: where(r.s, e.source, e.path), Severity: diag.Warning, Code: "export/not-served",
			Message: fmt.Sprintf("the live server does not serve %s (%v), so it is not exported", quote(e.path), errors.Unwrap(err))})
		return nil
	}
	if err != nil {
		return err
	}
	root, which := r.gemini, geminiTree
	if e.kind != geminiBody {
		root, which = r.gopher, gopherTree
	}
	if err := r.old.keepTime(root, which, e.file); err != nil {
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

func (r *renderer) geminiFile(e entry) (int64, error) {
	var meta string
	n, err := writeFile(r.gemini, e.file, func(w io.Writer) error {
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

// gopherMenu writes the live menu for a selector as a gophermap.
func (r *renderer) gopherMenu(e entry) (int64, error) {
	var menu bytes.Buffer
	if err := r.gopherAnswer(&menu, e.path); err != nil {
		return 0, err
	}
	gm, changes := Gophermap(menu.Bytes())
	for _, c := range changes {
		r.report(diag.Diagnostic{File: where(r.s, e.source, e.path), Severity: diag.Warning, Code: "export/gophermap",
			Message: fmt.Sprintf("menu %s, %s", quote(e.path), c)})
	}
	return writeFile(r.gopher, e.file, func(w io.Writer) error {
		_, err := w.Write(gm)
		return err
	})
}

// writeFile creates name in root (0644, never replacing a file) and fills
// it; on any error the file is removed.
func writeFile(root *os.Root, name string, fill func(io.Writer) error) (int64, error) {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	cw := &countWriter{w: f}
	bw := bufio.NewWriterSize(cw, 64<<10)
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
	if err != nil {
		root.Remove(name)
		if errors.Is(err, errNotServed) {
			return 0, err
		}
		return 0, fmt.Errorf("export: writing %s: %w", name, err)
	}
	return cw.n, nil
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
