package site

import (
	"encoding/xml"
	"strings"
	"testing"

	"broadside/internal/capsule"
)

func TestFeedGolden(t *testing.T) {
	s := buildTest(t, testCapsule())
	got := s.Lookup("/atom.xml").Page.Bytes()
	golden(t, "atom.xml", got)
	if err := xml.Unmarshal(got, new(struct{})); err != nil {
		t.Errorf("feed is not well-formed: %v", err)
	}
	// Entry ids come from the authority, the date and the original path
	// (the first alias), never from the current file name.
	if !strings.Contains(string(got), "<id>tag:example.org,2024-01-05:/old/first.gmi</id>") {
		t.Errorf("first entry id not from its alias:\n%s", got)
	}
}

func TestEntryIDStable(t *testing.T) {
	a := buildTest(t, testCapsule())
	fsys := testCapsule()
	// The host moves (authority kept in config) and the file is renamed
	// (the author adds the old path as an alias).
	fsys["posts/renamed.md"] = file("---\ntitle: Third\ndate: 2024-03-01\naliases: [/posts/third.gmi]\n---\n\nThird body.\n")
	delete(fsys, "posts/third.md")
	snap, _ := capsule.Load(fsys, capsule.Options{}, nil)
	opts := testOptions(fsys)
	opts.Hostname = "new.example"
	opts.IDAuthority = "example.org"
	b := Build(snap, opts, testNow)
	before := a.EntryID(a.snap.Docs["/posts/third.gmi"])
	after := b.EntryID(b.snap.Docs["/posts/renamed.gmi"])
	if before != after {
		t.Errorf("entry id changed from %q to %q", before, after)
	}

	// With a slug, the file may be renamed freely: the served path, and
	// so the id, stay.
	slugged := func(name string) string {
		fsys := testCapsule()
		fsys[name] = file("---\ntitle: Slugged\ndate: 2024-04-01\nslug: kept\n---\n\nText.\n")
		s := buildTest(t, fsys)
		d := s.snap.Docs["/posts/kept.gmi"]
		if d == nil {
			t.Fatalf("%s not served at /posts/kept.gmi", name)
		}
		return s.EntryID(d)
	}
	if x, y := slugged("posts/draft-name.md"), slugged("posts/final-name.md"); x != y || !strings.HasSuffix(x, ":/posts/kept.gmi") {
		t.Errorf("slugged article id changed on rename: %q, %q", x, y)
	}
}
