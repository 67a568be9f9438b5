package site

import (
	"testing"

	"broadside/internal/capsule"
)

func TestRedirectRules(t *testing.T) {
	fsys := testCapsule()
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(fsys)
	opts.Redirects = []RedirectRule{
		{From: "/old/", To: "/posts/"},
		{From: "/old/deep/", To: "/archive/"},
		{From: "/feed.xml", To: "/atom.xml", Temporary: true},
		{From: "/moved/", To: "gemini://new.example/archive/"},
		{From: "/café/", To: "/caf%C3%A9-new/"},
		{From: "/about.gmi", To: "/posts/third.gmi"}, // shadows a page
		{From: "/ünï/", To: "/dest/"},
	}
	s := Build(snap, opts, testNow)
	tests := []struct {
		path, target string
		temporary    bool
	}{
		{"/old/", "/posts/", false},
		{"/old/a.gmi", "/posts/a.gmi", false},
		{"/old/x/y z.gmi", "/posts/x/y%20z.gmi", false},
		{"/old/deep/q", "/archive/q", false},          // the longest prefix wins
		{"/old/first.gmi", "/posts/first.gmi", false}, // rules come before aliases
		{"/feed.xml", "/atom.xml", true},
		{"/moved/2024/a.gmi", "gemini://new.example/archive/2024/a.gmi", false},
		{"/café/menu", "/caf%C3%A9-new/menu", false},
		{"/about.gmi", "/posts/third.gmi", false},
		{"/ünï/ä", "/dest/%C3%A4", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := s.Lookup(tt.path)
			if r.Status != Redirect || r.Target != tt.target || r.Temporary != tt.temporary {
				t.Errorf("Lookup = %v %q temporary=%v, want redirect %q temporary=%v", r.Status, r.Target, r.Temporary, tt.target, tt.temporary)
			}
		})
	}
	// Paths no rule names are untouched.
	for _, p := range []string{"/old", "/feed.xml/", "/posts/third.gmi", "/moved", "/olden/x"} {
		if r := s.Lookup(p); r.Status == Redirect {
			t.Errorf("%s redirected to %q", p, r.Target)
		}
	}
	var shadowed []string
	for _, sh := range s.Shadowed() {
		shadowed = append(shadowed, sh.Path+" by "+sh.Rule.From)
	}
	want := []string{"/about.gmi by /about.gmi", "/old/first.gmi by /old/"}
	if len(shadowed) != len(want) || shadowed[0] != want[0] || shadowed[1] != want[1] {
		t.Errorf("Shadowed = %q, want %q", shadowed, want)
	}
}
