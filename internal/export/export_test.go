package export

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"broadside/internal/gopher"
	"broadside/internal/gopher/gophertest"
	"broadside/internal/site"
)

const sampleCapsule = "../../capsule"

// TestExportEqualsLive exports the sample capsule and asks the real
// servers, over net.Pipe, for every URL the export holds: each Gemini file
// must be the body served for its path, each Gopher file the bytes served
// for its selector, and each gophermap, read the way gophernicus reads it,
// the items of the live menu. Then the other way round: every page and
// static file of the site is in the export, and redirects.txt says what
// the live server answers.
func TestExportEqualsLive(t *testing.T) {
	s := buildSite(t, sampleCapsule, sampleOptions(), sampleNow)
	dir, res := export(t, s)
	for _, d := range res.Diagnostics {
		t.Errorf("unexpected diagnostic for the sample capsule: %v", d)
	}

	c := compareWithLive(t, s, dir, true)
	if c.gemini != res.GeminiFiles {
		t.Errorf("%d Gemini files on disk, Result says %d", c.gemini, res.GeminiFiles)
	}
	if c.menus == 0 || c.linked == 0 {
		t.Errorf("%d gophermaps and %d linked files: the sample should have both", c.menus, c.linked)
	}
	if c.gopher != res.GopherFiles+res.GopherLinks {
		t.Errorf("%d names under gopher/, Result says %d files and %d links", c.gopher, res.GopherFiles, res.GopherLinks)
	}
	exported := c.paths

	// Every page and every static file of the site is exported.
	for _, p := range s.Paths() {
		if res := s.Lookup(p); res.Status == site.Found && !exported[p] {
			t.Errorf("page %s is not in the Gemini export", p)
		}
	}
	for _, p := range []string{"/images/mirrors.png", "/images/", "/posts/", "/about.gmi", "/notes.gmi"} {
		if !exported[p] {
			t.Errorf("%s is not in the Gemini export", p)
		}
	}

	// redirects.txt holds what the live server answers.
	list, err := os.ReadFile(filepath.Join(dir, "redirects.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(list)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		n++
		f := strings.Fields(line)
		if strings.HasSuffix(f[1], "/*") { // a prefix rule: ask for one path below it
			f[1], f[2] = strings.TrimSuffix(f[1], "*")+"x.gmi", strings.TrimSuffix(f[2], "*")+"x.gmi"
		}
		header, _ := geminiGet(t, s, unescape(t, f[1]))
		want := f[0]
		if len(f) > 2 {
			want += " " + f[2]
		}
		if !strings.HasPrefix(header, want) {
			t.Errorf("redirects.txt says %q, live server answers %q", line, header)
		}
	}
	if n == 0 || n != res.Redirects+res.Gone {
		t.Errorf("redirects.txt has %d entries, Result says %d+%d", n, res.Redirects, res.Gone)
	}
}

// compared counts what compareWithLive saw.
type compared struct {
	gemini, gopher, menus, linked int
	paths                         map[string]bool // Gemini paths exported
}

// compareWithLive asks the real servers for every URL of the export at
// dir. Each Gemini file must be the body served for its path and each
// Gopher file the bytes served for its selector. Each gophermap is read
// the way gophernicus reads it: it must obey no directive, and give the
// live menu's items (an empty info selector comes back as the display,
// as gophernicus fills it; another empty selector is written "/"). With exact, gophermaps must also be the live
// menu byte for byte; without, a line may differ only where Gophermap
// had to make it safe: an item whose type is a directive becomes an info
// line, a line too long is cut.
func compareWithLive(t *testing.T, s *site.Site, dir string, exact bool) compared {
	t.Helper()
	c := compared{paths: map[string]bool{}}
	for _, f := range walkTree(t, filepath.Join(dir, "gemini")) {
		c.gemini++
		p := pathOf(f.rel)
		c.paths[p] = true
		t.Run("gemini/"+f.rel, func(t *testing.T) {
			header, body := geminiGet(t, s, p)
			if !strings.HasPrefix(header, "20 ") {
				t.Fatalf("live server answers %q for %s", header, p)
			}
			if !bytes.Equal(f.data, body) {
				t.Errorf("export differs from live body of %s:\n--- export\n%s\n--- live\n%s", p, f.data, body)
			}
		})
	}
	for _, f := range walkTree(t, filepath.Join(dir, "gopher")) {
		c.gopher++
		sel, menu := selectorOf(f.rel)
		if links(f.info) > 1 {
			c.linked++
		}
		if menu {
			c.menus++
		}
		t.Run("gopher/"+f.rel, func(t *testing.T) {
			live := gopherGet(t, s, sel)
			if !menu {
				if !bytes.Equal(f.data, live) {
					t.Errorf("export differs from live answer to %q:\n--- export\n%s\n--- live\n%s", sel, f.data, live)
				}
				return
			}
			if err := gophertest.LintMenu(f.data); err != nil {
				t.Errorf("gophermap is not a well-formed menu: %v", err)
			}
			if exact && !bytes.Equal(f.data, live) {
				t.Errorf("gophermap differs from live menu %q:\n--- export\n%s\n--- live\n%s", sel, f.data, live)
			}
			for line := range strings.SplitSeq(string(f.data), "\r\n") {
				if len(line) > MaxGophermapLine {
					t.Errorf("gophermap line of %d bytes, over %d", len(line), MaxGophermapLine)
				}
			}
			got, directives := gophernicusMenu(f.data, sel, "gophernicus.host", 70)
			if len(directives) > 0 {
				t.Errorf("gophernicus would obey %q", directives)
			}
			want := parseMenu(t, live)
			if len(got) != len(want) {
				t.Fatalf("gophernicus sends %d items, live menu has %d", len(got), len(want))
			}
			for i := range want {
				w := want[i]
				g := got[i]
				switch {
				case (g.Type == gopher.TypeInfo || g.Type == gopher.TypeError) && w.Selector == "":
					w.Selector = w.Display // gophernicus fills an empty selector
				case w.Type != gopher.TypeError && w.Selector == "":
					w.Selector = "/" // written so, not to be filled
				}
				if g == w {
					continue
				}
				directive := strings.IndexByte(gophermapDirectives, w.Type) >= 0
				long := len(w.Display)+len(w.Selector)+len(w.Host)+10 > MaxGophermapLine
				switch {
				case exact, !directive && !long:
				case g.Type != gopher.TypeInfo && !(long && g.Type == w.Type):
				case !strings.HasPrefix(w.Display, g.Display):
				default:
					continue // made safe as documented
				}
				t.Errorf("item %d: gophernicus sends %v, live menu has %v", i+1, g, want[i])
			}
		})
	}
	return c
}

// TestExportLeavesOutUnpublished checks the sample's draft and scheduled
// article and its Markdown sources appear nowhere in the export.
func TestExportLeavesOutUnpublished(t *testing.T) {
	s := buildSite(t, sampleCapsule, sampleOptions(), sampleNow)
	dir, _ := export(t, s)
	draft, err := os.ReadFile(filepath.Join(sampleCapsule, "posts", "draft-bulletin-48.md"))
	if err != nil {
		t.Fatal(err)
	}
	var all []treeFile
	all = append(all, walkTree(t, dir)...)
	for _, f := range all {
		for _, bad := range []string{"draft-bulletin-48", "2030-01-01-scheduled", "scheduled"} {
			if strings.Contains(f.rel, bad) {
				t.Errorf("%s: an unpublished article is exported", f.rel)
			}
		}
		if strings.HasSuffix(f.rel, ".md") && !strings.HasPrefix(f.rel, "gopher/") {
			t.Errorf("%s: a Markdown source is exported", f.rel)
		}
		if bytes.Contains(f.data, []byte("Bulletin #48")) {
			t.Errorf("%s: holds the draft's title", f.rel)
		}
	}
	if len(draft) == 0 {
		t.Fatal("sample draft is empty")
	}
}

// TestGolden compares the listing of the sample export (names, sizes,
// hashes, links) with testdata/sample.golden; -update rewrites it.
func TestGolden(t *testing.T) {
	s := buildSite(t, sampleCapsule, sampleOptions(), sampleNow)
	dir, _ := export(t, s)
	got := listing(t, dir)
	golden := filepath.Join("testdata", "sample.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("export listing differs from %s (run go test -update and review the diff):\n%s", golden, diffLines(string(want), got))
	}
}

// TestDeterministic exports the same site twice: the trees must be equal
// byte for byte.
func TestDeterministic(t *testing.T) {
	s := buildSite(t, sampleCapsule, sampleOptions(), sampleNow)
	a, _ := export(t, s)
	s2 := buildSite(t, sampleCapsule, sampleOptions(), sampleNow)
	b, _ := export(t, s2)
	if la, lb := listing(t, a), listing(t, b); la != lb {
		t.Errorf("two exports of one capsule differ:\n%s", diffLines(la, lb))
	}
}

func unescape(t *testing.T, p string) string {
	t.Helper()
	u, err := url.PathUnescape(p)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// diffLines shows the lines only in a (-) or only in b (+).
func diffLines(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range la {
		if !slices.Contains(lb, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range lb {
		if !slices.Contains(la, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRedirectRules exports the sample with operator rules: an exact rule,
// a prefix rule, a rule that hides a page and one to another host. The
// hidden page is not exported; its selector answers what the rule leads
// to, as the live Gopher server does; redirects.txt and molly-brown.conf
// carry every rule.
func TestRedirectRules(t *testing.T) {
	opts := sampleOptions()
	opts.Redirects = []site.RedirectRule{
		{From: "/old-about.gmi", To: "/about.gmi"},
		{From: "/bulletins-old/", To: "/posts/", Temporary: true},
		{From: "/notes.gmi", To: "/about.gmi"},
		{From: "/away", To: "gemini://other.example/x"},
	}
	s := buildSite(t, sampleCapsule, opts, sampleNow)
	dir, res := export(t, s)
	for _, d := range res.Diagnostics {
		t.Errorf("unexpected diagnostic: %v", d)
	}
	compareWithLive(t, s, dir, true)
	if _, err := os.Stat(filepath.Join(dir, "gemini", "notes.gmi")); err == nil {
		t.Error("a page hidden by a rule is exported")
	}
	about, _ := os.ReadFile(filepath.Join(dir, "gopher", "about.gmi"))
	notes, err := os.ReadFile(filepath.Join(dir, "gopher", "notes.gmi"))
	if err != nil || !bytes.Equal(notes, about) {
		t.Errorf("gopher/notes.gmi should answer like /about.gmi: %v", err)
	}
	list, _ := os.ReadFile(filepath.Join(dir, "redirects.txt"))
	for _, want := range []string{
		"\n31 /old-about.gmi /about.gmi\n",
		"\n30 /bulletins-old/* /posts/*\n",
		"\n31 /notes.gmi /about.gmi\n",
		"\n31 /away gemini://other.example/x\n",
	} {
		if !strings.Contains(string(list), want) {
			t.Errorf("redirects.txt lacks %q:\n%s", want, list)
		}
	}
	conf, _ := os.ReadFile(filepath.Join(dir, "molly-brown.conf"))
	var m mollyFile
	if _, err := toml.Decode(string(conf), &m); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		rules    map[string]string
		from, to string
	}{
		{m.PermRedirects, "/old-about.gmi", "/about.gmi"},
		{m.PermRedirects, "/notes.gmi", "/about.gmi"},
		{m.TempRedirects, "/bulletins-old/2026-11-13-bulletin-46.gmi", "/posts/2026-11-13-bulletin-46.gmi"},
		{m.TempRedirects, "/bulletins-old/", "/posts/"},
		{m.PermRedirects, "/away", ""},
	} {
		if got := mollyRedirect(t, c.rules, c.from); got != c.to {
			t.Errorf("Molly Brown redirects %q to %q, want %q", c.from, got, c.to)
		}
	}
}
