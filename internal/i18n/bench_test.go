package i18n

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// bylineBaseline is internal/site's English-only byline before catalogs,
// the yardstick for the localised one.
func bylineBaseline(authors []string, date, updated time.Time, minutes int) string {
	longDate := func(t time.Time) string { return t.Format("2 January 2006") }
	joinNames := func(names []string) string {
		switch len(names) {
		case 1:
			return names[0]
		case 2:
			return names[0] + " and " + names[1]
		}
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	var parts []string
	parts = append(parts, "By "+joinNames(authors))
	d := longDate(date)
	if !updated.IsZero() && longDate(updated) != d {
		d += " (updated " + longDate(updated) + ")"
	}
	parts = append(parts, d)
	parts = append(parts, fmt.Sprintf("%d min read", minutes))
	return strings.Join(parts, " · ")
}

// bylineLocalised is the same byline as site will write it with a Locale.
func bylineLocalised(loc *Locale, authors []string, date, updated time.Time, minutes int) string {
	var parts [3]string
	parts[0] = loc.T(BylineBy, N(len(authors)), Names(authors...))
	if !updated.IsZero() && updated.YearDay() != date.YearDay() {
		parts[1] = loc.T(BylineUpdated, Date(date), Updated(updated))
	} else {
		parts[1] = loc.Date(date)
	}
	parts[2] = loc.T(BylineReadingTime, N(minutes))
	return strings.Join(parts[:], " · ")
}

func TestBylineMatchesBaseline(t *testing.T) {
	loc := builtinCatalog(t).For("en")
	authors := []string{"Mara Ilić", "Jonas Berg", "Ana Ruiz"}
	upd := jan7.AddDate(0, 0, 3)
	for _, n := range []int{1, 2, 3} {
		want := bylineBaseline(authors[:n], jan7, upd, 6)
		if got := bylineLocalised(loc, authors[:n], jan7, upd, 6); got != want {
			t.Errorf("English byline %q, was %q", got, want)
		}
	}
}

// BenchmarkByline formats "By A and B · 7 January 2022 (updated …) · 6 min
// read" in each language, beside the English-only code it replaces.
func BenchmarkByline(b *testing.B) {
	c := builtinCatalog(b)
	authors := []string{"Mara Ilić", "Jonas Berg"}
	upd := jan7.AddDate(0, 0, 3)
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bylineBaseline(authors, jan7, upd, 6)
		}
	})
	for _, lang := range []string{"en", "fr", "ru"} {
		loc := c.For(lang)
		b.Run(lang, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bylineLocalised(loc, authors, jan7, upd, 6)
			}
		})
	}
}

// BenchmarkT is the cost of one message: plain, with a count, with
// strings.
func BenchmarkT(b *testing.B) {
	loc := builtinCatalog(b).For("ru")
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loc.T(IndexRecent)
		}
	})
	b.Run("count", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loc.T(CountArticles, N(12345))
		}
	})
	b.Run("tag heading", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loc.T(TagHeading, N(21), TagName("цензура"), Site("Вестник"))
		}
	})
}

// BenchmarkFor: an exact catalog language, a matched (then cached) one,
// and one that falls back.
func BenchmarkFor(b *testing.B) {
	c := builtinCatalog(b)
	for _, lang := range []string{"", "fr", "fr-CA", "pt-BR"} {
		b.Run(lang, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.For(lang)
			}
		})
	}
	b.Run("uncached match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.match("de-AT")
		}
	})
}

// BenchmarkNew builds the catalog, as each config load does.
func BenchmarkNew(b *testing.B) {
	over := map[string]map[string]any{"fr": {"index.recent": "Derniers articles", "count.articles": map[string]any{"one": "{n} texte", "other": "{n} textes"}}}
	b.ReportAllocs()
	for b.Loop() {
		New("fr", over)
	}
}
