package site

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
)

// TestUpdateMatchesBuild makes edits of every kind to a capsule and checks
// that Update, which changes the previous site where documents left and
// came, gives the site Build gives: the same lists, indexes and answers.
func TestUpdateMatchesBuild(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	n := 0
	file := func(s string) *fstest.MapFile {
		n++
		return &fstest.MapFile{Data: []byte(s), ModTime: t0.Add(time.Duration(n) * time.Minute)}
	}
	article := func(title, date, tags string) *fstest.MapFile {
		return file(fmt.Sprintf("---\ntitle: %s\ndate: %s\ntags: [%s]\n---\n\n%s text.\n", title, date, tags, title))
	}
	fsys := fstest.MapFS{
		"index.md":        file("# Home\n\nIntro.\n"),
		"about.md":        file("---\ntitle: About\naliases: [/who.gmi]\n---\nUs.\n"),
		"docs/index.md":   file("# Docs\n"),
		"posts/later.md":  article("Later", "2031-01-01", "go"),
		"posts/draft.md":  file("---\ntitle: Draft\ndate: 2024-05-05\ndraft: true\ntags: [go]\n---\nD.\n"),
		"posts/clash.md":  article("Clash md", "2024-02-02", "news"),
		"posts/clash.gmi": file("# Clash gmi\n"),
	}
	for i := range 40 {
		tags := []string{"go", "Go, news", "news", "C#, go", "GO"}[i%5]
		fsys[fmt.Sprintf("posts/%d/a%02d.md", 2020+i%4, i)] = article(fmt.Sprintf("A%02d", i), fmt.Sprintf("%d-%02d-%02d", 2020+i%4, i%12+1, i%27+1), tags)
	}
	opts := Options{Title: "T", Cache: NewCache(DefaultCacheSize), Static: fsys, PageSize: 7}
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	site := Build(snap, opts, now)
	steps := []struct {
		name  string
		paths []string
		do    func()
	}{
		{"edit a title", []string{"posts/2021/a01.md"}, func() { fsys["posts/2021/a01.md"] = article("A01 renamed", "2021-02-02", "go") }},
		{"move to another year", []string{"posts/2022/a02.md"}, func() { fsys["posts/2022/a02.md"] = article("A02", "2019-07-07", "news") }},
		{"new article, new tag and year", []string{"posts/new.md"}, func() { fsys["posts/new.md"] = article("New", "2024-12-31", "fresh, GO") }},
		{"remove an article", []string{"posts/2023/a03.md"}, func() { delete(fsys, "posts/2023/a03.md") }},
		{"last article of a tag removed", []string{"posts/new.md"}, func() { delete(fsys, "posts/new.md") }},
		{"tag spelling changes majority", []string{"posts/2020/a04.md", "posts/2020/a08.md", "posts/2020/a12.md"}, func() {
			for _, p := range []string{"posts/2020/a04.md", "posts/2020/a08.md", "posts/2020/a12.md"} {
				fsys[p] = article(p, "2020-03-03", "GO")
			}
		}},
		{"draft published", []string{"posts/draft.md"}, func() { fsys["posts/draft.md"] = article("Draft no more", "2024-05-05", "go") }},
		{"article becomes a draft", []string{"posts/2021/a05.md"}, func() {
			fsys["posts/2021/a05.md"] = file("---\ntitle: A05\ndate: 2021-06-06\ndraft: true\n---\n")
		}},
		{"alias added", []string{"about.md"}, func() { fsys["about.md"] = file("---\ntitle: About\naliases: [/who.gmi, /team.gmi]\n---\nUs.\n") }},
		{"clash winner removed", []string{"posts/clash.md"}, func() { delete(fsys, "posts/clash.md") }},
		{"broken edit", []string{"posts/2022/a06.md"}, func() { fsys["posts/2022/a06.md"] = file("---\ntitle: \"A06\n---\n") }},
		{"folder index removed", []string{"docs/index.md"}, func() { delete(fsys, "docs/index.md") }},
		{"scheduled article sooner", []string{"posts/later.md"}, func() { fsys["posts/later.md"] = article("Later", "2027-01-01", "go") }},
		{"scheduled article removed", []string{"posts/later.md"}, func() { delete(fsys, "posts/later.md") }},
		{"home intro edited", []string{"index.md"}, func() { fsys["index.md"] = file("# Home\n\nAnother intro.\n") }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.do()
			next, err := capsule.Update(snap, st.paths)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, ok := next.Delta(snap); !ok {
				t.Fatal("no delta: Update would only call Build")
			}
			got := Update(site, next, now)
			want := Build(next, opts, now)
			compareSites(t, got, want)
			snap, site = next, got
		})
	}
	// A scheduled article falling due is not an edit: Update builds.
	later := now.Add(10 * 365 * 24 * time.Hour)
	compareSites(t, Update(site, snap, later), Build(snap, opts, later))
}

func compareSites(t *testing.T, got, want *Site) {
	t.Helper()
	if !slices.Equal(got.Articles, want.Articles) {
		t.Errorf("articles differ:\n%v\n%v", titles(got.Articles), titles(want.Articles))
	}
	if len(got.Tags) != len(want.Tags) {
		t.Errorf("%d tags, want %d", len(got.Tags), len(want.Tags))
	}
	for i := range min(len(got.Tags), len(want.Tags)) {
		g, w := got.Tags[i], want.Tags[i]
		if g.Tag != w.Tag || !slices.Equal(g.Articles, w.Articles) {
			t.Errorf("tag %d: %v %v, want %v %v", i, g.Tag, titles(g.Articles), w.Tag, titles(w.Articles))
		}
	}
	if len(got.years) != len(want.years) {
		t.Errorf("%d years, want %d", len(got.years), len(want.years))
	}
	for i := range min(len(got.years), len(want.years)) {
		if got.years[i].Year != want.years[i].Year || !slices.Equal(got.years[i].Articles, want.years[i].Articles) {
			t.Errorf("year %d differs", want.years[i].Year)
		}
	}
	if !maps.Equal(got.docs, want.docs) || !maps.Equal(got.folders, want.folders) || !maps.Equal(got.aliases, want.aliases) {
		t.Errorf("documents, folders or aliases differ")
	}
	if !got.NextChange.Equal(want.NextChange) || !maps.Equal(got.legacyTags, want.legacyTags) {
		t.Errorf("next change %v, want %v; or legacy tags differ", got.NextChange, want.NextChange)
	}
	paths := want.Paths()
	if !slices.Equal(got.Paths(), paths) {
		t.Errorf("paths differ:\n%v\n%v", got.Paths(), paths)
	}
	for _, p := range append(paths, "/who.gmi", "/team.gmi", "/posts/clash.md", "/about.md", "/docs/") {
		g, w := got.Lookup(p), want.Lookup(p)
		if g.Status != w.Status || g.Target != w.Target || (g.Page != nil) != (w.Page != nil) ||
			(g.Page != nil && !reflect.DeepEqual(g.Page.Bytes(), w.Page.Bytes())) {
			t.Errorf("%s: %v %q, want %v %q", p, g.Status, g.Target, w.Status, w.Target)
		}
	}
}

func titles(ds []*capsule.Doc) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Title)
	}
	return out
}
