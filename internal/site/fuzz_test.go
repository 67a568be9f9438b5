package site

import (
	"strings"
	"testing"
	"unicode/utf8"

	"broadside/internal/capsule"
)

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
