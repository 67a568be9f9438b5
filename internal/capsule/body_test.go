package capsule

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestBody follows one file through the versions Body may meet on disk.
func TestBody(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s string, n int) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(s), ModTime: t0.Add(time.Duration(n) * time.Minute)}
	}
	fsys := fstest.MapFS{
		"a.md":    at("---\ntitle: A\ndate: 2024-01-01\n---\n# A\n\nFirst [text](b.md).\n", 0),
		"link.md": {Mode: fs.ModeSymlink, Data: []byte("a.md")},
		"n.gmi":   at("# N\nGemtext.\n", 0),
	}
	s := mustLoad(t, fsys, Options{})
	a := s.Current("a.md")
	body := func(s *Snapshot, d *Doc) (string, error) {
		b, err := s.Body(d)
		if err != nil {
			return "", err
		}
		return string(b.Gemtext), nil
	}
	if got, err := body(s, a); err != nil || got != "First text.\n=> /b.gmi text\n" {
		t.Errorf("body %q, %v", got, err)
	}
	if b, _ := s.Body(a); b.Words != 3 || len(b.Links) != 1 || b.Summary != "First text." || a.Words != 0 {
		t.Errorf("body words %d, links %v, summary %q; the quick-loaded doc's words %d", b.Words, b.Links, b.Summary, a.Words)
	}
	if got, err := body(s, s.Current("link.md")); err != nil || !strings.Contains(got, "First text.") {
		t.Errorf("through a link: %q, %v", got, err)
	}
	if got, err := body(s, s.Current("n.gmi")); err != nil || got != "# N\nGemtext.\n" {
		t.Errorf("gemtext: %q, %v", got, err)
	}

	// Being saved: neither the new text nor a half-written one is served
	// under the old metadata.
	fsys["a.md"] = at("---\ntitle: A\ndate: 2024-01-01\n---\nSecond.\n", 1)
	if _, err := body(s, a); !errors.Is(err, ErrChanged) {
		t.Errorf("newer version on disk: %v, want ErrChanged", err)
	}
	fsys["a.md"] = at("", 2)
	if _, err := body(s, a); !errors.Is(err, ErrChanged) {
		t.Errorf("truncated file: %v, want ErrChanged", err)
	}

	// Broken: the last good version stands in, with the text on disk.
	fsys["a.md"] = at("---\ntitle: \"A\ndate: 2024-01-01\n---\nBroken front matter, new text.\n", 3)
	s2, err := Load(fsys, Options{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Docs["/a.gmi"] != a || !s2.StandsIn(a) || s2.StandsIn(s2.Current("a.md")) {
		t.Fatalf("last good version not standing in")
	}
	if got, err := body(s2, a); err != nil || got != "Broken front matter, new text.\n" {
		t.Errorf("stand-in body %q, %v", got, err)
	}
	if ins := s2.StandIns(); len(ins) != 2 || ins[0] != a || ins[1].Source != "link.md" { // and the link to it
		t.Errorf("StandIns = %v", ins)
	}
	fsys["a.md"] = at("---\ntitle: A\ndraft: true\n---\nA draft saved over it.\n", 4)
	if _, err := body(s2, a); !errors.Is(err, ErrChanged) {
		t.Errorf("stand-in with yet another version on disk: %v, want ErrChanged", err)
	}
	delete(fsys, "a.md")
	if _, err := body(s2, a); !errors.Is(err, ErrChanged) {
		t.Errorf("deleted file: %v, want ErrChanged", err)
	}

	// A notice for a file that cannot be served, and a snapshot from an
	// index, which has no folder.
	fsys["big.md"] = &fstest.MapFile{Data: make([]byte, MaxDocSize+1)}
	s3 := mustLoad(t, fsys, Options{})
	if got, err := body(s3, s3.Current("big.md")); err != nil || !strings.Contains(got, "too large") {
		t.Errorf("notice body %q, %v", got, err)
	}
	if _, err := body(&Snapshot{}, s3.Current("n.gmi")); err == nil {
		t.Error("a snapshot without a folder read a body")
	}
}

// TestBigBodiesOneAtATime: a document over bigDocument waits for the one
// being converted (hundreds of megabytes each for a hostile file); a
// small one does not.
func TestBigBodiesOneAtATime(t *testing.T) {
	big := "---\ntitle: Big\n---\n" + strings.Repeat("word ", bigDocument/4) + "\n"
	fsys := fstest.MapFS{
		"big.md":   {Data: []byte(big)},
		"small.md": {Data: []byte("---\ntitle: Small\n---\nsmall\n")},
	}
	s := mustLoad(t, fsys, Options{})
	bigRenders <- struct{}{} // another big conversion is running
	done := make(chan error, 1)
	go func() {
		_, err := s.Body(s.Current("big.md"))
		done <- err
	}()
	if _, err := s.Body(s.Current("small.md")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Fatal("a big document was converted while another was")
	case <-time.After(100 * time.Millisecond):
	}
	<-bigRenders
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
