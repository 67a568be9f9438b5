package site

import (
	"strings"
	"testing"
	"unicode/utf8"

	"broadside/internal/capsule"
	"broadside/internal/gopher"
)

// FuzzGopherSelector: whatever the selector, routing never reaches a dot
// segment or hidden name, never panics, and every menu it answers lints.
func FuzzGopherSelector(f *testing.F) {
	for _, s := range []string{"", "/", "/posts/second.gmi;menu", "/../x", "/%2e%2e/x", "/.git/config", "URL:https://x/", "/tags/fran%C3%A7ais/", "/%", "caps.txt"} {
		f.Add(s)
	}
	h := liveTest(f).GopherHandler()
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
			if err := gopher.LintMenu([]byte(got)); err != nil {
				t.Fatalf("%q: %v\n%s", sel, err, got)
			}
		}
	})
}

// FuzzLookup: any path routes without panicking, and a static file answer
// is never hidden, never a document source, never outside the capsule.
func FuzzLookup(f *testing.F) {
	for _, p := range []string{"/", "/posts/second.md", "/images/a.png", "/.hidden.md", "/docs", "/a/../b"} {
		f.Add(p)
	}
	s := buildTest(f, testCapsule())
	f.Fuzz(func(t *testing.T, p string) {
		if !utf8.ValidString(p) {
			return
		}
		r := s.Lookup(p)
		if r.Status == Found && r.Page == nil {
			if capsule.Hidden(r.File) || capsule.IsDocument(r.File) || strings.Contains(r.File, "..") {
				t.Fatalf("Lookup(%q) serves file %q", p, r.File)
			}
		}
		if r.Status == Redirect && !strings.HasPrefix(r.Target, "/") {
			t.Fatalf("Lookup(%q) redirects to %q", p, r.Target)
		}
	})
}
