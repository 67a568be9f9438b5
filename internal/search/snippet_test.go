package search

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// snippetByAnalysis is what snippet computes, the slow way: every line
// analysed whole.
func snippetByAnalysis(text string, a analysis.Analyzer, terms []string) string {
	best, bestAt, bestCount := "", 0, 0
	for line := range strings.SplitSeq(text[:min(len(text), snippetScan)], "\n") {
		seen := map[string]bool{}
		at := -1
		for _, t := range a.Analyze([]byte(line)) {
			if slices.Contains(terms, string(t.Term)) {
				if at < 0 {
					at = t.Start
				}
				seen[string(t.Term)] = true
			}
		}
		if len(seen) > bestCount {
			best, bestAt, bestCount = line, at, len(seen)
		}
	}
	if bestCount == 0 {
		best, _, _ = strings.Cut(text, "\n")
		bestAt = 0
	}
	return cut(best, bestAt)
}

// TestSnippetPieces checks snippet, which analyses long paragraphs a piece
// at a time and skips the pieces without a probe, against analysing every
// line whole, on random paragraphs of up to 900 characters where the
// words of the query fall anywhere, in any piece, several times or not at
// all.
func TestSnippetPieces(t *testing.T) {
	a, err := registry.NewCache().AnalyzerNamed(analyzerName("en"))
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"strikes", "striking", "mines", "miner", "printers", "the", "and", "paper", "harbour",
		"weather", "presses", "pressing", "Strike", "MINES", "of", "a", "ministry", "stripes"}
	terms := []string{"mine", "press", "strike"} // "strikes", "mines", "presses" in English
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		var lines []string
		for range 1 + r.IntN(4) {
			ws := make([]string, r.IntN(120)) // within snippetAnalyse
			for k := range ws {
				ws[k] = words[r.IntN(len(words))]
			}
			lines = append(lines, strings.Join(ws, " "))
		}
		text := strings.Join(lines, "\n")
		q := terms[:1+i%len(terms)]
		if got, want := snippet(text, a, q), snippetByAnalysis(text, a, q); got != want {
			t.Fatalf("terms %v in\n%s\ngot  %q\nwant %q", q, text, got, want)
		}
	}
}

// countingAnalyzer counts the bytes it is given.
type countingAnalyzer struct {
	analysis.Analyzer
	n int
}

func (c *countingAnalyzer) Analyze(b []byte) analysis.TokenStream {
	c.n += len(b)
	return c.Analyzer.Analyze(b)
}

// TestSnippetBudget checks that the text analysed for one snippet is
// bounded when every line holds the probe of a word without holding the
// word: the snippet falls back to the start of the article.
func TestSnippetBudget(t *testing.T) {
	en, err := registry.NewCache().AnalyzerNamed(analyzerName("en"))
	if err != nil {
		t.Fatal(err)
	}
	a := &countingAnalyzer{Analyzer: en}
	text := "First line." + strings.Repeat("\nA stream in the street, a string of streams.", 1200) + "\nThe strike began."
	if got := snippet(text, a, []string{"strike"}); got != "First line." {
		t.Errorf("snippet %q", got)
	}
	if a.n > snippetAnalyse+100 {
		t.Errorf("analysed %d bytes, budget %d", a.n, snippetAnalyse)
	}
	// Within the budget, the match is found.
	a.n = 0
	text = "First line." + strings.Repeat("\nA stream in the street, a string of streams.", 50) + "\nThe strike began."
	if got := snippet(text, a, []string{"strike"}); got != "The strike began." {
		t.Errorf("snippet %q", got)
	}
}
