package capsule

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"broadside/internal/diag"
)

// MaxUpdatePaths bounds the paths one Update looks at; past it Update walks
// the whole capsule, which costs less than looking at each.
const MaxUpdatePaths = 20000

// Update returns the snapshot of the capsule of prev after the files and
// folders at paths (slash-separated, relative to the capsule, as a
// watcher reports them) were created, written, removed or renamed. It
// looks only there: a file is examined again and parsed if its size or
// time changed, a folder is walked, and a path that no longer exists is
// removed with everything below it; every other document is prev's, as it
// was. Hidden paths are ignored. "." (or more than MaxUpdatePaths paths)
// walks the whole capsule, as Load(fsys, opts, prev) does.
//
// Update fails, as Load does, only when the system runs short of
// resources; the caller then keeps prev.
func Update(prev *Snapshot, paths []string) (*Snapshot, error) {
	roots, all := updateRoots(paths)
	if all {
		return Load(prev.fsys, prev.opts, prev)
	}
	s := newSnapshot(prev.fsys, prev.opts)
	s.bySource = maps.Clone(prev.bySource)
	s.good = maps.Clone(prev.good)
	s.others = maps.Clone(prev.others)
	s.scanned.links = maps.Clone(prev.scanned.links)
	// Documents read through a link to a changed file changed too.
	for src, target := range prev.scanned.links {
		for _, r := range roots {
			if under(target, r) {
				roots = append(roots, src)
				break
			}
		}
	}
	roots = outermost(roots)
	touched := s.forget(roots)
	s.examined = map[string]bool{}
	kept := slices.DeleteFunc(slices.Clone(prev.scanProblems), func(p diag.Diagnostic) bool { return belowAny(p.File, roots) })
	var found []diag.Diagnostic // below roots, by this update
	var todo []fileInfo
	report := func(file, code string, sev Severity, format string, args ...any) {
		found = append(found, diag.Diagnostic{File: displayPath(file), Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	folders := map[string]bool{}
	for _, r := range roots {
		if !s.walkable(path.Dir(r), folders) {
			continue // below a link, a file or a skipped folder: never walked
		}
		info, err := fs.Lstat(s.fsys, r)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // removed: forgotten above
		case err != nil && transient(err):
			return nil, fmt.Errorf("reading capsule: %w", err)
		case err != nil:
			report(r, CodeFile, Error, "cannot read: %v", cause(err))
			continue
		}
		if bad := badName(path.Base(r)); bad != "" {
			kind := "file"
			if info.IsDir() {
				kind = "folder"
			}
			report(r, CodeFileName, Warning, "%s name %q %s; skipped", kind, path.Base(r), bad)
			continue
		}
		if info.IsDir() {
			more, probs, err := s.scan(s.fsys, r, prev)
			if err != nil {
				return nil, fmt.Errorf("reading capsule: %w", err)
			}
			todo, found = append(todo, more...), append(found, probs...)
			continue
		}
		fi, ok, err := s.examineFile(s.fsys, r, fs.FileInfoToDirEntry(info), prev, report)
		if err != nil {
			return nil, fmt.Errorf("reading capsule: %w", err)
		}
		if ok {
			todo = append(todo, *fi)
		}
	}
	if err := s.parse(todo); err != nil {
		return nil, err
	}
	for _, fi := range todo {
		src := fi.source
		if d := s.bySource[src]; d != nil && d.Broken {
			if g := prev.lastGood(src); g != nil {
				s.good[src] = g
			}
		}
	}
	s.Reused = len(s.bySource) - s.Parsed
	s.scanProblems = append(kept, found...)
	// Every document at or below a root was forgotten, then found again
	// or not.
	for src := range s.examined {
		touched[src] = true
	}
	s.examined = nil
	s.reindex(prev, roots, touched, found)
	return s, nil
}

// updateRoots cleans the paths Update is given: no hidden ones, none below
// another, sorted. all reports that the whole capsule must be walked.
func updateRoots(paths []string) (roots []string, all bool) {
	if len(paths) > MaxUpdatePaths {
		return nil, true
	}
	for _, p := range paths {
		p = path.Clean(strings.TrimPrefix(p, "/"))
		if p == "." || p == "" {
			return nil, true
		}
		if !fs.ValidPath(p) || Hidden(p) {
			continue
		}
		roots = append(roots, p)
	}
	return outermost(roots), false
}

// outermost sorts paths and drops those at or below another: the walk of
// that one covers them.
func outermost(paths []string) []string {
	set := map[string]bool{}
	for _, p := range paths {
		set[p] = true
	}
	var out []string
	for p := range set {
		covered := false
		for d := path.Dir(p); d != "." && !covered; d = path.Dir(d) {
			covered = set[d]
		}
		if !covered {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// under reports whether p is root or lies below it.
func under(p, root string) bool {
	return p == root || (strings.HasPrefix(p, root) && len(p) > len(root) && p[len(root)] == '/')
}

// forget drops from s what it knew at and below roots (slices.Sort'ed):
// documents, other files, links and last good versions. It returns the
// sources of the documents it dropped.
func (s *Snapshot) forget(roots []string) map[string]bool {
	gone := map[string]bool{}
	known := true // every root was a file: nothing can be below them
	for _, r := range roots {
		_, doc := s.bySource[r]
		if doc {
			gone[r] = true
		}
		known = known && (doc || s.others[r])
		delete(s.bySource, r)
		delete(s.good, r)
		delete(s.scanned.links, r)
		delete(s.others, r)
	}
	if known {
		return gone
	}
	set := map[string]bool{}
	for _, r := range roots {
		set[r] = true
	}
	inRoots := func(p string) bool {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if set[d] {
				return true
			}
		}
		return false
	}
	for src := range s.bySource {
		if inRoots(src) {
			gone[src] = true
			delete(s.bySource, src)
			delete(s.good, src)
			delete(s.scanned.links, src)
		}
	}
	for p := range s.others {
		if inRoots(p) {
			delete(s.others, p)
		}
	}
	return gone
}

// walkable reports whether the walk of the whole capsule reaches the
// folder dir: every folder on the way is a folder (not a link to one), with
// a good name. Answers are remembered in seen.
func (s *Snapshot) walkable(dir string, seen map[string]bool) bool {
	if dir == "." {
		return true
	}
	if ok, done := seen[dir]; done {
		return ok
	}
	ok := s.walkable(path.Dir(dir), seen) && badName(path.Base(dir)) == ""
	if ok {
		info, err := fs.Lstat(s.fsys, dir)
		ok = err == nil && info.IsDir()
	}
	seen[dir] = ok
	return ok
}
