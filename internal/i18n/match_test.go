package i18n

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestFor(t *testing.T) {
	tests := []struct {
		name     string
		def      string
		lang     string
		wantTag  string // Tag() of the Locale
		wantText string // its IndexRecent, to see which catalog it is
		supports bool
	}{
		{"default en", "", "", "en", "Recent articles", true},
		{"default fr", "fr", "", "fr", "Articles récents", true},
		{"exact", "en", "fr", "fr", "Articles récents", true},
		{"region gets the language", "en", "fr-CA", "fr-CA", "Articles récents", true},
		{"Austrian German", "en", "de-AT", "de-AT", "Neueste Artikel", true},
		{"Swiss German dialect", "en", "gsw", "gsw", "Neueste Artikel", true},
		{"Latin American Spanish", "en", "es-419", "es-419", "Artículos recientes", true},
		{"case and underscores", "en", "FR_ca", "fr-CA", "Articles récents", true},
		{"no catalog: site default", "de", "pt-BR", "de", "Neueste Artikel", false},
		{"no catalog, English site", "en", "pt-BR", "en", "Recent articles", false},
		{"Japanese", "fr", "ja", "fr", "Articles récents", false},
		{"unrelated Slavic stays default", "en", "hr", "en", "Recent articles", false},
		{"not a tag", "fr", "not a tag!", "fr", "Articles récents", false},
		{"private use", "fr", "x-klingon", "fr", "Articles récents", false},
		{"und", "fr", "und", "fr", "Articles récents", false},
		{"absurdly long", "fr", "de-" + strings.Repeat("x-", 40) + "y", "fr", "Articles récents", false},
		{"long but real", "fr", "de-DE-u-ca-gregory-co-phonebk-nu-latn-x-private", "de-DE-u-ca-gregory-co-phonebk-nu-latn-x-private", "Neueste Artikel", true},
		{"regional default", "fr-BE", "", "fr-BE", "Articles récents", true},
		{"regional default asked again", "fr-BE", "fr-BE", "fr-BE", "Articles récents", true},
		{"default without catalog", "ja", "", "en", "Recent articles", false},
		{"default without catalog, English asked", "ja", "en-GB", "en-GB", "Recent articles", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := New(tt.def, nil)
			loc := c.For(tt.lang)
			if loc == nil {
				t.Fatal("For returned nil")
			}
			if loc.Tag() != tt.wantTag {
				t.Errorf("For(%q).Tag() = %q, want %q", tt.lang, loc.Tag(), tt.wantTag)
			}
			if got := loc.T(IndexRecent); got != tt.wantText {
				t.Errorf("For(%q) writes %q, want %q", tt.lang, got, tt.wantText)
			}
			if got := c.Supports(tt.lang); got != tt.supports {
				t.Errorf("Supports(%q) = %v, want %v", tt.lang, got, tt.supports)
			}
			if again := c.For(tt.lang); again.Tag() != loc.Tag() || again.T(IndexRecent) != tt.wantText {
				t.Errorf("a second For(%q) differs: %q", tt.lang, again.Tag())
			}
		})
	}
}

// TestForAddedLanguages: languages from the config take part in matching
// and inherit from their parent.
func TestForAddedLanguages(t *testing.T) {
	c, _ := New("en", map[string]map[string]any{
		"fr-CA": {"index.recent": "Articles récents (Québec)"},
		"pt":    {"index.recent": "Artigos recentes"},
	})
	tests := []struct{ lang, tag, text string }{
		{"fr-CA", "fr-CA", "Articles récents (Québec)"},
		{"fr", "fr", "Articles récents"},
		{"fr-FR", "fr-FR", "Articles récents"},
		{"pt-BR", "pt-BR", "Artigos recentes"},
		{"pt", "pt", "Artigos recentes"},
	}
	for _, tt := range tests {
		loc := c.For(tt.lang)
		if loc.Tag() != tt.tag || loc.T(IndexRecent) != tt.text {
			t.Errorf("For(%q) = %q writing %q, want %q writing %q", tt.lang, loc.Tag(), loc.T(IndexRecent), tt.tag, tt.text)
		}
	}
	// fr-CA inherits the rest from French, pt the rest from English.
	if got := c.For("fr-CA").T(IndexFeed); got != "Flux Atom" {
		t.Errorf("fr-CA IndexFeed = %q, want the French one", got)
	}
	if got := c.For("pt").T(IndexFeed); got != "Atom feed" {
		t.Errorf("pt IndexFeed = %q, want English", got)
	}
}

// TestForConcurrent runs For and T from many goroutines; with -race it
// shows the catalog needs no locks.
func TestForConcurrent(t *testing.T) {
	c := builtinCatalog(t)
	langs := []string{"", "fr", "fr-CA", "de-AT", "ru", "pt-BR", "x-y", "es-MX"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				loc := c.For(langs[(g+i)%len(langs)])
				_ = loc.T(CountArticles, N(i))
			}
		})
	}
	wg.Wait()
}

// TestForCacheBounded: matching many distinct tags never grows the cache
// past its bound, and every answer stays right after the bound.
func TestForCacheBounded(t *testing.T) {
	c := builtinCatalog(t)
	for i := range maxCached + 100 {
		lang := fmt.Sprintf("fr-x-v%d", i)
		if got := c.For(lang).T(IndexRecent); got != "Articles récents" {
			t.Fatalf("For(%q) writes %q", lang, got)
		}
	}
	n := 0
	c.cache.Range(func(_, _ any) bool { n++; return true })
	if n > maxCached {
		t.Errorf("cache holds %d entries, bound %d", n, maxCached)
	}
}
