package capsule

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLocateLinksBounded renders documents whose links would make placing
// each link in the source quadratic: one long paragraph of links, and
// reference links whose definitions come last (every search for them
// looks ahead in vain, then from the start). Each must finish well within
// a generous bound (a hang detector, not a measure: 500,000 links in one
// paragraph took six minutes before) and keep the links it can place at
// their line.
func TestLocateLinksBounded(t *testing.T) {
	cases := []struct {
		name string
		line int // where the first link is placed: where its destination is written
		src  func(n int) string
	}{
		{"one paragraph of links", 4, func(n int) string { return strings.Repeat("[a](/b) ", n) + "\n" }},
		{"one paragraph of distinct links", 4, func(n int) string {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "[a](/b%d) ", i)
			}
			return b.String() + "\n"
		}},
		{"references defined at the end", 6, func(n int) string {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "[a][r%d] ", i)
			}
			b.WriteString("\n\n")
			for i := range n {
				fmt.Fprintf(&b, "[r%d]: /u%d\n", i, i)
			}
			return b.String()
		}},
	}
	n := 100000 / raceScale
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "---\ntitle: Links\n---\n" + c.src(n)
			start := time.Now()
			d, body := Render("posts/links.md", []byte(src), Options{})
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("%d bytes took %v", len(src), took)
			}
			if len(body.Gemtext) > 8*len(src)+1<<16 {
				t.Errorf("%d bytes of gemtext from %d", len(body.Gemtext), len(src))
			}
			if len(d.Links) == 0 || d.Links[0].Line != c.line {
				t.Fatalf("first link not placed on line %d: %+v", c.line, d.Links[:min(len(d.Links), 1)])
			}
		})
	}
}
