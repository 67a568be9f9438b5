package frontend

import (
	"fmt"
	"strings"
	"testing"

	"broadside/internal/capsule"
	"broadside/internal/site"
	"broadside/internal/site/sitetest"
)

// TestGopherCacheBounded reads every page of a site over Gopher and checks
// the cache stays within its budget while serving correct views.
func TestGopherCacheBounded(t *testing.T) {
	fsys := testCapsule()
	for i := range 50 {
		fsys[fmt.Sprintf("posts/gen%d.md", i)] = file(fmt.Sprintf("---\ntitle: Gen %d\ndate: 2023-02-01\n---\n\n%s\n", i, strings.Repeat("word ", 400)))
	}
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(fsys)
	opts.Cache = site.NewCache(8 << 10)
	s := site.Build(snap, opts, sitetest.Now)
	l := liveOf(s)
	for i := range 50 {
		got := gopherGet(t, l, fmt.Sprintf("/posts/gen%d.gmi", i))
		if !strings.HasPrefix(got, fmt.Sprintf("Gen %d\r\n", i)) {
			t.Fatalf("gen%d: wrong view:\n%.200s", i, got)
		}
	}
	if _, used := s.Cache().Len(); used > 8<<10 {
		t.Errorf("cache grew to %d bytes over its 8 KiB budget", used)
	}
}
