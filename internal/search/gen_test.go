package search

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"broadside/internal/capsulegen"
	"broadside/internal/gemtext"
)

// generated yields n articles of about size bytes written by capsulegen,
// converted to gemtext the way the capsule does, as Docs whose languages
// cycle through langs (the text stays capsulegen's English: what changes
// is how many analyses a query fans out to). Each is made when it is
// yielded, so that a 100,000-article capsule needs no memory of its own.
//
// capsulegen draws its prose from fewer than a hundred words, so every
// article holds nearly all of them: the worst case for common words, but
// no rare words and an unrealistically small dictionary. Each article
// therefore also gets a paragraph of 200 words drawn from a Zipf
// distribution over 100,000 made-up words, as real prose would have.
func generated(tb testing.TB, n, size int, langs []string) iter.Seq[Doc] {
	conv := gemtext.New(gemtext.Options{})
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	return func(yield func(Doc) bool) {
		for i := range n {
			src := capsulegen.Article(i, size, start.Add(-time.Duration(i)*24*time.Hour))
			d := docFromMarkdown(tb, conv, fmt.Sprintf("/posts/%d.gmi", i), src)
			d.Lang = langs[i%len(langs)]
			d.Body = append(d.Body, []byte("\n"+zipfParagraph(i, 200)+"\n")...)
			if !yield(d) {
				return
			}
		}
	}
}

// docFromMarkdown turns a capsulegen article (YAML front matter and
// Markdown) into a Doc.
func docFromMarkdown(tb testing.TB, conv *gemtext.Converter, path, src string) Doc {
	tb.Helper()
	rest, ok := strings.CutPrefix(src, "---\n")
	fm, body, ok2 := strings.Cut(rest, "\n---\n")
	if !ok || !ok2 {
		tb.Fatalf("%s: no front matter", path)
	}
	var meta struct {
		Title string    `yaml:"title"`
		Date  time.Time `yaml:"date"`
		Tags  []string  `yaml:"tags"`
	}
	if err := yaml.Unmarshal([]byte(fm), &meta); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	out, err := conv.Convert([]byte(body), nil)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	d := Doc{Path: path, Title: meta.Title, Date: meta.Date, Updated: meta.Date, Summary: out.Summary, Body: out.Gemtext}
	for _, t := range meta.Tags {
		d.Tags = append(d.Tags, Tag{Slug: tagKey(t), Name: t})
	}
	return d
}

// zipfParagraph returns n made-up words for article i, drawn from a Zipf
// distribution over 100,000 words: a few are in most articles, most in a
// handful.
func zipfParagraph(i, n int) string {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	z := rand.NewZipf(r, 1.1, 1, 100_000-1)
	ws := make([]string, n)
	for k := range ws {
		ws[k] = madeUpWord(int(z.Uint64()))
	}
	return strings.Join(ws, " ") + "."
}

// madeUpWord returns the k-th made-up word: syllables that no analyzer
// shortens, such as "zovaku" (every word ends in a vowel; English stems
// only a final "e", which is never used).
func madeUpWord(k int) string {
	const cons, vows = "bdfgklmnprstvz", "aiou"
	var b strings.Builder
	for {
		b.WriteByte(cons[k%len(cons)])
		k /= len(cons)
		b.WriteByte(vows[k%len(vows)])
		k /= len(vows)
		if k == 0 {
			return "zo" + b.String()
		}
	}
}
