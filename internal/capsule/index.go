package capsule

import (
	"fmt"
	"maps"
	"slices"
	"time"
	"weak"

	"broadside/internal/diag"
)

// Indexing: from the latest version of every file to the documents served
// by path, and every problem. A load indexes every file; an update, which
// changes a few files of a large capsule, changes the previous snapshot's
// index where those files are (reindex), so that an edit costs the same on
// 100 documents as on 100,000. TestUpdate checks that both give the same.

// indexState is what an update needs of the previous snapshot's index.
type indexState struct {
	// losers lists, by served path, the documents that claim a path
	// another file has (see before).
	losers map[string][]*Doc
	// spellings counts, for each tag slug, the served documents that
	// write it each way.
	spellings map[string]map[string]int
	// tagProblems holds the spelling problems of each slug that has more
	// than one spelling.
	tagProblems map[string][]diag.Diagnostic
	// base is the snapshot this one was updated from, and gone and come
	// the documents no longer served and newly served since (see Delta).
	base       weak.Pointer[Snapshot]
	gone, come []*Doc
}

// Delta reports how s differs from from, when s was made by Update from
// from: the documents from served and s does not (a removed file, the old
// version of an edited one) and those s serves and from did not. ok is
// false when s was not updated from from (a load, or another snapshot):
// then everything may differ.
func (s *Snapshot) Delta(from *Snapshot) (gone, come []*Doc, ok bool) {
	if from == nil || s.ix.base.Value() != from {
		return nil, nil, false
	}
	return s.ix.gone, s.ix.come, true
}

// candidate returns the version of a file that asks to be served: the
// latest, or the last good one when the latest is broken (a broken draft
// is held back as a draft, so it is its own), or nil.
func (s *Snapshot) candidate(src string) *Doc {
	cur := s.bySource[src]
	if cur == nil {
		return nil
	}
	if cur.Broken && !cur.Draft {
		return s.good[src]
	}
	return cur
}

// fileProblems appends the problems of a file as a snapshot reports them:
// its own, and a note saying what is served when it is broken.
func (s *Snapshot) fileProblems(out []diag.Diagnostic, src string) []diag.Diagnostic {
	cur := s.bySource[src]
	out = append(out, cur.Problems...)
	if !cur.Broken || cur.Draft {
		return out
	}
	if d := s.good[src]; d != nil {
		return append(out, diag.Diagnostic{File: src, Severity: Warning, Code: CodeLastGood,
			Message: "its errors keep the last good version (" + d.ModTime.UTC().Format(time.RFC3339) + ") published until they are fixed"})
	}
	return append(out, diag.Diagnostic{File: src, Severity: Warning, Code: CodeUnpublished,
		Message: "not published until its errors are fixed"})
}

// claim serves d at its path unless a file that comes before it claims
// the path too; the one that does not win is a loser.
func (s *Snapshot) claim(d *Doc) {
	other, ok := s.Docs[d.Path]
	switch {
	case !ok:
		s.Docs[d.Path] = d
		s.spell(d, 1)
	case before(d.Source, other.Source):
		s.Docs[d.Path] = d
		s.spell(other, -1)
		s.spell(d, 1)
		s.ix.losers[d.Path] = append(s.ix.losers[d.Path], other)
	default:
		s.ix.losers[d.Path] = append(s.ix.losers[d.Path], d)
	}
}

// spell counts (n = 1) or uncounts (n = -1) the spellings of d's tags.
func (s *Snapshot) spell(d *Doc, n int) {
	for _, t := range d.Tags {
		m := s.ix.spellings[t.Slug]
		if m == nil {
			m = map[string]int{}
			s.ix.spellings[t.Slug] = m
		}
		if m[t.Name] += n; m[t.Name] <= 0 {
			delete(m, t.Name)
		}
		if len(m) == 0 {
			delete(s.ix.spellings, t.Slug)
		}
	}
}

// pathProblems appends an error for every document that lost its path.
func (s *Snapshot) pathProblems(out []diag.Diagnostic) []diag.Diagnostic {
	for path, ls := range s.ix.losers {
		for _, d := range ls {
			out = append(out, diag.Diagnostic{File: d.Source, Severity: Error, Code: CodePathTaken,
				Message: fmt.Sprintf("served path %s is already taken by %s; this file is not served", path, s.Docs[path].Source)})
		}
	}
	return out
}

// respell computes the spelling problems of the slugs given, from the
// served documents.
func (s *Snapshot) respell(slugs map[string]bool) {
	mixed := map[string][]*Doc{}
	for slug := range slugs {
		if len(s.ix.spellings[slug]) > 1 {
			mixed[slug] = nil
		} else {
			delete(s.ix.tagProblems, slug)
		}
	}
	if len(mixed) == 0 {
		return
	}
	for _, d := range s.Docs {
		for _, t := range d.Tags {
			if uses, ok := mixed[t.Slug]; ok && (len(uses) == 0 || uses[len(uses)-1] != d) {
				mixed[t.Slug] = append(uses, d)
			}
		}
	}
	for slug, docs := range mixed {
		s.ix.tagProblems[slug] = spellingProblems(slug, s.ix.spellings[slug], docs)
	}
}

// finishProblems sorts the problems: found, plus the path and tag
// problems the index holds.
func (s *Snapshot) finishProblems(found []diag.Diagnostic) {
	found = s.pathProblems(found)
	for _, ps := range s.ix.tagProblems {
		found = append(found, ps...)
	}
	diag.Sort(found)
	s.Problems = found
}

// index builds the served-path map from the parsed documents: each file's
// current version, or its last good one when it is broken, reporting
// documents that claim the same path; then every problem, sorted.
// problems are those the scan found with files that are not documents.
//
// Of the files that claim one path, the Markdown one wins over a gemtext
// one of the same stem, and otherwise the first by name: the result does
// not depend on the order of the maps.
func (s *Snapshot) index(problems []diag.Diagnostic) {
	s.scanProblems = problems
	found := slices.Clone(problems)
	s.Files = len(s.bySource) + len(s.others)
	s.Docs = make(map[string]*Doc, len(s.bySource))
	s.ix = indexState{losers: map[string][]*Doc{}, spellings: map[string]map[string]int{}, tagProblems: map[string][]diag.Diagnostic{}}
	for src := range s.bySource {
		found = s.fileProblems(found, src)
		if d := s.candidate(src); d != nil {
			s.claim(d)
		}
	}
	s.respell(s.mixedSlugs())
	s.finishProblems(found)
}

// mixedSlugs returns the slugs with more than one spelling.
func (s *Snapshot) mixedSlugs() map[string]bool {
	out := map[string]bool{}
	for slug, m := range s.ix.spellings {
		if len(m) > 1 {
			out[slug] = true
		}
	}
	return out
}

// reindex is index for a snapshot updated from prev where the files at
// and below roots changed: touched lists those files, before and after.
// found are the problems the update's scan found below roots.
func (s *Snapshot) reindex(prev *Snapshot, roots []string, touched map[string]bool, found []diag.Diagnostic) {
	s.Files = len(s.bySource) + len(s.others)
	s.Docs = maps.Clone(prev.Docs)
	s.ix = indexState{
		losers:      map[string][]*Doc{},
		spellings:   maps.Clone(prev.ix.spellings),
		tagProblems: maps.Clone(prev.ix.tagProblems),
		base:        weak.Make(prev),
	}
	for slug, m := range s.ix.spellings {
		s.ix.spellings[slug] = maps.Clone(m) // small: a few spellings each
	}
	for path, ls := range prev.ix.losers {
		s.ix.losers[path] = slices.DeleteFunc(slices.Clone(ls), func(d *Doc) bool { return touched[d.Source] })
		if len(s.ix.losers[path]) == 0 {
			delete(s.ix.losers, path)
		}
	}
	paths := map[string]bool{} // served paths that may have changed hands
	slugs := map[string]bool{} // tags whose spellings may have changed
	for src := range touched {
		if old := prev.Served(src); old != nil {
			delete(s.Docs, old.Path)
			s.spell(old, -1)
			paths[old.Path] = true
			for _, t := range old.Tags {
				slugs[t.Slug] = true
			}
		}
	}
	// A path given up goes to the first of the files that lost it.
	for path := range paths {
		ls := s.ix.losers[path]
		if _, taken := s.Docs[path]; taken || len(ls) == 0 {
			continue
		}
		best := slices.MinFunc(ls, func(a, b *Doc) int {
			if before(a.Source, b.Source) {
				return -1
			}
			return 1
		})
		s.ix.losers[path] = slices.DeleteFunc(ls, func(d *Doc) bool { return d == best })
		if len(s.ix.losers[path]) == 0 {
			delete(s.ix.losers, path)
		}
		s.Docs[path] = best
		s.spell(best, 1)
	}
	for src := range touched {
		if s.bySource[src] != nil {
			found = s.fileProblems(found, src)
		}
		if d := s.candidate(src); d != nil {
			paths[d.Path] = true
			for _, t := range d.Tags {
				slugs[t.Slug] = true
			}
			s.claim(d)
		}
	}
	for path := range paths {
		was, now := prev.Docs[path], s.Docs[path]
		if was == now {
			continue
		}
		if was != nil {
			s.ix.gone = append(s.ix.gone, was)
		}
		if now != nil {
			s.ix.come = append(s.ix.come, now)
		}
	}
	for _, d := range s.ix.come {
		for _, t := range d.Tags {
			slugs[t.Slug] = true
		}
	}
	s.respell(slugs)
	// Every other problem stands: drop those of the files below roots,
	// and those the index makes again.
	for _, p := range prev.Problems {
		if p.Code == CodePathTaken || p.Code == CodeTagSpelling || touched[p.File] || belowAny(p.File, roots) {
			continue
		}
		found = append(found, p)
	}
	s.finishProblems(found)
}

// belowAny reports whether the problem file f (a display path) is at or
// below one of roots.
func belowAny(f string, roots []string) bool {
	for _, r := range roots {
		if under(f, displayPath(r)) {
			return true
		}
	}
	return false
}
