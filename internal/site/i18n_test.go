package site

import (
	"bytes"
	"strings"
	"testing"

	"broadside/internal/capsule"
	"broadside/internal/i18n"
)

// TestLocalisedPages renders the chrome of every kind of page in four
// languages into golden files a native speaker can read through.
func TestLocalisedPages(t *testing.T) {
	fsys := testCapsule()
	fsys["posts/2024-03-10-many.md"] = file("---\ntitle: Many hands\ntags: [news]\nauthors: [Ana, Ben, Chloé]\n---\n\n" + strings.Repeat("word ", 1200) + "\n")
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "fr", "de", "ru"} {
		t.Run(lang, func(t *testing.T) {
			opts := testOptions(fsys)
			opts.Lang = lang
			opts.PageSize = 1
			s := Build(snap, opts, testNow)
			var b bytes.Buffer
			for _, p := range []string{"/", "/posts/2024-03-10-many.gmi", "/posts/third.gmi", "/archive/", "/archive/2024/", "/tags/", "/tags/news/", "/tags/news/2/", "/images/"} {
				r := s.Lookup(p)
				if r.Status != Found {
					t.Fatalf("%s: %v", p, r.Status)
				}
				b.WriteString("────── " + p + " (" + r.Type + ")\n")
				b.Write(r.Page.Bytes())
			}
			golden(t, "i18n-"+lang+".gmi", b.Bytes())
		})
	}
}

// TestArticleLanguage: an article's own lang chooses its chrome, whatever
// the site's language; an unknown one falls back to the site's.
func TestArticleLanguage(t *testing.T) {
	fsys := testCapsule()
	fsys["posts/2024-03-11-de.md"] = file("---\ntitle: Streik\nlang: de-AT\n---\n\nText.\n")
	fsys["posts/2024-03-12-xx.md"] = file("---\ntitle: Unknown\nlang: ja\n---\n\nText.\n")
	snap, _ := capsule.Load(fsys, capsule.Options{}, nil)
	opts := testOptions(fsys)
	opts.Lang = "ru"
	opts.Catalog, _ = i18n.New("ru", nil)
	s := Build(snap, opts, testNow)
	de := string(s.Lookup("/posts/2024-03-11-de.gmi").Page.Bytes())
	if !strings.Contains(de, "Von Site Author · 11. März 2024") {
		t.Errorf("German article chrome:\n%s", de)
	}
	if r := s.Lookup("/posts/2024-03-11-de.gmi"); !strings.HasSuffix(r.Type, "lang=de-AT") {
		t.Errorf("type %q", r.Type)
	}
	xx := string(s.Lookup("/posts/2024-03-12-xx.gmi").Page.Bytes())
	if !strings.Contains(xx, "12 марта 2024") {
		t.Errorf("unknown language does not fall back to the site's:\n%s", xx)
	}
	if idx := string(s.Lookup("/").Page.Bytes()); !strings.Contains(idx, "Недавние статьи") && !strings.Contains(idx, "Последние статьи") {
		t.Errorf("index not in Russian:\n%s", idx)
	}
}
