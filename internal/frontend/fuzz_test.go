package frontend

import (
	"broadside/internal/gopher/gophertest"
	"strings"
	"testing"
)

// FuzzGopherSelector: whatever the selector, routing never reaches a dot
// segment or hidden name, never panics, and every menu it answers lints.
func FuzzGopherSelector(f *testing.F) {
	for _, s := range []string{"", "/", "/posts/second.gmi;menu", "/../x", "/%2e%2e/x", "/.git/config", "URL:https://x/", "/tags/fran%C3%A7ais/", "/%", "caps.txt"} {
		f.Add(s)
	}
	h := liveTest(f)
	f.Fuzz(func(t *testing.T, sel string) {
		if p, _, ok := selectorPath(sel); ok {
			for seg := range strings.SplitSeq(p, "/") {
				if seg == ".." || seg == "." || strings.HasPrefix(seg, ".") {
					t.Fatalf("selectorPath(%q) = %q", sel, p)
				}
			}
		}
		if len(sel) > 1024 || strings.ContainsAny(sel, "\t\r\n") {
			return
		}
		got := gopherGet(t, h, sel)
		if strings.HasPrefix(got, "3") || strings.HasPrefix(got, "i") {
			if err := gophertest.LintMenu([]byte(got)); err != nil {
				t.Fatalf("%q: %v\n%s", sel, err, got)
			}
		}
	})
}
