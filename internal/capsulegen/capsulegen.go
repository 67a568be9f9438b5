// Package capsulegen writes realistic generated capsules for benchmarks and
// load tests: dated long-form articles with front matter, headings, block
// quotes, lists, links and tags, deterministic for a given size.
package capsulegen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
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
	for sec := 1; b.Len() < size; sec++ {
		fmt.Fprintf(&b, "## %s\n\n", strings.TrimSuffix(sentence(r, 3+r.IntN(4)), "."))
		for p := 0; p < 3 && b.Len() < size; p++ {
			b.WriteString(paragraph(r, i))
		}
		switch sec % 3 {
		case 0:
			fmt.Fprintf(&b, "> %s\n> %s\n\n", sentence(r, 14), sentence(r, 10))
		case 1:
			for k := 0; k < 4; k++ {
				fmt.Fprintf(&b, "- %s [source %d](https://example.org/source/%d?page=%d)\n", sentence(r, 6), k, i, k)
			}
			b.WriteString("\n")
		case 2:
			fmt.Fprintf(&b, "See also [the previous report](%d.md) and **%s**.\n\n", max(i-1, 0), sentence(r, 3))
		}
	}
	return b.String()
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
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
