package frontend

import (
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/capsulegen"
	"broadside/internal/site"
	"broadside/internal/site/sitetest"
)

// benchSites caches generated sites across sub-benchmarks: building the
// 10,000-article one takes seconds.
var benchSites = map[int]*site.Site{}

func benchSite(b *testing.B, n int) *site.Site {
	if s, ok := benchSites[n]; ok {
		return s
	}
	fsys := fstest.MapFS{}
	for name, body := range capsulegen.Files(n, 6000) {
		fsys[name] = &fstest.MapFile{Data: []byte(body), ModTime: sitetest.ModTime}
	}
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	s := site.Build(snap, site.Options{Title: "Bench", Hostname: "example.org", GopherPort: 7070, Static: fsys}, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	benchSites[n] = s
	return s
}

// BenchmarkServe measures one request through the real protocol servers
// over net.Pipe, on a small and a large capsule: it must stay flat as the
// capsule grows.
func BenchmarkServe(b *testing.B) {
	for _, n := range []int{100, 10000} {
		s := benchSite(b, n)
		l := liveOf(s)
		article := s.Articles[len(s.Articles)/2].Path
		for _, target := range []struct{ name, path string }{
			{"article", article}, {"index", "/"}, {"feed", "/atom.xml"},
		} {
			b.Run(fmt.Sprintf("gemini/%s/%d", target.name, n), func(b *testing.B) {
				for b.Loop() {
					geminiGet(b, l, "gemini://example.org"+target.path)
				}
			})
			b.Run(fmt.Sprintf("gopher/%s/%d", target.name, n), func(b *testing.B) {
				for b.Loop() {
					gopherGet(b, l, target.path)
				}
			})
		}
	}
}
