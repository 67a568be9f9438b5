package i18n

import (
	"math"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// builtinCatalog is the catalog with no overrides, default English.
func builtinCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, ds := New("", nil)
	if len(ds) > 0 {
		t.Fatalf("New without overrides reported %v", ds)
	}
	return c
}

// TestPlurals checks count.articles for the numbers whose forms differ
// somewhere: Russian and Ukrainian one (1, 21, 101), few (2-4, 22),
// many (5-20, 11, 111, 25), and French 0, which is singular.
func TestPlurals(t *testing.T) {
	ns := []int{0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111}
	want := map[string][]string{
		"en": {"0 articles", "1 article", "2 articles", "3 articles", "5 articles", "11 articles", "21 articles", "22 articles", "25 articles", "101 articles", "111 articles"},
		"fr": {"0 article", "1 article", "2 articles", "3 articles", "5 articles", "11 articles", "21 articles", "22 articles", "25 articles", "101 articles", "111 articles"},
		"de": {"0 Artikel", "1 Artikel", "2 Artikel", "3 Artikel", "5 Artikel", "11 Artikel", "21 Artikel", "22 Artikel", "25 Artikel", "101 Artikel", "111 Artikel"},
		"es": {"0 artículos", "1 artículo", "2 artículos", "3 artículos", "5 artículos", "11 artículos", "21 artículos", "22 artículos", "25 artículos", "101 artículos", "111 artículos"},
		"ru": {"0 статей", "1 статья", "2 статьи", "3 статьи", "5 статей", "11 статей", "21 статья", "22 статьи", "25 статей", "101 статья", "111 статей"},
		"it": {"0 articoli", "1 articolo", "2 articoli", "3 articoli", "5 articoli", "11 articoli", "21 articoli", "22 articoli", "25 articoli", "101 articoli", "111 articoli"},
		"nl": {"0 artikelen", "1 artikel", "2 artikelen", "3 artikelen", "5 artikelen", "11 artikelen", "21 artikelen", "22 artikelen", "25 artikelen", "101 artikelen", "111 artikelen"},
		"uk": {"0 статей", "1 стаття", "2 статті", "3 статті", "5 статей", "11 статей", "21 стаття", "22 статті", "25 статей", "101 стаття", "111 статей"},
	}
	c := builtinCatalog(t)
	for _, bi := range builtins {
		lang := bi.tag.String()
		t.Run(lang, func(t *testing.T) {
			w, ok := want[lang]
			if !ok {
				t.Fatalf("no expectations for built-in %s", lang)
			}
			loc := c.For(lang)
			for i, n := range ns {
				if got := loc.T(CountArticles, N(n)); got != w[i] {
					t.Errorf("T(CountArticles, N(%d)) = %q, want %q", n, got, w[i])
				}
			}
		})
	}
}

// TestPluralMessages covers the other messages with counts in the
// languages whose forms are hardest.
func TestPluralMessages(t *testing.T) {
	c := builtinCatalog(t)
	tests := []struct {
		lang string
		id   ID
		args []Arg
		want string
	}{
		{"en", BylineReadingTime, []Arg{N(1)}, "1 min read"},
		{"en", BylineReadingTime, []Arg{N(6)}, "6 min read"},
		{"fr", BylineReadingTime, []Arg{N(6)}, "6 min de lecture"},
		{"de", BylineReadingTime, []Arg{N(6)}, "6 Min. Lesezeit"},
		{"es", BylineReadingTime, []Arg{N(6)}, "6 min de lectura"},
		{"ru", BylineReadingTime, []Arg{N(6)}, "6 мин чтения"},
		{"ru", BylineBy, []Arg{N(1), Names("Иван")}, "Автор: Иван"},
		{"ru", BylineBy, []Arg{N(2), Names("Иван", "Мария")}, "Авторы: Иван и Мария"},
		{"ru", ErrorRateLimited, []Arg{N(1)}, "Слишком много запросов; повторите через 1 секунду."},
		{"ru", ErrorRateLimited, []Arg{N(3)}, "Слишком много запросов; повторите через 3 секунды."},
		{"ru", ErrorRateLimited, []Arg{N(30)}, "Слишком много запросов; повторите через 30 секунд."},
		{"ru", ErrorRateLimited, []Arg{N(21)}, "Слишком много запросов; повторите через 21 секунду."},
		{"ru", SearchResults, []Arg{N(2), Query("мир")}, "2 результата по запросу «мир»"},
		{"ru", SearchResults, []Arg{N(11), Query("мир")}, "11 результатов по запросу «мир»"},
		{"ru", TagHeading, []Arg{N(21), TagName("цензура"), Site("Вестник")}, "21 статья с тегом «цензура» на сайте Вестник"},
		{"ru", ArchiveYearCount, []Arg{N(5), Year(2022)}, "5 статей за 2022 год"},
		{"en", IndexArchive, []Arg{N(1)}, "Archive: 1 article by year"},
		{"en", IndexArchive, []Arg{N(1234)}, "Archive: all 1,234 articles by year"},
		{"fr", SearchResults, []Arg{N(1), Query("paix")}, "1 résultat pour «\u00a0paix\u00a0»"},
		{"fr", SearchResults, []Arg{N(0), Query("paix")}, "0 résultat pour «\u00a0paix\u00a0»"},
		{"de", TagHeading, []Arg{N(3), TagName("Zensur"), Site("Flugblatt")}, "3 Artikel mit dem Schlagwort „Zensur“ auf Flugblatt"},
		{"de", ErrorRateLimited, []Arg{N(1)}, "Zu viele Anfragen; bitte in 1 Sekunde erneut versuchen."},
		{"es", TagsEntry, []Arg{TagName("prensa"), N(1)}, "prensa (1 artículo)"},
		{"en", TagHeading, []Arg{N(1), TagName("press"), Site("Broadside")}, `1 article tagged "press" on Broadside`},
		// No N: the "other" form.
		{"en", CountArticles, nil, "{n} articles"},
		{"en", BylineBy, []Arg{Names("A")}, "By A"},
	}
	for _, tt := range tests {
		if got := c.For(tt.lang).T(tt.id, tt.args...); got != tt.want {
			t.Errorf("%s T(%s) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

func TestFormOf(t *testing.T) {
	ru := language.Russian
	tests := []struct {
		n    int
		want plural.Form
	}{
		{1, plural.One}, {21, plural.One}, {-21, plural.One}, {2, plural.Few}, {-3, plural.Few},
		{5, plural.Many}, {11, plural.Many}, {111, plural.Many}, {1_000_000, plural.Many},
		{10_000_001, plural.One}, {12_345_672, plural.Few}, {math.MaxInt, plural.Many},
		{math.MinInt, plural.Many}, {1_000_011, plural.Many},
	}
	for _, tt := range tests {
		if got := formOf(ru, tt.n); got != tt.want {
			t.Errorf("formOf(ru, %d) = %s, want %s", tt.n, formNames[got], formNames[tt.want])
		}
	}
	if got := formOf(language.English, 10_000_001); got != plural.Other {
		t.Errorf("formOf(en, 10000001) = %s, want other (a folded 1 would be one)", formNames[got])
	}
	use := integerForms(ru)
	if use[plural.One] == 0 || use[plural.Few] == 0 || use[plural.Many] == 0 || use[plural.Other] != 0 {
		t.Errorf("integerForms(ru) = %v, want one, few and many only", use)
	}
	if use := integerForms(language.English); use[plural.One] != 1 {
		t.Errorf("English one stands for %d sampled numbers, want 1", use[plural.One])
	}
}

var jan7 = time.Date(2022, 1, 7, 12, 0, 0, 0, time.UTC)

func TestDates(t *testing.T) {
	c := builtinCatalog(t)

	may1 := time.Date(2023, 5, 1, 12, 0, 0, 0, time.UTC)
	dec31 := time.Date(1999, 12, 31, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		lang              string
		jan7, may1, dec31 string
	}{
		{"en", "7 January 2022", "1 May 2023", "31 December 1999"},
		{"fr", "7 janvier 2022", "1er mai 2023", "31 décembre 1999"},
		{"de", "7. Januar 2022", "1. Mai 2023", "31. Dezember 1999"},
		{"es", "7 de enero de 2022", "1 de mayo de 2023", "31 de diciembre de 1999"},
		{"ru", "7 января 2022", "1 мая 2023", "31 декабря 1999"},
		{"it", "7 gennaio 2022", "1º maggio 2023", "31 dicembre 1999"},
		{"nl", "7 januari 2022", "1 mei 2023", "31 december 1999"},
		{"uk", "7 січня 2022", "1 травня 2023", "31 грудня 1999"},
	}
	if len(tests) != len(builtins) {
		t.Errorf("dates tested in %d languages, %d built in", len(tests), len(builtins))
	}
	for _, tt := range tests {
		loc := c.For(tt.lang)
		for _, d := range []struct {
			t    time.Time
			want string
		}{{jan7, tt.jan7}, {may1, tt.may1}, {dec31, tt.dec31}} {
			if got := loc.Date(d.t); got != d.want {
				t.Errorf("%s Date(%s) = %q, want %q", tt.lang, d.t.Format(time.DateOnly), got, d.want)
			}
		}
	}
	// Russian months are genitive, every one of them.
	ru := c.For("ru")
	months := []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	for i, m := range months {
		if got := ru.Date(time.Date(2024, time.Month(i+1), 15, 0, 0, 0, 0, time.UTC)); got != "15 "+m+" 2024" {
			t.Errorf("ru month %d: %q", i+1, got)
		}
	}
	// The date is the one in t's own location, and years are not grouped.
	kiri := time.FixedZone("UTC+14", 14*3600)
	if got := c.For("en").Date(time.Date(2022, 1, 6, 23, 0, 0, 0, time.UTC).In(kiri)); got != "7 January 2022" {
		t.Errorf("Date in UTC+14 = %q", got)
	}
	if got := c.For("de").Date(time.Date(12345, 3, 2, 0, 0, 0, 0, time.UTC)); got != "2. März 12345" {
		t.Errorf("Date of year 12345 = %q", got)
	}
	// Dates inside messages.
	en := c.For("en")
	if got := en.T(BylineUpdated, Date(jan7), Updated(may1)); got != "7 January 2022 (updated 1 May 2023)" {
		t.Errorf("BylineUpdated = %q", got)
	}
	if got := c.For("fr").T(PreviewScheduled, Date(may1)); got != "Publication prévue le 1er mai 2023" {
		t.Errorf("fr PreviewScheduled = %q", got)
	}
}

func TestJoin(t *testing.T) {
	c := builtinCatalog(t)
	abc := []string{"A", "B", "C", "D"}
	tests := []struct {
		lang string
		want [5]string // 0 to 4 items
	}{
		{"en", [5]string{"", "A", "A and B", "A, B and C", "A, B, C and D"}},
		{"fr", [5]string{"", "A", "A et B", "A, B et C", "A, B, C et D"}},
		{"de", [5]string{"", "A", "A und B", "A, B und C", "A, B, C und D"}},
		{"es", [5]string{"", "A", "A y B", "A, B y C", "A, B, C y D"}},
		{"ru", [5]string{"", "A", "A и B", "A, B и C", "A, B, C и D"}},
	}
	for _, tt := range tests {
		loc := c.For(tt.lang)
		for n := range 5 {
			if got := loc.Join(abc[:n]); got != tt.want[n] {
				t.Errorf("%s Join(%d items) = %q, want %q", tt.lang, n, got, tt.want[n])
			}
		}
	}
	es := c.For("es")
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"Ana", "Isabel"}, "Ana e Isabel"},
		{[]string{"Ana", "Luis", "Iñigo"}, "Ana, Luis e Iñigo"},
		{[]string{"agua", "hielo"}, "agua y hielo"},
		{[]string{"padre", "hijo"}, "padre e hijo"},
		{[]string{"Ana", "Íñigo"}, "Ana e Íñigo"},
		{[]string{"Ana", "Hilda"}, "Ana e Hilda"},
		{[]string{"Ana", "Yolanda"}, "Ana y Yolanda"},
		{[]string{"Ana", ""}, "Ana y "},
	} {
		if got := es.Join(tt.in); got != tt.want {
			t.Errorf("es Join(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := c.For("fr").Join([]string{"Ana", "Isabel"}); got != "Ana et Isabel" {
		t.Errorf("the Spanish rule leaked into French: %q", got)
	}
	for _, tt := range []struct {
		lang  string
		limit int
		want  string
	}{
		{"en", 2, "A, B and 2 more"},
		{"en", 3, "A, B, C and 1 more"},
		{"en", 4, "A, B, C and D"},
		{"en", 0, "A and 3 more"},
		{"fr", 2, "A, B et 2 autres"},
		{"fr", 3, "A, B, C et 1 autre"},
		{"ru", 1, "A и ещё 3"},
		{"it", 2, "A, B e altri 2"},
	} {
		if got := c.For(tt.lang).JoinMax(abc, tt.limit); got != tt.want {
			t.Errorf("%s JoinMax(4 items, %d) = %q, want %q", tt.lang, tt.limit, got, tt.want)
		}
	}
	// A long list costs linear time: 100,000 names finish at once.
	many := make([]string, 100_000)
	for i := range many {
		many[i] = "name"
	}
	if got := c.For("en").Join(many); len(got) != 100_000*4+99_998*len(", ")+len(" and ") {
		t.Errorf("Join of 100,000 names has %d bytes", len(got))
	}
}

func TestNumbers(t *testing.T) {
	c := builtinCatalog(t)
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 articles"},
		{"en", 999, "999 articles"},
		{"en", 1000, "1,000 articles"},
		{"en", 1234567, "1,234,567 articles"},
		{"en", -1234, "-1,234 articles"},
		{"fr", 1234, "1\u00a0234 articles"},
		{"de", 1234567, "1.234.567 Artikel"},
		{"es", 1234, "1234 artículos"}, // CLDR minimumGroupingDigits 2
		{"es", 12345, "12.345 artículos"},
		{"ru", 1234, "1\u00a0234 статьи"},
		{"ru", 10_000, "10\u00a0000 статей"},
	}
	for _, tt := range tests {
		if got := c.For(tt.lang).T(CountArticles, N(tt.n)); got != tt.want {
			t.Errorf("%s N(%d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
	var b strings.Builder
	nf := numberFormat{group: ",", size: 3, size2: 3, minGroup: 1}
	nf.write(&b, math.MinInt, false)
	if b.String() != "-9,223,372,036,854,775,808" {
		t.Errorf("MinInt = %q", b.String())
	}
	if got := c.For("en").T(ArchiveYear, Year(2022)); got != "Articles from 2022" {
		t.Errorf("a year was grouped: %q", got)
	}
	if got := c.For("en").T(PageOf, Page(2), Pages(1500)); got != "Page 2 of 1,500" {
		t.Errorf("PageOf = %q", got)
	}
}

func TestParseNumberSample(t *testing.T) {
	tests := []struct {
		sample string
		n      int
		want   string
		ok     bool
	}{
		{"1,234,567,890", 1234567, "1,234,567", true},
		{"1\u00a0234\u00a0567\u00a0890", 1234567, "1\u00a0234\u00a0567", true},
		{"1,23,45,67,890", 1234567, "12,34,567", true}, // Indian grouping
		{"١٬٢٣٤٬٥٦٧٬٨٩٠", 1234567, "١٬٢٣٤٬٥٦٧", true},  // Arabic-Indic digits
		{"1234567890", 1234567, "1234567", true},
		{"1,234.567,890", 0, "", false}, // two separators
		{"12345", 0, "", false},         // too few digits
		{"abc", 0, "", false},
		{"", 0, "", false},
		{",123,456,789,0", 0, "", false},
	}
	for _, tt := range tests {
		nf, ok := parseNumberSample(tt.sample)
		if ok != tt.ok {
			t.Errorf("parseNumberSample(%q) ok = %v, want %v", tt.sample, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		nf.minGroup = 1
		var b strings.Builder
		nf.write(&b, tt.n, false)
		if b.String() != tt.want {
			t.Errorf("format of %q writes %d as %q, want %q", tt.sample, tt.n, b.String(), tt.want)
		}
	}
}

func TestT(t *testing.T) {
	c := builtinCatalog(t)
	en := c.For("en")
	tests := []struct {
		name string
		id   ID
		args []Arg
		want string
	}{
		{"plain", IndexRecent, nil, "Recent articles"},
		{"arg", NavHome, []Arg{Site("Broadside")}, "↩ Broadside"},
		{"missing arg shows", ArticleOlder, nil, "← Older: {title}"},
		{"unused arg ignored", IndexRecent, []Arg{Title("x")}, "Recent articles"},
		{"wrong arg kind", ArticleOlder, []Arg{Site("S")}, "← Older: {title}"},
		{"first arg of a name wins", ArticleOlder, []Arg{Title("a"), Title("b")}, "← Older: a"},
		{"args written as given", ArticleOlder, []Arg{Title("{n} & \t")}, "← Older: {n} & \t"},
		{"invalid id", ID(numIDs), nil, ""},
		{"negative id", -1, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := en.T(tt.id, tt.args...); got != tt.want {
				t.Errorf("T = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAllocations: a message is one allocation, the result string, or
// none when it has no placeholders.
func TestAllocations(t *testing.T) {
	loc := builtinCatalog(t).For("ru")
	d := time.Date(2022, 1, 7, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		f    func()
		max  float64
	}{
		{"plain", func() { loc.T(IndexRecent) }, 0},
		{"count", func() { loc.T(CountArticles, N(12345)) }, 1},
		{"tag heading", func() { loc.T(TagHeading, N(3), TagName("мир"), Site("Вестник")) }, 1},
		{"date", func() { loc.Date(d) }, 1},
		{"names", func() { loc.T(BylineBy, N(3), Names("Анна", "Борис", "Вера")) }, 1},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.max {
			t.Errorf("%s: %v allocations, want at most %v", tt.name, got, tt.max)
		}
	}
}
