package search

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// day returns noon UTC on the given day of 2024.
func day(d int) time.Time { return time.Date(2024, 1, d, 12, 0, 0, 0, time.UTC) }

// article returns a Doc at /p.gmi with a title, a language and a body
// given as gemtext lines.
func article(p, lang, title string, date time.Time, lines ...string) Doc {
	return Doc{
		Path:  "/" + p + ".gmi",
		Title: title,
		Lang:  lang,
		Date:  date,
		Body:  []byte(strings.Join(lines, "\n") + "\n"),
	}
}

// newIndex returns a ready in-memory index of docs, closed when the test
// ends.
func newIndex(t *testing.T, docs ...Doc) *Index {
	t.Helper()
	ix, err := Open(Options{ReadyWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, err := ix.Sync(context.Background(), slices.Values(docs)); err != nil {
		t.Fatal(err)
	}
	return ix
}

// search runs query q and returns the whole first page (up to 100).
func search(t *testing.T, ix *Index, q string) *Results {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		t.Fatalf("Parse(%q): %v", q, err)
	}
	res, err := ix.Search(context.Background(), pq, 1, MaxPageSize)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	checkResults(t, q, res)
	return res
}

// found returns the paths that query q finds, in order.
func found(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	var ps []string
	for _, h := range search(t, ix, q).Hits {
		ps = append(ps, h.Path)
	}
	return ps
}

// checkResults asserts what every Results must satisfy.
func checkResults(t *testing.T, q string, res *Results) {
	t.Helper()
	if len(res.Hits) > res.Size || res.Total < len(res.Hits) {
		t.Errorf("%q: %d hits, size %d, total %d", q, len(res.Hits), res.Size, res.Total)
	}
	if res.Total > 0 && (res.Pages < 1 || res.Page > res.Pages) {
		t.Errorf("%q: page %d of %d with %d results", q, res.Page, res.Pages, res.Total)
	}
	seen := map[string]bool{}
	for _, h := range res.Hits {
		if seen[h.Path] {
			t.Errorf("%q: %s twice", q, h.Path)
		}
		seen[h.Path] = true
		checkSnippet(t, h.Snippet)
	}
}

// checkSnippet asserts the properties of every snippet.
func checkSnippet(t *testing.T, s string) {
	t.Helper()
	if n := len([]rune(s)); n > snippetRunes {
		t.Errorf("snippet of %d characters: %q", n, s)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r < ' ' || r == 0x7f }) {
		t.Errorf("snippet with a control character: %q", s)
	}
	if !utf8.ValidString(s) {
		t.Errorf("snippet not valid UTF-8: %q", s)
	}
}

// isErr reports whether err is one of targets.
func isErr(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
