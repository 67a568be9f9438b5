package site

import (
	"fmt"
	"io"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/capsulegen"
)

// benchSites caches generated sites across sub-benchmarks: building the
// 10,000-article one takes seconds.
var benchSites = map[int]*Site{}

func benchSite(b *testing.B, n int) *Site {
	if s, ok := benchSites[n]; ok {
		return s
	}
	fsys := fstest.MapFS{}
	for name, body := range capsulegen.Files(n, 6000) {
		fsys[name] = &fstest.MapFile{Data: []byte(body), ModTime: modTime}
	}
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	s := Build(snap, Options{Title: "Bench", Hostname: "example.org", GopherPort: 7070, Static: fsys}, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	benchSites[n] = s
	return s
}

// BenchmarkServe measures the cost of one lookup, routing plus writing
// the cached bytes, on a small and a large capsule: it must stay flat as
// the capsule grows. The frontend package's benchmark adds the protocol
// servers.
func BenchmarkServe(b *testing.B) {
	for _, n := range []int{100, 10000} {
		s := benchSite(b, n)
		article := s.Articles[len(s.Articles)/2].Path
		for _, target := range []struct{ name, path string }{
			{"article", article}, {"index", "/"}, {"feed", "/atom.xml"},
		} {
			b.Run(fmt.Sprintf("lookup/%s/%d", target.name, n), func(b *testing.B) {
				for b.Loop() {
					r := s.Lookup(target.path)
					for _, part := range r.Page.Parts {
						io.Discard.Write(part)
					}
				}
			})
		}
	}
}

// BenchmarkBuild measures building the site from a loaded snapshot (done
// on every reload).
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100, 10000} {
		s := benchSite(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				Build(s.Snapshot(), s.Options(), s.Built)
			}
		})
	}
}
