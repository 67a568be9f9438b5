// Package capsulegen writes realistic generated capsules for benchmarks and
// load tests: dated long-form articles with front matter, headings, block
// quotes, lists, links and tags, deterministic for a given size.
//
// Article, Files and Write make the small capsules of the unit benchmarks
// (30 tags, one size, one folder); Generate and WriteCapsule make the large
// ones of the load tests (sizes in a range, hundreds of tags used as
// unevenly as real ones, a folder per year), one file at a time so that a
// 100,000-article capsule never has to fit in memory.
package capsulegen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

var words = strings.Fields(`press freedom censorship archive mirror network reader writer bulletin
editor collective government ministry block filter protocol gemini gopher capsule text plain
terminal client server certificate trust archive library radio mesh neighbourhood district
journalist source leak document court ruling parliament election protest street campaign
weekly column letter reply correction analysis report interview translation dispatch border
village city province region council budget tender contract audit evidence witness account`)

var tagPool = []string{"bulletin", "censorship", "tools", "networks", "archives", "Small Web",
	"elections", "courts", "Europe", "Asia", "Africa", "Americas", "surveillance", "encryption",
	"radio", "mesh", "letters", "corrections", "interviews", "translations", "Français", "日本",
	"budget", "health", "education", "labour", "climate", "energy", "housing", "transport"}

// Article returns the Markdown of article i, about size bytes long.
func Article(i, size int, date time.Time) string {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	var b strings.Builder
	title := sentence(r, 4+r.IntN(5))
	fmt.Fprintf(&b, "---\ntitle: %q\ndate: %s\nauthor: Writer %d\ntags: [", strings.TrimSuffix(title, "."), date.Format(time.RFC3339), r.IntN(12))
	for j, n := 0, 1+r.IntN(3); j < n; j++ {
		if j > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", tagPool[r.IntN(len(tagPool))])
	}
	b.WriteString("]\n---\n\n")
	body(&b, r, i, size, fmt.Sprintf("%d.md", max(i-1, 0)))
	return b.String()
}

// body writes sections of paragraphs, quotes, lists and links until b
// holds size bytes; prev is the relative link to the previous article.
func body(b *strings.Builder, r *rand.Rand, i, size int, prev string) {
	for sec := 1; b.Len() < size; sec++ {
		fmt.Fprintf(b, "## %s\n\n", strings.TrimSuffix(sentence(r, 3+r.IntN(4)), "."))
		for p := 0; p < 3 && b.Len() < size; p++ {
			b.WriteString(paragraph(r, i))
		}
		switch sec % 3 {
		case 0:
			fmt.Fprintf(b, "> %s\n> %s\n\n", sentence(r, 14), sentence(r, 10))
		case 1:
			for k := 0; k < 4; k++ {
				fmt.Fprintf(b, "- %s [source %d](https://example.org/source/%d?page=%d)\n", sentence(r, 6), k, i, k)
			}
			b.WriteString("\n")
		case 2:
			fmt.Fprintf(b, "See also [the previous report](%s) and **%s**.\n\n", prev, sentence(r, 3))
		}
	}
}

func sentence(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[r.IntN(len(words))]
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func paragraph(r *rand.Rand, i int) string {
	var b strings.Builder
	for s := 0; s < 5+r.IntN(4); s++ {
		if s > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(sentence(r, 8+r.IntN(12)))
		if r.IntN(6) == 0 {
			fmt.Fprintf(&b, " Read [the *full* dispatch](https://example.org/dispatch/%d/%d).", i, s)
		}
	}
	b.WriteString("\n\n")
	return b.String()
}

// Files returns n articles of about size bytes each, one a day back from
// 2026-01-01, by path.
func Files(n, size int) map[string]string {
	files := make(map[string]string, n+1)
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		files[fmt.Sprintf("posts/%d.md", i)] = Article(i, size, start.Add(-time.Duration(i)*24*time.Hour))
	}
	files["index.md"] = "# Generated capsule\n\nA capsule generated for benchmarks.\n"
	return files
}

// Write writes Files(n, size) under dir.
func Write(dir string, n, size int) error {
	for name, body := range Files(n, size) {
		if err := writeFile(dir, name, []byte(body)); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(dir, name string, body []byte) error {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, body, 0o644)
}

// Options describe a generated capsule for Generate. The zero value of
// each field takes its default.
type Options struct {
	N       int // articles; default 1000
	MinSize int // smallest article in bytes; default 5000
	MaxSize int // largest article in bytes; default 15000
	// Tags is the number of distinct tags (default 300, at most MaxTags).
	// Articles have one to three, drawn from a Zipf distribution, so a
	// few tags are on thousands of articles and most on a few dozen, as
	// on a real site.
	Tags int
	// Newest is the date of the newest article (default 2026-01-01
	// 08:00 UTC); the others are spread back from it over Span.
	Newest time.Time
	// Span is how far back the oldest article is (default 20 years,
	// shortened so that articles are at least a minute apart).
	Span time.Duration
}

// MaxTags bounds Options.Tags: the tags are made from pairs of a fixed
// word list.
const MaxTags = 2000

func (o *Options) defaults() error {
	if o.N <= 0 {
		o.N = 1000
	}
	if o.MinSize <= 0 {
		o.MinSize = 5000
	}
	if o.MaxSize <= 0 {
		o.MaxSize = max(15000, o.MinSize)
	}
	if o.MaxSize < o.MinSize {
		return fmt.Errorf("capsulegen: largest size %d under the smallest %d", o.MaxSize, o.MinSize)
	}
	if o.Tags <= 0 {
		o.Tags = 300
	}
	if o.Tags > MaxTags {
		return fmt.Errorf("capsulegen: %d tags, at most %d", o.Tags, MaxTags)
	}
	if o.Newest.IsZero() {
		o.Newest = time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	}
	if o.Span <= 0 {
		o.Span = 20 * 365 * 24 * time.Hour
	}
	return nil
}

// TagNames returns the n distinct tag names Generate draws from, most
// used first: the 30 tags of Article, then pairs of words.
func TagNames(n int) []string {
	n = min(n, MaxTags)
	tags := append([]string(nil), tagPool[:min(n, len(tagPool))]...)
	seen := map[string]bool{}
	for _, t := range tags {
		seen[strings.ToLower(t)] = true
	}
	for i := 0; len(tags) < n; i++ {
		a, b := words[i%len(words)], words[(i/len(words)*7+i*3+1)%len(words)]
		name := a + " " + b
		if a == b || seen[name] {
			continue
		}
		seen[name] = true
		tags = append(tags, name)
	}
	return tags
}

// Path is the capsule path of article i of a capsule generated with
// opts (defaults applied): posts/YEAR/NNNNNN.md, newest first.
func (o Options) Path(i int) string {
	return fmt.Sprintf("posts/%d/%06d.md", o.date(i).Year(), i)
}

// date is the publication date of article i: article 0 is the newest.
func (o Options) date(i int) time.Time {
	step := max(o.Span/time.Duration(max(o.N, 1)), time.Minute)
	return o.Newest.Add(-time.Duration(i) * step).Truncate(time.Minute)
}

// article returns the path and Markdown of article i of a capsule
// generated with opts (defaults applied), drawing from r and zipf.
func (o Options) article(i int, tags []string, zipf *rand.Zipf, r *rand.Rand) (string, string) {
	name := o.Path(i)
	size := o.MinSize
	if o.MaxSize > o.MinSize {
		size += r.IntN(o.MaxSize - o.MinSize + 1)
	}
	var b strings.Builder
	b.Grow(size + 2048)
	title := sentence(r, 4+r.IntN(5))
	fmt.Fprintf(&b, "---\ntitle: %q\ndate: %s\nauthor: Writer %d\ntags: [", strings.TrimSuffix(title, "."), o.date(i).Format(time.RFC3339), r.IntN(40))
	picked := map[uint64]bool{}
	for j, n := 0, 1+r.IntN(3); j < n; j++ {
		k := zipf.Uint64()
		if picked[k] {
			continue
		}
		picked[k] = true
		if len(picked) > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", tags[k])
	}
	b.WriteString("]\n---\n\n")
	prev := "../../index.md"
	if i+1 < o.N {
		prev = relative(path.Dir(name), o.Path(i+1))
	}
	body(&b, r, i, size, prev)
	return name, b.String()
}

// relative is the link from folder dir to file p, both slash paths in
// the capsule.
func relative(dir, p string) string {
	if path.Dir(p) == dir {
		return path.Base(p)
	}
	up := strings.Repeat("../", strings.Count(dir, "/")+1)
	return up + p
}

// Generate calls emit for every file of a capsule generated with opts,
// the articles newest first, then index.md. It is deterministic: the same
// options give the same files. It stops at the first error emit returns.
func Generate(opts Options, emit func(name string, body []byte) error) error {
	if err := opts.defaults(); err != nil {
		return err
	}
	tags := TagNames(opts.Tags)
	r := rand.New(rand.NewPCG(uint64(opts.N), 7))
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(tags)-1))
	for i := range opts.N {
		name, text := opts.article(i, tags, zipf, r)
		if err := emit(name, []byte(text)); err != nil {
			return err
		}
	}
	return emit("index.md", []byte("# Generated capsule\n\nA capsule generated for load tests.\n"))
}

// WriteCapsule writes the capsule Generate makes under dir, with a few
// writers at once.
func WriteCapsule(dir string, opts Options) error {
	type file struct {
		name string
		body []byte
	}
	files := make(chan file, 64)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for range 4 {
		wg.Go(func() {
			for f := range files {
				if err := writeFile(dir, f.name, f.body); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	err := Generate(opts, func(name string, body []byte) error {
		mu.Lock()
		failed := len(errs) > 0
		mu.Unlock()
		if failed {
			return errors.New("capsulegen: stopped after a write failed")
		}
		files <- file{name, body}
		return nil
	})
	close(files)
	wg.Wait()
	return errors.Join(append(errs, err)...)
}
