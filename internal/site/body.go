package site

import (
	"context"
	"runtime"
	"slices"
	"strconv"

	"broadside/internal/capsule"
)

// Bodies. The snapshot keeps no document's text: a page that shows one
// asks for its body here, which takes it from the cache or has the
// snapshot read and convert the file (a fraction of a millisecond for a
// long article) and keeps it, within the cache's budget.

// bodyKey is the cache key of the body of one version of a document.
// Versions get keys of their own so that the last good version of a
// broken file, pinned, never shares one with the broken version.
func bodyKey(d *capsule.Doc) string {
	return "body:" + d.Source + "\x00" + strconv.FormatInt(d.Size, 10) + "\x00" + strconv.FormatInt(d.ModTime.UnixNano(), 10)
}

// body returns the body of d, a document of the site's snapshot, from the
// cache, or read and kept there.
func (s *Site) body(d *capsule.Doc) (*capsule.Body, error) {
	v, err := s.cache.getErr(bodyKey(d), []any{d}, func() (any, int, error) {
		b, err := s.snap.Body(d)
		if err != nil {
			return nil, 0, err
		}
		return b, b.Len(), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*capsule.Body), nil
}

// Body returns the body of d, a document of the site's snapshot: the one
// the cache holds, else one read and converted now and not kept, so that
// going through every article (to index it for search) does not push out
// of the cache the pages readers ask for. It is safe for concurrent use.
func (s *Site) Body(d *capsule.Doc) (*capsule.Body, error) {
	if v, ok := s.cache.peek(bodyKey(d), []any{d}); ok {
		return v.(*capsule.Body), nil
	}
	return s.snap.Body(d)
}

// StandIn is a document served in place of a newer, broken version of its
// file (its last good version).
type StandIn struct {
	Doc *capsule.Doc
	// Kept says its body was in the cache when the file broke, and is
	// pinned there until the file is fixed; otherwise its page shows
	// the text of the broken version, whose error is in its front matter
	// (see capsule.Snapshot.Body).
	Kept bool
}

// StandIns lists the site's documents that stand in for broken newer
// versions of their files, by file name.
func (s *Site) StandIns() []StandIn { return s.standIns }

// pinStandIns pins in the cache the bodies of the documents that stand in
// for broken files, and unpins those of files since fixed or removed.
func (s *Site) pinStandIns() {
	pins := map[string][]any{}
	var docs []*capsule.Doc
	for _, d := range s.snap.StandIns() {
		if s.snap.Docs[d.Path] == d {
			pins[bodyKey(d)] = []any{d}
			docs = append(docs, d)
		}
	}
	kept := s.cache.SetPins(pins)
	for _, d := range docs {
		s.standIns = append(s.standIns, StandIn{Doc: d, Kept: kept[bodyKey(d)]})
	}
}

// Warm builds, in the background of a reload, the pages readers will ask
// for first: the home page, the feed and the tags page, then the newest
// articles' pages, until the cache holds limit bytes, every article is
// built, or ctx ends. It calls visit (if not nil) with each article and
// its body, and yields to other goroutines between pages, so that
// requests go first. It returns the number of articles it built.
func (s *Site) Warm(ctx context.Context, limit int, visit func(*capsule.Doc, *capsule.Body)) int {
	for _, p := range []string{"/", "/atom.xml", "/tags/"} {
		if ctx.Err() != nil {
			return 0
		}
		s.page(p)
		runtime.Gosched()
	}
	n := 0
	for _, d := range s.Articles {
		if ctx.Err() != nil {
			break
		}
		if _, used := s.cache.Len(); used >= limit {
			break
		}
		if _, err := s.docPage(d); err != nil {
			continue
		}
		if b, err := s.body(d); err == nil && visit != nil {
			visit(d, b)
		}
		n++
		runtime.Gosched()
	}
	return n
}

// WarmDocs builds the pages of docs, documents of the site (the ones a
// reload found changed), calling visit with each one's body.
func (s *Site) WarmDocs(ctx context.Context, docs []*capsule.Doc, visit func(*capsule.Doc, *capsule.Body)) {
	for _, d := range slices.Clone(docs) {
		if ctx.Err() != nil {
			return
		}
		if s.docs[d.Path] != d && s.folders[d.Path] != d {
			continue
		}
		if _, err := s.docPage(d); err != nil {
			continue
		}
		if b, err := s.body(d); err == nil && visit != nil {
			visit(d, b)
		}
		runtime.Gosched()
	}
}
