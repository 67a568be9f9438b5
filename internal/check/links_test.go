package check

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/site"
)

var now = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func build(t *testing.T, fsys fstest.MapFS) *site.Site {
	t.Helper()
	snap, err := capsule.Load(fsys, capsule.Options{Full: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return site.Build(snap, site.Options{Static: fsys, Removed: []string{"/gone.gmi"}}, now)
}

func TestLinks(t *testing.T) {
	fsys := fstest.MapFS{
		"posts/a.md": file("---\ntitle: A\ndate: 2024-01-01\n---\n" +
			"Fine: [b](b.md), [notes](../notes.gmi), [home](/), [tags](/tags/), [feed](/atom.xml), [pic](../img/a.png), [b again](/posts/b.md).\n" +
			"Broken: [x](missing.md), [typo](bb.md) and ![img](../img/nope.png).\n" +
			"Not yet: [draft](draft.md), [later](later.md), [bad](broken.md), [gone](/gone.gmi).\n" +
			"Outside: [up](../../../etc).\n"),
		"posts/b.md":      file("---\ntitle: B\ndate: 2024-01-02\n---\nBack to [a](a.md).\n"),
		"posts/draft.md":  file("---\ntitle: D\ndate: 2024-01-03\ndraft: true\n---\nA draft may link to [what is missing](nowhere.md).\n"),
		"posts/later.md":  file("---\ntitle: L\ndate: 2031-01-01\n---\nLater.\n"),
		"posts/broken.md": file("---\ntitle: [x\n---\nBroken.\n"),
		"notes.gmi":       file("# Notes\n=> posts/a.gmi A\n=> /posts/nope.gmi Nope\n=> gemini://example.org/ elsewhere\n"),
		"img/a.png":       file("png"),
	}
	s := build(t, fsys)
	ds := Links(s)
	var got []string
	for _, d := range ds {
		got = append(got, d.String()+" ["+d.Code+"]")
	}
	want := []string{
		`notes.gmi:3:4: error: link "/posts/nope.gmi": nothing is published at /posts/nope.gmi [link/missing]`,
		`posts/a.md:6:13: error: link "missing.md": nothing is published at /posts/missing.gmi [link/missing]`,
		`posts/a.md:6:33: error: link "bb.md": nothing is published at /posts/bb.gmi; did you mean /posts/b.gmi? [link/missing]`,
		`posts/a.md:6:51: error: image "../img/nope.png": nothing is published at /img/nope.png [link/missing]`,
		`posts/a.md:7:18: warning: link "draft.md": posts/draft.md is a draft: readers get 51 until it is published [link/draft]`,
		`posts/a.md:7:37: warning: link "later.md": posts/later.md is scheduled for 2031-01-01 00:00 UTC: readers get 51 until then [link/scheduled]`,
		`posts/a.md:7:54: warning: link "broken.md": posts/broken.md has errors: readers get 51 unless a server still publishes its last good version [link/unpublished]`,
		`posts/a.md:7:73: warning: link "/gone.gmi": /gone.gmi is gone (listed in removed) [link/gone]`,
		`posts/draft.md:6:39: warning: link "nowhere.md": nothing is published at /posts/nowhere.gmi [link/missing]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("link diagnostics:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
