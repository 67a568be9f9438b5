package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"broadside/internal/diag"
	"broadside/internal/site"
)

// Marker is the file that marks a folder as an export, at its top beside
// gemini/ and gopher/ (outside what the servers publish). Write replaces a
// non-empty folder only when it holds this file.
const Marker = ".broadside-export"

const markerText = "This folder was written by \"broadside build\". The next build replaces it whole:\n" +
	"do not keep other files here.\n"

// Options tunes Write. The zero value exports both trees on GOMAXPROCS
// workers.
type Options struct {
	// Source is the capsule folder. Write refuses a DIR inside it (the
	// export would be published as static files of the next one) or
	// containing it. "" skips the check.
	Source string
	// NoGopher leaves DIR/gopher out, for a site without Gopher. It is
	// implied when the site has no Gopher port.
	NoGopher bool
	// Workers bounds the files rendered at once; 0 means GOMAXPROCS.
	Workers int
}

// Stats counts what an export holds.
type Stats struct {
	GeminiFiles int   // files under gemini/
	GopherFiles int   // files and gophermaps under gopher/
	GopherLinks int   // hard links under gopher/ (redirected selectors)
	Redirects   int   // entries of redirects.txt that redirect (paths and prefix rules)
	Gone        int   // entries of redirects.txt that are gone
	Bytes       int64 // bytes written, links not counted
}

// Result is what Write did: its counts, and every problem an author or
// operator can fix (paths that could not be exported, and why).
type Result struct {
	Stats
	Diagnostics []diag.Diagnostic
}

// Write exports s to dir: dir/gemini/, dir/gopher/, dir/redirects.txt,
// dir/molly-brown.conf and the Marker. It builds everything in a new
// folder beside dir and renames it into place only when all is written,
// replacing an earlier export; dir must otherwise not exist or be empty.
// Files whose bytes did not change since the export it replaces keep
// their modification time, so mirrors (rsync, git) see only real changes.
//
// Paths that cannot be exported do not stop it: they are reported in the
// Result. It fails, leaving dir as it was, when dir is not replaceable,
// when writing fails, or when ctx ends.
func Write(ctx context.Context, s *site.Site, dir string, opts Options) (*Result, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	replace, err := checkTarget(dir, opts.Source)
	if err != nil {
		return nil, err
	}
	withGopher := !opts.NoGopher && s.Options().GopherPort > 0
	p := makePlan(s, withGopher)

	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-*")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	res, err := writeTree(ctx, s, p, tmp, dir, replace, withGopher, opts.Workers)
	if err != nil {
		return nil, err
	}
	if err := swap(tmp, dir, replace); err != nil {
		return nil, err
	}
	done = true
	return res, nil
}

// writeTree writes the whole export into tmp, a new folder.
func writeTree(ctx context.Context, s *site.Site, p *plan, tmp, dir string, replace, withGopher bool, workers int) (*Result, error) {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	top, err := os.OpenRoot(tmp)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer top.Close()
	var old *tree
	if replace {
		old = openTree(dir)
		defer old.close()
	}
	gem, err := makeTree(top, "gemini", p.gemini, nil)
	if err != nil {
		return nil, err
	}
	defer gem.Close()
	var gop *os.Root
	if withGopher {
		if gop, err = makeTree(top, "gopher", p.gopher, p.links); err != nil {
			return nil, err
		}
		defer gop.Close()
	}
	r := newRenderer(s, gem, gop, old)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	all := append(append([]entry(nil), p.gemini...), p.gopher...)
	if err := r.run(ctx, all, workers); err != nil {
		return nil, err
	}
	if withGopher {
		if err := r.link(p.links); err != nil {
			return nil, err
		}
	}
	res := &Result{Stats: r.stats, Diagnostics: append(p.diags, r.diags...)}
	res.Redirects, res.Gone = len(p.redirects)+len(p.prefixes), len(p.gone)
	files := map[string][]byte{
		"redirects.txt":    redirectsText(p),
		"molly-brown.conf": mollyConf(s.Options(), p, r.meta),
		Marker:             []byte(markerText),
	}
	for _, name := range sortedKeys(files) {
		if _, err := writeFile(top, old.part(topTree), name, func(w io.Writer) error {
			_, err := w.Write(files[name])
			return err
		}); err != nil {
			return nil, err
		}
	}
	diag.Sort(res.Diagnostics)
	return res, ctx.Err()
}

// makeTree creates the folder name in top and every folder the entries
// and links need, 0755 whatever the umask, and opens it.
func makeTree(top *os.Root, name string, entries []entry, links []link) (*os.Root, error) {
	if err := top.Mkdir(name, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := top.Chmod(name, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	root, err := top.OpenRoot(name)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	ns := newNamespace()
	for _, e := range entries {
		ns.claim(e.file, e.path)
	}
	for _, l := range links {
		ns.claim(l.file, l.path)
	}
	// Chmod only when the umask took bits away: on a large export the
	// folders are many and each call walks the path again.
	chmod := true
	parents := &folders{root: root}
	defer parents.close()
	for i, d := range ns.folders() {
		parent, _, base, err := parents.at(d)
		if err == nil {
			err = parent.Mkdir(base, 0o755)
		}
		if err == nil && i == 0 {
			fi, serr := parent.Lstat(base)
			chmod = serr != nil || fi.Mode().Perm() != 0o755
		}
		if err == nil && chmod {
			err = parent.Chmod(base, 0o755)
		}
		if err != nil {
			root.Close()
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	return root, nil
}

// link makes the Gopher tree's hard links, after every file is written.
// A target that was not written (the live server did not serve it) leaves
// its links out.
func (r *renderer) link(links []link) error {
	f := &folders{root: r.gopher}
	defer f.close()
	for _, l := range links {
		dir, target, file := r.gopher, l.target, l.file
		if path.Dir(l.target) == path.Dir(l.file) { // the usual case: x.md beside x.gmi
			var err error
			if dir, _, file, err = f.at(l.file); err != nil {
				return err
			}
			target = path.Base(l.target)
		}
		if _, err := dir.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := dir.Link(target, file); err != nil {
			return fmt.Errorf("export: linking %s: %w", l.file, err)
		}
		r.stats.GopherLinks++
	}
	return nil
}

// checkTarget checks that dir may receive an export and reports whether
// it replaces an existing folder (an earlier export, or an empty folder).
func checkTarget(dir, source string) (bool, error) {
	if source != "" {
		if err := checkApart(dir, source); err != nil {
			return false, err
		}
	}
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("export: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, fmt.Errorf("export: %s is a symbolic link; give the folder it points to", dir)
	case !fi.IsDir():
		return false, fmt.Errorf("export: %s exists and is not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("export: %w", err)
	}
	if len(entries) == 0 {
		return true, nil
	}
	if fi, err := os.Lstat(filepath.Join(dir, Marker)); err != nil || !fi.Mode().IsRegular() {
		return false, fmt.Errorf("export: %s is not empty and holds no earlier export (no %s file); refusing to replace it", dir, Marker)
	}
	return true, nil
}

// checkApart refuses an export folder inside the capsule or around it.
func checkApart(dir, source string) error {
	src, err := filepath.Abs(source)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	real := func(p string) string {
		// Resolve what exists of p, so a symbolic link cannot hide that
		// one folder is inside the other.
		rest := ""
		for {
			if r, err := filepath.EvalSymlinks(p); err == nil {
				return filepath.Join(r, rest)
			}
			parent := filepath.Dir(p)
			if parent == p {
				return filepath.Join(p, rest)
			}
			rest = filepath.Join(filepath.Base(p), rest)
			p = parent
		}
	}
	d, c := real(dir), real(src)
	within := func(a, b string) bool { return a == b || strings.HasPrefix(a, b+string(filepath.Separator)) }
	switch {
	case within(d, c):
		return fmt.Errorf("export: %s is inside the capsule %s; the export would be published with it", dir, source)
	case within(c, d):
		return fmt.Errorf("export: the capsule %s is inside %s, which the export replaces", source, dir)
	}
	return nil
}

// swap puts the new export tmp at dir. Replacing takes two renames, old
// out and new in: a reader may find no dir for that instant, never a
// half-written one.
func swap(tmp, dir string, replace bool) error {
	if !replace {
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("export: moving the earlier export aside: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("export: %w; the earlier export is at %s", err, old)
		}
		return fmt.Errorf("export: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("export: removing the earlier export %s: %w", old, err)
	}
	return nil
}

// tree is an earlier export, opened to compare files with.
type tree struct {
	top, gemini, gopher *os.Root
}

// openTree opens the export at dir; nil if there is none to compare with.
func openTree(dir string) *tree {
	top, err := os.OpenRoot(dir)
	if err != nil {
		return nil
	}
	t := &tree{top: top}
	t.gemini, _ = top.OpenRoot("gemini")
	t.gopher, _ = top.OpenRoot("gopher")
	return t
}

func (t *tree) close() {
	if t == nil {
		return
	}
	for _, r := range []*os.Root{t.top, t.gemini, t.gopher} {
		if r != nil {
			r.Close()
		}
	}
}

// Parts of an export.
const (
	topTree = iota
	geminiTree
	gopherTree
)

// part returns one part of the earlier export, nil if there is none.
func (t *tree) part(which int) *os.Root {
	if t == nil {
		return nil
	}
	return [...]*os.Root{topTree: t.top, geminiTree: t.gemini, gopherTree: t.gopher}[which]
}
