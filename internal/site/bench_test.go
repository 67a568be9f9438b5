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

// BenchmarkServe measures the cost of one request from routing to the
// last byte, on a small and a large capsule: it must stay flat as the
// capsule grows. "lookup" is routing plus writing the cached bytes;
// "gemini" and "gopher" add the real protocol servers over net.Pipe.
func BenchmarkServe(b *testing.B) {
	for _, n := range []int{100, 10000} {
		s := benchSite(b, n)
		l := &Live{}
		l.Store(s)
		gh := l.GopherHandler()
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
			b.Run(fmt.Sprintf("gemini/%s/%d", target.name, n), func(b *testing.B) {
				for b.Loop() {
					geminiGet(b, l, "gemini://example.org"+target.path)
				}
			})
			b.Run(fmt.Sprintf("gopher/%s/%d", target.name, n), func(b *testing.B) {
				for b.Loop() {
					gopherGet(b, gh, target.path)
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
