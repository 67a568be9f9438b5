package search

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	index "github.com/blevesearch/bleve_index_api"
)

// TestStemming checks, language by language, which query words find which
// written forms: inflections (stemming), case and accents (folding), and
// words that merely look alike, which must not match.
func TestStemming(t *testing.T) {
	tests := []struct {
		lang, text string
		finds      []string
		misses     []string
	}{
		{"en", "The workers went on strike against the naïve plan.",
			[]string{"strike", "strikes", "striking", "WORKER", "worker's", "naive", "NAÏVE", "plans"},
			[]string{"stroke", "work", "planet", "the"}},
		{"fr", "Les grèves des travailleuses ont paralysé l'État et ses élections.",
			[]string{"grève", "greve", "GRÈVES", "greves", "travailleuse", "état", "etat", "Élection", "election", "paralyse"},
			[]string{"grand", "travail", "les"}},
		{"de", "Die Arbeiterinnen der Gewerkschaften streikten auf der Straße vor den Häusern.",
			[]string{"Arbeiterin", "arbeiterinnen", "ArbeiterInnen", "Gewerkschaft", "strasse", "STRASSE", "Haus", "hauser", "Häuser"},
			[]string{"Arbeit", "Gewerk", "die"}},
		{"es", "Las huelgas de los trabajadores y sus canciones de protesta.",
			[]string{"huelga", "HUELGA", "trabajador", "canción", "cancion", "protestas"},
			[]string{"huevo", "trabajo", "las"}},
		{"ru", "Забастовки шахтёров продолжаются в городе.",
			[]string{"забастовка", "ЗАБАСТОВКУ", "забастовкой", "шахтер", "шахтёры", "город"},
			[]string{"забор", "продукт", "в"}},
		{"it", "Gli scioperi dei lavoratori per la libertà.",
			[]string{"sciopero", "lavoratore", "liberta", "libertà"},
			[]string{"scienza"}},
		{"pt-BR", "As greves dos trabalhadores nas eleições.",
			// Not "eleicoes": the light stemmer knows "-ões" only
			// with its accent, so that plural typed without it misses.
			[]string{"greve", "trabalhador", "eleição", "eleicao", "ELEIÇÕES"},
			[]string{"grade"}},
		{"nl", "De stakingen van de arbeiders.",
			[]string{"staking", "arbeider"},
			[]string{"stak"}},
		{"", "Pressefreiheit ÉCOLE naïveté", // no language: folding only
			[]string{"pressefreiheit", "école", "ecole", "NAIVETE"},
			[]string{"presse", "naive"}},
	}
	for _, tt := range tests {
		t.Run(cmpName(tt.lang), func(t *testing.T) {
			ix := newIndex(t,
				article("doc", tt.lang, "Untitled", day(1), tt.text),
				// An English article, so that stop words in the query
				// are searched for in another language too.
				article("other", "en", "Unrelated", day(2), "Nothing to see here."))
			for _, q := range tt.finds {
				if got := found(t, ix, q); !slices.Equal(got, []string{"/doc.gmi"}) {
					t.Errorf("%q finds %v, want /doc.gmi", q, got)
				}
			}
			for _, q := range tt.misses {
				pq, err := Parse(q)
				if err != nil {
					t.Fatal(err)
				}
				res, err := ix.Search(context.Background(), pq, 1, 10)
				if err != nil && !errors.Is(err, ErrNoWords) {
					t.Fatal(err)
				}
				if err == nil && slices.ContainsFunc(res.Hits, func(h Hit) bool { return h.Path == "/doc.gmi" }) {
					t.Errorf("%q finds /doc.gmi", q)
				}
			}
		})
	}
}

func cmpName(lang string) string {
	if lang == "" {
		return "none"
	}
	return lang
}

// TestRelevance checks the ranking in each language: a match in the
// title beats matches in the body, more matches beat fewer, matching
// every word beats... nothing (all words are required).
func TestRelevance(t *testing.T) {
	filler := "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."
	tests := []struct {
		lang, word, other string
	}{
		{"en", "strike", "weather"},
		{"fr", "grève", "météo"},
		{"de", "Streik", "Wetter"},
		{"es", "huelga", "tiempo"},
		{"ru", "забастовка", "погода"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			// Same dates, so that only relevance orders them.
			ix := newIndex(t,
				article("once", tt.lang, "Report", day(1), filler, tt.word+" "+filler, filler, filler),
				article("title", tt.lang, strings.ToUpper(tt.word), day(1), filler, tt.word+" "+filler, filler),
				article("often", tt.lang, "Report", day(1), tt.word+" "+filler, tt.word+" "+tt.word+" "+filler),
				article("none", tt.lang, "Report", day(1), filler, tt.other),
			)
			got := found(t, ix, tt.word)
			want := []string{"/title.gmi", "/often.gmi", "/once.gmi"}
			if !slices.Equal(got, want) {
				t.Errorf("%q: %v, want %v", tt.word, got, want)
			}
			if got := found(t, ix, tt.word+" "+tt.other); len(got) != 0 {
				t.Errorf("both words: %v, want none (no article has both)", got)
			}
		})
	}
}

func TestPhrases(t *testing.T) {
	ix := newIndex(t,
		article("adjacent", "en", "A", day(1), "The general strike began on Monday."),
		article("reversed", "en", "B", day(2), "The strike was general by Monday."),
		article("apart", "en", "C", day(3), "A general assembly voted to strike."),
		article("stopwords", "en", "D", day(4), "They fought for the freedom of the press."),
		article("title", "en", "General strikes in history", day(5), "A review."),
		article("french", "fr", "E", day(6), "La grève générale a commencé lundi."),
	)
	tests := []struct {
		q    string
		want []string
	}{
		{`"general strike"`, []string{"/title.gmi", "/adjacent.gmi"}}, // stemmed: "General strikes"
		{`"strike general"`, nil},
		{`"strike was general"`, []string{"/reversed.gmi"}},
		{`"freedom of the press"`, []string{"/stopwords.gmi"}},
		{`"freedom press"`, nil}, // the stop words leave a gap
		{`"press freedom"`, nil},
		{`"grève générale"`, []string{"/french.gmi"}},
		{`"GREVE generale"`, []string{"/french.gmi"}},
		{`"générale grève"`, nil},
		// générale is general in French, folded and stemmed.
		{`general -"general strike"`, []string{"/apart.gmi", "/reversed.gmi", "/french.gmi"}},
		{`"general strike" monday`, []string{"/adjacent.gmi"}},
	}
	for _, tt := range tests {
		got := found(t, ix, tt.q)
		if !sameSet(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestTagsAndLanguages(t *testing.T) {
	tagged := func(d Doc, tags ...Tag) Doc { d.Tags = tags; return d }
	ix := newIndex(t,
		tagged(article("a", "en", "A", day(1), "Mirrors held."), Tag{"small-web", "Small Web"}, Tag{"censorship", "Censorship"}),
		tagged(article("b", "fr", "B", day(2), "Les miroirs ont tenu."), Tag{"français", "Français"}, Tag{"censorship", "censorship"}),
		tagged(article("c", "pt-BR", "C", day(3), "Os espelhos aguentaram."), Tag{"small-web", "small web"}),
		article("d", "pt-PT", "D", day(4), "Os espelhos caíram."),
	)
	tests := []struct {
		q    string
		want []string // in order: filters alone list newest first
	}{
		{"tag:small-web", []string{"/c.gmi", "/a.gmi"}},
		{`tag:"Small Web"`, []string{"/c.gmi", "/a.gmi"}},
		{"tag:SMALL_WEB", []string{"/c.gmi", "/a.gmi"}},
		{"tag:francais", []string{"/b.gmi"}},
		{"tag:FRANÇAIS", []string{"/b.gmi"}},
		{"tag:censorship tag:small-web", []string{"/a.gmi"}},
		{"tag:censorship -tag:français", []string{"/a.gmi"}},
		{"tag:nosuchtag", nil},
		{"tag:small-web mirrors", []string{"/a.gmi"}},
		{"tag:small-web espelhos", []string{"/c.gmi"}},
		{"lang:pt", []string{"/d.gmi", "/c.gmi"}},
		{"lang:pt-br", []string{"/c.gmi"}},
		{"lang:PT-BR espelhos", []string{"/c.gmi"}},
		{"lang:fr", []string{"/b.gmi"}},
		{"espelhos -lang:pt-pt", []string{"/c.gmi"}},
		{"lang:de", nil},
	}
	for _, tt := range tests {
		if got := found(t, ix, tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestExclusion(t *testing.T) {
	ix := newIndex(t,
		article("a", "en", "A", day(1), "Strike at the port."),
		article("b", "en", "B", day(2), "Strike at the mine, and the port closed."),
		article("c", "en", "Port news", day(3), "Strike at the mine."),
		article("d", "de", "D", day(4), "Streik im Hafen. Strike!"),
	)
	tests := []struct {
		q    string
		want []string
	}{
		{"strike -port", []string{"/d.gmi"}},  // -port also excludes c, by its title
		{"strike -ports", []string{"/d.gmi"}}, // stemmed too
		{"strike -mine -port", []string{"/d.gmi"}},
		{`strike -"port closed"`, []string{"/a.gmi", "/c.gmi", "/d.gmi"}},
		{"strike -hafen", []string{"/a.gmi", "/b.gmi", "/c.gmi"}}, // in German
		{"strike -nothing", []string{"/a.gmi", "/b.gmi", "/c.gmi", "/d.gmi"}},
	}
	for _, tt := range tests {
		if got := found(t, ix, tt.q); !sameSet(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.q, got, tt.want)
		}
	}
}

// sameSet reports whether a and b hold the same strings in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestTiesNewestFirst(t *testing.T) {
	// The same text on different days: equal relevance, newest first.
	var docs []Doc
	for i, d := range []int{3, 9, 1, 7, 5} {
		docs = append(docs, article(fmt.Sprintf("same%d", i), "en", "Bulletin", day(d), "Weekly bulletin about the strike."))
	}
	// Nearly the same: one more word in a long body changes the score by
	// less than the tolerance.
	docs = append(docs, article("near", "en", "Bulletin", day(8), "Weekly bulletin about the strike, again."))
	// Much more relevant, though old: first.
	docs = append(docs, article("best", "en", "Strike", day(0), "Strike! The strike, the strike."))
	ix := newIndex(t, docs...)
	got := found(t, ix, "strike")
	want := []string{"/best.gmi", "/same1.gmi", "/near.gmi", "/same3.gmi", "/same4.gmi", "/same0.gmi", "/same2.gmi"}
	if !slices.Equal(got, want) {
		res := search(t, ix, "strike")
		for _, h := range res.Hits {
			t.Logf("%s %s %.4f", h.Path, h.Date.Format(time.DateOnly), h.Score)
		}
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestLargeTieGroup checks a group of equally relevant results far larger
// than a page: every page is cut from the whole group, newest first, as
// if every result had been sorted.
func TestLargeTieGroup(t *testing.T) {
	var docs []Doc
	var want []string
	docs = append(docs, article("best", "en", "Strike", day(0), "Strike! The strike, the strike."))
	want = append(want, "/best.gmi")
	for i := range 120 {
		docs = append(docs, article(fmt.Sprintf("same%03d", i), "en", "Bulletin", day(1+i), "Weekly bulletin about the strike."))
	}
	for i := 119; i >= 0; i-- {
		want = append(want, fmt.Sprintf("/same%03d.gmi", i))
	}
	for i := range 30 {
		docs = append(docs, article(fmt.Sprintf("low%02d", i), "en", "Notes", day(200+i),
			"Notes on many other things, the weather, the harbour, the printers, the paper, and the strike at last."))
	}
	ix := newIndex(t, docs...)
	q, _ := Parse("strike")
	var paged []string
	for page := 1; ; page++ {
		res, err := ix.Search(context.Background(), q, page, 10)
		if errors.Is(err, ErrPage) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 151 {
			t.Fatalf("total %d", res.Total)
		}
		for _, h := range res.Hits {
			paged = append(paged, h.Path)
		}
	}
	if len(paged) != 151 || !slices.Equal(paged[:len(want)], want) {
		t.Errorf("pages give %v,\nwant %v then the low ones", paged, want)
	}
	for _, p := range paged[len(want):] {
		if !strings.HasPrefix(p, "/low") {
			t.Errorf("%s after the group", p)
		}
	}
}

// TestBest checks the selection of the best hits against a sort.
func TestBest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		all := make([]scoredDoc, r.IntN(300))
		for i := range all {
			all[i] = scoredDoc{score: float64(r.IntN(20)), doc: uint64(i)}
		}
		sorted := slices.Clone(all)
		slices.SortStableFunc(sorted, func(a, b scoredDoc) int { return cmp.Compare(b.score, a.score) })
		n := r.IntN(len(all) + 2)
		if got, want := best(all, n), sorted[:min(n, len(all))]; !slices.Equal(got, want) {
			t.Fatalf("best of %d, %d: got %v, want %v", len(all), n, got, want)
		}
	}
}

func TestPagination(t *testing.T) {
	var docs []Doc
	for i := range 47 {
		// Varied lengths give varied scores; dates repeat to exercise
		// the tie-break by path.
		body := "The strike goes on." + strings.Repeat(" And on.", i%9)
		docs = append(docs, article(fmt.Sprintf("p%02d", i), "en", "Day "+fmt.Sprint(i), day(1+i%5), body))
	}
	ix := newIndex(t, docs...)
	q, _ := Parse("strike")
	all := found(t, ix, "strike")
	if len(all) != 47 {
		t.Fatalf("%d results, want 47", len(all))
	}
	for _, size := range []int{1, 7, 10, 47, 50} {
		var paged []string
		pages := (47 + size - 1) / size
		for page := 1; page <= pages; page++ {
			res, err := ix.Search(context.Background(), q, page, size)
			if err != nil {
				t.Fatalf("size %d page %d: %v", size, page, err)
			}
			checkResults(t, "strike", res)
			if res.Total != 47 || res.Pages != pages || res.Page != page {
				t.Errorf("size %d page %d: total %d pages %d page %d", size, page, res.Total, res.Pages, res.Page)
			}
			for _, h := range res.Hits {
				paged = append(paged, h.Path)
			}
		}
		if !slices.Equal(paged, all) {
			t.Errorf("size %d: pages give %v, want %v", size, paged, all)
		}
		if _, err := ix.Search(context.Background(), q, pages+1, size); !errors.Is(err, ErrPage) {
			t.Errorf("size %d, page %d: %v, want ErrPage", size, pages+1, err)
		}
	}
	// Filters alone page through dates.
	fq, _ := Parse("lang:en")
	var byDate []string
	for page := 1; page <= 5; page++ {
		res, err := ix.Search(context.Background(), fq, page, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			byDate = append(byDate, h.Path)
		}
	}
	if len(byDate) != 47 || !sameSet(byDate, all) {
		t.Errorf("lang:en pages: %d results", len(byDate))
	}
	if res, err := ix.Search(context.Background(), q, 1, 1000); err != nil || res.Size != MaxPageSize {
		t.Errorf("size 1000: %v, size %d", err, res.Size)
	}
	if _, err := ix.Search(context.Background(), q, MaxResults, 10); !errors.Is(err, ErrPage) {
		t.Errorf("page past MaxResults: %v", err)
	}
}

func TestSnippets(t *testing.T) {
	long := strings.Repeat("Words that do not matter at all, ", 20)
	ix := newIndex(t,
		Doc{Path: "/a.gmi", Title: "Strike", Lang: "en", Date: day(1), Summary: "A summary of the day.",
			Body: []byte("# Heading\nFirst paragraph.\n=> https://example.org/strike link about nothing\n" +
				long + "the mine strike began at dawn, " + long + "\n* the port and the mine\n")},
		Doc{Path: "/b.gmi", Title: "Mine", Lang: "en", Date: day(1), Body: []byte("Nothing here.\n")},
	)
	res := search(t, ix, "strike mine")
	if len(res.Hits) != 1 {
		t.Fatalf("%d hits", len(res.Hits))
	}
	s := res.Hits[0].Snippet
	if !strings.Contains(s, "mine strike began") || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
		t.Errorf("snippet %q", s)
	}
	// A match in the title only: the summary.
	if s := search(t, ix, "mine").Hits; len(s) != 2 || s[1].Snippet == "" {
		t.Errorf("mine: %+v", s)
	}
	if h := search(t, ix, "summary").Hits; len(h) != 1 || h[0].Snippet != "A summary of the day." {
		t.Errorf("summary: %+v", h)
	}
	// The link URL is not indexed, its label is.
	if h := search(t, ix, "example"); h.Total != 0 {
		t.Errorf("URL indexed: %+v", h.Hits)
	}
	if h := search(t, ix, "link"); h.Total != 1 || h.Hits[0].Snippet != "link about nothing" {
		t.Errorf("link label: %+v", h.Hits)
	}
}

func TestLiveUpdates(t *testing.T) {
	ix := newIndex(t, article("a", "en", "A", day(1), "The mirrors held."))
	if err := ix.Upsert(article("b", "fr", "B", day(2), "Les miroirs ont tenu.")); err != nil {
		t.Fatal(err)
	}
	if got := found(t, ix, "miroir"); !slices.Equal(got, []string{"/b.gmi"}) {
		t.Errorf("after adding: %v", got)
	}
	if err := ix.Upsert(article("b", "fr", "B", day(2), "Les serveurs sont tombés.")); err != nil {
		t.Fatal(err)
	}
	if got := found(t, ix, "miroir"); len(got) != 0 {
		t.Errorf("after editing, the old text: %v", got)
	}
	if got := found(t, ix, "serveur"); !slices.Equal(got, []string{"/b.gmi"}) {
		t.Errorf("after editing, the new text: %v", got)
	}
	// A change of language re-indexes in the new language.
	if err := ix.Upsert(article("b", "en", "B", day(2), "The servers fell.")); err != nil {
		t.Fatal(err)
	}
	if got := found(t, ix, "server"); !slices.Equal(got, []string{"/b.gmi"}) {
		t.Errorf("after a change of language: %v", got)
	}
	if got := found(t, ix, "lang:fr"); len(got) != 0 {
		t.Errorf("still French: %v", got)
	}
	if err := ix.Delete("/b.gmi"); err != nil {
		t.Fatal(err)
	}
	if got := found(t, ix, "server"); len(got) != 0 {
		t.Errorf("after deleting: %v", got)
	}
	if err := ix.Delete("/nosuch.gmi"); err != nil {
		t.Errorf("deleting what is not there: %v", err)
	}
	if err := ix.Upsert(Doc{Title: "no path"}); err == nil {
		t.Error("Upsert without a path: no error")
	}

	// Sync adds, changes and removes at once, and skips what is unchanged.
	docs := []Doc{
		article("a", "en", "A", day(1), "The mirrors held."),
		article("c", "en", "C", day(3), "New article about mirrors."),
		{Title: "no path"},
	}
	st, err := ix.Sync(context.Background(), slices.Values(docs))
	if err != nil {
		t.Fatal(err)
	}
	if st != (SyncStats{Indexed: 1, Unchanged: 1, Skipped: 1}) {
		t.Errorf("Sync: %+v", st)
	}
	docs[0].Title = "A, retitled"
	docs = docs[:1]
	st, err = ix.Sync(context.Background(), slices.Values(docs))
	if err != nil {
		t.Fatal(err)
	}
	if st != (SyncStats{Indexed: 1, Deleted: 1}) {
		t.Errorf("second Sync: %+v", st)
	}
	if got := found(t, ix, "retitled"); !slices.Equal(got, []string{"/a.gmi"}) {
		t.Errorf("after Sync: %v", got)
	}
	if ix.Len() != 1 {
		t.Errorf("Len %d", ix.Len())
	}
}

// TestFingerprint checks that the caller's Fingerprint stands for the body,
// and that any other field still counts.
func TestFingerprint(t *testing.T) {
	d := article("a", "en", "A", day(1), "Text.")
	d.Fingerprint = "mtime=1 size=6"
	ix := newIndex(t, d)
	sync := func(d Doc) SyncStats {
		t.Helper()
		st, err := ix.Sync(context.Background(), slices.Values([]Doc{d}))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	d.Body = []byte("Other text.\n") // the caller says nothing changed
	if st := sync(d); st.Unchanged != 1 {
		t.Errorf("same fingerprint: %+v", st)
	}
	d.Fingerprint = "mtime=2 size=12"
	if st := sync(d); st.Indexed != 1 {
		t.Errorf("new fingerprint: %+v", st)
	}
	d.Tags = []Tag{{"x", "X"}}
	if st := sync(d); st.Indexed != 1 {
		t.Errorf("new tag: %+v", st)
	}
	d.Fingerprint = ""
	d2 := d
	if st := sync(d2); st.Indexed != 1 {
		t.Errorf("no fingerprint: %+v", st)
	}
	if st := sync(d2); st.Unchanged != 1 {
		t.Errorf("no fingerprint, same body: %+v", st)
	}
	d2.Body = []byte("Changed.\n")
	if st := sync(d2); st.Indexed != 1 {
		t.Errorf("no fingerprint, new body: %+v", st)
	}
}

func TestQueryErrors(t *testing.T) {
	ix := newIndex(t, article("a", "en", "A", day(1), "Text."))
	for _, q := range []string{"the", "the and of", "+", "*** ???"} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", q, err)
		}
		if _, err := ix.Search(context.Background(), pq, 1, 10); !errors.Is(err, ErrNoWords) {
			t.Errorf("%q: %v, want ErrNoWords", q, err)
		}
	}
	// With a filter, the common words are dropped.
	if got := found(t, ix, "the lang:en"); !slices.Equal(got, []string{"/a.gmi"}) {
		t.Errorf("the lang:en: %v", got)
	}
	// An empty index finds nothing, without error.
	empty := newIndex(t)
	if res := search(t, empty, "anything"); res.Total != 0 || res.Pages != 0 {
		t.Errorf("empty index: %+v", res)
	}
}

func TestReady(t *testing.T) {
	ix, err := Open(Options{ReadyWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	q, _ := Parse("mirrors")
	if _, err := ix.Search(context.Background(), q, 1, 10); !errors.Is(err, ErrNotReady) {
		t.Errorf("before Sync: %v, want ErrNotReady", err)
	}
	// Upserts do not make it ready: only a complete Sync does.
	if err := ix.Upsert(article("a", "en", "A", day(1), "The mirrors held.")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ix.Ready():
		t.Error("ready after an Upsert")
	default:
	}

	// A search waits for a Sync running meanwhile.
	waiting, err := Open(Options{ReadyWait: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer waiting.Close()
	done := make(chan error, 1)
	go func() {
		res, err := waiting.Search(context.Background(), q, 1, 10)
		if err == nil && res.Total != 1 {
			err = fmt.Errorf("%d results", res.Total)
		}
		done <- err
	}()
	if _, err := waiting.Sync(context.Background(), slices.Values([]Doc{article("a", "en", "A", day(1), "The mirrors held.")})); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("search still waiting 10 s after the Sync")
	}
	// A cancelled context ends the wait.
	slow, err := Open(Options{ReadyWait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := slow.Search(ctx, q, 1, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestTurns checks that searches beyond Options.Searches wait their turn,
// and give up with their context.
func TestTurns(t *testing.T) {
	ix, err := Open(Options{Searches: 1, ReadyWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	syncDocs(t, ix, article("a", "en", "A", day(1), "Text."))
	q, _ := Parse("text")
	ix.turns <- struct{}{} // a search in progress
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ix.Search(ctx, q, 1, 10); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a turn: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ix.Search(context.Background(), q, 1, 10)
		done <- err
	}()
	<-ix.turns // the search in progress ends
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("search still waiting 10 s after its turn came")
	}
}

func TestClose(t *testing.T) {
	ix, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Close stops a Sync whose list never ends.
	stopped := make(chan error, 1)
	go func() {
		_, err := ix.Sync(context.Background(), func(yield func(Doc) bool) {
			for i := 0; ; i++ {
				if !yield(article(fmt.Sprint(i), "en", "A", day(1), "Text.")) {
					return
				}
			}
		})
		stopped <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Sync: %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Sync still running 10 s after Close")
	}
	if err := ix.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	q, _ := Parse("text")
	if _, err := ix.Search(context.Background(), q, 1, 10); !isErr(err, ErrClosed, ErrNotReady) {
		t.Errorf("Search after Close: %v", err)
	}
	if err := ix.Upsert(article("x", "en", "X", day(1), "x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Upsert after Close: %v", err)
	}
	if err := ix.Delete("/x.gmi"); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close: %v", err)
	}
}

// TestCancelledSync checks that a cancelled Sync keeps what it indexed
// and deletes nothing.
func TestCancelledSync(t *testing.T) {
	ix := newIndex(t, article("old", "en", "Old", day(1), "Old text."))
	ctx, cancel := context.WithCancel(context.Background())
	_, err := ix.Sync(ctx, func(yield func(Doc) bool) {
		yield(article("new", "en", "New", day(2), "New text."))
		cancel()
		yield(article("newer", "en", "Newer", day(3), "Newer text."))
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Sync: %v", err)
	}
	if got := found(t, ix, "text"); !sameSet(got, []string{"/old.gmi", "/new.gmi"}) {
		t.Errorf("after a cancelled Sync: %v", got)
	}
}

// TestConcurrent runs searches while articles change; -race checks it.
func TestConcurrent(t *testing.T) {
	var docs []Doc
	for i := range 50 {
		docs = append(docs, article(fmt.Sprint(i), "en", "Article", day(1+i%28), "The strike goes on, day "+fmt.Sprint(i)))
	}
	ix := newIndex(t, docs...)
	q, _ := Parse("strike")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := make(chan error, 5)
	for range 4 {
		go func() {
			for range 30 {
				res, err := ix.Search(ctx, q, 1, 10)
				if err != nil {
					errs <- err
					return
				}
				if res.Total < 40 || res.Total > 70 { // 50, 20 added, 10 deleted
					errs <- fmt.Errorf("%d results", res.Total)
					return
				}
			}
			errs <- nil
		}()
	}
	go func() {
		for i := range 30 {
			var err error
			if i%3 == 2 {
				err = ix.Delete(fmt.Sprintf("/%d.gmi", i))
			} else {
				err = ix.Upsert(article(fmt.Sprint(100+i), "fr", "Article", day(1), "La grève continue, strike"))
			}
			if err != nil {
				errs <- err
				return
			}
		}
		_, err := ix.Sync(ctx, slices.Values(docs))
		errs <- err
	}()
	for range 5 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := search(t, ix, "strike").Total; got != 50 {
		t.Errorf("after the final Sync: %d results, want 50", got)
	}
}

// TestHostile checks the bounds: a huge article is indexed up to maxText,
// and the costliest query allowed runs.
func TestHostile(t *testing.T) {
	huge := strings.Repeat("filler word ", maxText/12) + "needle\n"
	var tags []Tag
	for i := range 1000 {
		tags = append(tags, Tag{Slug: fmt.Sprint("t", i), Name: fmt.Sprint("T", i)})
	}
	var words []string
	for i := range MaxTerms {
		words = append(words, fmt.Sprintf("word%d", i))
	}
	ix := newIndex(t,
		Doc{Path: "/huge.gmi", Title: "Huge " + strings.Repeat("long title ", 1000) + "titleneedle", Date: day(1),
			Summary: strings.Repeat("summary ", 10000), Tags: tags, Body: []byte(huge + huge)},
		article("all", "en", "All", day(1), strings.Join(words, " ")),
	)
	if got := found(t, ix, "filler"); !slices.Equal(got, []string{"/huge.gmi"}) {
		t.Errorf("filler: %v", got)
	}
	if got := found(t, ix, "needle"); len(got) != 0 {
		t.Errorf("text past maxText indexed: %v", got)
	}
	if got := found(t, ix, "titleneedle"); len(got) != 0 {
		t.Errorf("title past 1 KiB indexed: %v", got)
	}
	if got := found(t, ix, "tag:t99"); !slices.Equal(got, []string{"/huge.gmi"}) {
		t.Errorf("tag:t99: %v", got)
	}
	if got := found(t, ix, "tag:t100"); len(got) != 0 {
		t.Errorf("tag past maxTags indexed: %v", got)
	}
	if got := found(t, ix, strings.Join(words, " ")); !slices.Equal(got, []string{"/all.gmi"}) {
		t.Errorf("16 words: %v", got)
	}
	phrase := `"` + strings.Join(words, " ") + `"`
	if got := found(t, ix, phrase); !slices.Equal(got, []string{"/all.gmi"}) {
		t.Errorf("16-word phrase: %v", got)
	}
}

// fuzzIndex is the small index FuzzSearch queries, built once.
var fuzzIndex = sync.OnceValues(func() (*Index, error) {
	ix, err := Open(Options{ReadyWait: -1})
	if err != nil {
		return nil, err
	}
	var docs []Doc
	for i, lang := range []string{"en", "fr", "de", "es", "ru", "", "ja"} {
		d := article(fmt.Sprint(i), lang, "Title "+fmt.Sprint(i), day(1+i),
			"The general strike, la grève générale, der Generalstreik, la huelga general, всеобщая забастовка, ゼネスト.",
			"=> https://example.org/x tag:x lang:fr +plus ^caret ~tilde \"quoted\"")
		d.Tags = []Tag{{"small-web", "Small Web"}, {fmt.Sprint("t", i), "T" + fmt.Sprint(i)}}
		docs = append(docs, d)
	}
	_, err = ix.Sync(context.Background(), slices.Values(docs))
	return ix, err
})

// allowedQueryKeys are the JSON keys of the bleve queries plan may build:
// terms, conjunctions, disjunctions, booleans and match-none. Anything
// else (a query string, a regexp, a wildcard, a fuzzy or prefix match)
// would mean the reader's text reached bleve as syntax.
var allowedQueryKeys = map[string]bool{
	"term": true, "field": true, "boost": true, "conjuncts": true, "disjuncts": true, "min": true,
	"must": true, "should": true, "must_not": true, "filter": true, "match_none": true,
	"Query": true, // an unscored query, around one of these
}

func checkQueryKeys(t *testing.T, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !allowedQueryKeys[k] {
				t.Fatalf("bleve query with %q: %v", k, v)
			}
			if k != "term" && k != "field" {
				checkQueryKeys(t, x)
			}
		}
	case []any:
		for _, x := range v {
			checkQueryKeys(t, x)
		}
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		"strike", `"general strike" -grève`, "tag:small-web lang:fr", `+title:x^5 y~2 "quoted" field:*`,
		"ゼネスト", "забастовки -tag:t1", `tag:"Small Web" the`, "the and of", "lang:ja",
	} {
		f.Add(s, 1)
	}
	ix, err := fuzzIndex()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string, page int) {
		q, err := Parse(s)
		if err != nil {
			return // FuzzParse checks the errors
		}
		ix.mu.RLock()
		langs := make([]string, 0, len(ix.langs))
		for l := range ix.langs {
			langs = append(langs, l)
		}
		ix.mu.RUnlock()
		if p, err := ix.plan(q, langs, nil); err == nil {
			js, err := json.Marshal(p.query)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(js, &v); err != nil {
				t.Fatal(err)
			}
			checkQueryKeys(t, v)
		}
		res, err := ix.Search(context.Background(), q, page%5, 3)
		if err != nil {
			if !isErr(err, ErrNoWords, ErrPage) {
				t.Fatalf("Search(%q): %v", s, err)
			}
			return
		}
		checkResults(t, s, res)
		for _, h := range res.Hits {
			if !strings.HasPrefix(h.Title, "Title ") {
				t.Fatalf("hit %+v", h)
			}
		}
	})
}

// TestSyncParallel checks Sync with several batches in flight: everything
// arrives, and an article listed twice ends as listed last.
func TestSyncParallel(t *testing.T) {
	ix, err := Open(Options{BatchSize: 5, Parallel: 3, ReadyWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var docs []Doc
	for i := range 100 {
		docs = append(docs, article(fmt.Sprint(i), "en", "Article", day(1+i%28), "First version of the text."))
	}
	docs = append(docs, article("7", "en", "Article", day(1), "Second version of the text."))
	st, err := ix.Sync(context.Background(), slices.Values(docs))
	if err != nil {
		t.Fatal(err)
	}
	if st.Indexed != 101 || ix.Len() != 100 {
		t.Errorf("%+v, %d articles", st, ix.Len())
	}
	if got := found(t, ix, "second"); !slices.Equal(got, []string{"/7.gmi"}) {
		t.Errorf("second: %v", got)
	}
	if got := search(t, ix, "first").Total; got != 99 {
		t.Errorf("first: %d", got)
	}
}

// TestNewestFollowsUpdates checks that filter-only results, sorted by the
// paths and dates newestHits keeps between searches, follow new, changed
// and deleted articles.
func TestNewestFollowsUpdates(t *testing.T) {
	var docs []Doc
	for i := range 30 {
		d := article(fmt.Sprintf("a%02d", i), "en", "Bulletin", day(1+i), "The weekly bulletin.")
		d.Tags = []Tag{{Slug: "bulletin", Name: "Bulletin"}}
		docs = append(docs, d)
	}
	ix := newIndex(t, docs...)
	top := func() []string {
		t.Helper()
		var got []string
		for _, h := range search(t, ix, "tag:bulletin").Hits[:3] {
			got = append(got, h.Path)
		}
		return got
	}
	for range 2 { // the second time from what was kept
		if got := top(); !slices.Equal(got, []string{"/a29.gmi", "/a28.gmi", "/a27.gmi"}) {
			t.Fatalf("first: %v", got)
		}
	}
	moved := docs[3]
	moved.Date = day(60)
	if err := ix.Upsert(moved); err != nil {
		t.Fatal(err)
	}
	if got := top(); !slices.Equal(got, []string{"/a03.gmi", "/a29.gmi", "/a28.gmi"}) {
		t.Errorf("after moving a03 forward: %v", got)
	}
	if err := ix.Delete("/a29.gmi"); err != nil {
		t.Fatal(err)
	}
	if got := top(); !slices.Equal(got, []string{"/a03.gmi", "/a28.gmi", "/a27.gmi"}) {
		t.Errorf("after deleting a29: %v", got)
	}
	if res := search(t, ix, "tag:bulletin"); res.Total != 29 {
		t.Errorf("total %d", res.Total)
	}
}

// TestDocCache checks that what newestHits keeps is dropped when the
// snapshot of the index or the version of its meta changes.
func TestDocCache(t *testing.T) {
	ix := newIndex(t, article("a", "en", "A", day(1), "Text."))
	var c docCache
	r1, err := snapshot(ix.bi)
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	keep := func(r index.IndexReader, v uint64) {
		docs := c.lock(r, v)
		*docs = append(*docs, ranked{path: "/a.gmi", date: 1})
		c.mu.Unlock()
	}
	kept := func(r index.IndexReader, v uint64) int {
		defer c.mu.Unlock()
		return len(*c.lock(r, v))
	}
	keep(r1, 1)
	if n := kept(r1, 1); n != 1 {
		t.Errorf("same snapshot and version: %d kept", n)
	}
	if n := kept(r1, 2); n != 0 {
		t.Errorf("new version: %d kept", n)
	}
	keep(r1, 2)
	if err := ix.Upsert(article("b", "en", "B", day(2), "Text.")); err != nil {
		t.Fatal(err)
	}
	r2, err := snapshot(ix.bi)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if n := kept(r2, 2); n != 0 {
		t.Errorf("new snapshot: %d kept", n)
	}
}

// TestCloseDuringSearches closes a persisted index while searches of
// every kind run: each ends with results or ErrClosed, never a panic, and
// Close waits for those already running.
func TestCloseDuringSearches(t *testing.T) {
	for round := range 20 {
		dir := t.TempDir()
		ix, err := Open(Options{Dir: dir, ReadyWait: -1})
		if err != nil {
			t.Fatal(err)
		}
		var docs []Doc
		for i := range 200 {
			d := article(fmt.Sprint(i), "en", "Strike", day(1+i%28), "The strike goes on, the mirrors hold.")
			d.Tags = []Tag{{Slug: "bulletin", Name: "Bulletin"}}
			docs = append(docs, d)
		}
		if _, err := ix.Sync(context.Background(), slices.Values(docs)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, s := range []string{"strike", "tag:bulletin", "strike -mirrors", "tag:bulletin strike"} {
			q, _ := Parse(s)
			wg.Go(func() {
				for {
					_, err := ix.Search(context.Background(), q, 1, 10)
					if errors.Is(err, ErrClosed) {
						return
					}
					if err != nil {
						t.Errorf("round %d, %q: %v", round, s, err)
						return
					}
				}
			})
		}
		time.Sleep(time.Duration(round%5) * time.Millisecond)
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
	}
}

// TestSnapshotAfterClose checks what a search that read the bleve index
// just before Close gets from it: ErrClosed, not a panic on the nil
// snapshot a closed index returns.
func TestSnapshotAfterClose(t *testing.T) {
	ix, err := Open(Options{Dir: t.TempDir(), ReadyWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Upsert(article("a", "en", "A", day(1), "The strike.")); err != nil {
		t.Fatal(err)
	}
	bi := ix.bi
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if r, err := snapshot(bi); !errors.Is(ix.searchErr(err), ErrClosed) {
		t.Errorf("snapshot after Close: %v, %v", r, err)
	}
}

// TestCommonWords checks the words in most articles: required but not
// scored, all but the rarest when every word of the query is common, and
// the same results as scoring every word.
func TestCommonWords(t *testing.T) {
	var docs []Doc
	for i := range commonMin {
		body := "The strike goes on." + strings.Repeat(" And on.", i%7)
		if i%10 == 0 {
			body += " The mirrors held."
		}
		if i%100 != 0 {
			body += " A weekly bulletin."
		}
		docs = append(docs, article(fmt.Sprintf("p%04d", i), "en", "Day", day(1+i%300), body))
	}
	ix := newIndex(t, docs...)
	counts := map[string]int{"en": commonMin}
	for _, c := range []struct {
		q        string
		total    int
		unscored int // common words left unscored
	}{
		{"strike mirrors", 100, 1},
		{"strike weekly", 990, 1}, // both common: weekly, the rarer, is scored
		{"strike", commonMin, 0},
		{"mirrors", 100, 0},
		{`strike "mirrors held"`, 100, 1},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		r, err := snapshot(ix.bi)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		p, err := ix.plan(q, []string{"en"}, commonWords(context.Background(), r, counts))
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(p.query)
		if n := strings.Count(string(js), `"Query":`); n != min(c.unscored, 1) {
			t.Errorf("%s: %d unscored parts in %s", c.q, n, js)
		}
		res, err := ix.Search(context.Background(), q, 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		full, err := ix.plan(q, []string{"en"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, fullTotal, err := ix.rankedHits(context.Background(), r, ix.bi.Mapping(), full.query, 100)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != c.total || fullTotal != c.total {
			t.Errorf("%s: %d results, %d scoring every word, want %d", c.q, res.Total, fullTotal, c.total)
		}
		for _, h := range res.Hits {
			if h.Score <= 0 {
				t.Errorf("%s: %s unscored", c.q, h.Path)
				break
			}
		}
	}
}
