package capsule

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var benchWords = strings.Fields(`the government press freedom report council minister
	election budget reform union strike court ruling journalists archive newspaper
	editorial policy public service workers housing energy climate parliament vote
	committee inquiry evidence witness statement document analysis history movement
	democracy rights campaign protest coalition opposition treaty border trade`)

// article returns about size bytes of Markdown shaped like a long
// political article: front matter, headings, paragraphs with links, a list
// and a block quote.
func article(r *rand.Rand, i, size int) string {
	sentence := func(n int) string {
		var b strings.Builder
		for j := range n {
			w := benchWords[r.IntN(len(benchWords))]
			if j == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			if j < n-1 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(". ")
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: Article number %d\ndate: 2020-01-01T10:00:00Z\ntags: [politics, %s, %s]\nauthor: Staff\n---\n\n",
		i, benchWords[i%len(benchWords)], benchWords[(i*7)%len(benchWords)])
	fmt.Fprintf(&b, "# Article number %d\n\n", i)
	for section := 1; b.Len() < size; section++ {
		fmt.Fprintf(&b, "## Section %d: %s\n\n", section, sentence(4))
		for range 3 {
			b.WriteString(sentence(12))
			b.WriteString(sentence(9))
			fmt.Fprintf(&b, "See [the earlier report](%04d-report.md) and [the source](https://example.org/doc/%d). ", r.IntN(1000), r.IntN(1e6))
			b.WriteString(sentence(15))
			b.WriteString("\n\n")
		}
		b.WriteString("* " + sentence(6) + "\n* " + sentence(8) + "\n* [" + sentence(3) + "](../pages/about.md)\n\n")
		b.WriteString("> " + sentence(14) + "\n> " + sentence(10) + "\n\n")
	}
	return b.String()
}

// benchCapsule returns a capsule of n articles of about size bytes each.
func benchCapsule(n, size int) fstest.MapFS {
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fsys := fstest.MapFS{}
	for i := range n {
		fsys[fmt.Sprintf("posts/%04d-article.md", i)] = &fstest.MapFile{Data: []byte(article(r, i, size)), ModTime: t0}
	}
	return fsys
}

func BenchmarkLoad(b *testing.B) {
	fsys := benchCapsule(1000, 8<<10)
	var total int64
	for _, f := range fsys {
		total += int64(len(f.Data))
	}
	opts := Options{Full: true} // as check and build load
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		s, err := Load(fsys, opts, nil)
		if err != nil || len(s.Docs) != 1000 || len(s.Problems) != 0 {
			b.Fatalf("load: %v, %d docs, problems %v", err, len(s.Docs), s.Problems)
		}
	}
}

func BenchmarkReloadOneChanged(b *testing.B) {
	fsys := benchCapsule(1000, 8<<10)
	opts := Options{}
	prev, err := Load(fsys, opts, nil)
	if err != nil {
		b.Fatal(err)
	}
	changed := fsys["posts/0500-article.md"]
	changed.Data = append(changed.Data, "\nOne more line.\n"...)
	changed.ModTime = changed.ModTime.Add(time.Second)
	b.ResetTimer()
	for b.Loop() {
		s, err := Load(fsys, opts, prev)
		if err != nil || s.Parsed != 1 || s.Reused != 999 {
			b.Fatalf("reload: %v, parsed %d, reused %d", err, s.Parsed, s.Reused)
		}
	}
}

func TestBenchCapsuleIsRealistic(t *testing.T) {
	fsys := benchCapsule(3, 8<<10)
	s := mustLoad(t, fsys, Options{})
	for _, d := range s.Docs {
		if d.Size < 8<<10 || d.Size > 10<<10 {
			t.Errorf("%s is %d bytes, want about 8 KB", d.Source, d.Size)
		}
		body := string(bodyOf(t, s, d))
		for _, want := range []string{"## Section 1", "\n## Section 2", "\n* ", "\n> ", "\n=> https://example.org/doc/", "\n=> /pages/about.gmi"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: body lacks %q", d.Source, want)
			}
		}
		if d.Kind != Article || len(d.Tags) < 2 {
			t.Errorf("%s: kind %v, tags %v", d.Source, d.Kind, d.Tags)
		}
	}
}

// BenchmarkBody measures what a page costs on a cache miss: reading a
// 15 KB article again and converting it.
func BenchmarkBody(b *testing.B) {
	fsys := fstest.MapFS{"posts/a.md": {Data: []byte(article(rand.New(rand.NewPCG(1, 2)), 1, 15<<10))}}
	s, err := Load(fsys, Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	d := s.Current("posts/a.md")
	b.SetBytes(d.Size)
	for b.Loop() {
		if _, err := s.Body(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadQuick is BenchmarkLoad without converting bodies, as serve
// loads.
func BenchmarkLoadQuick(b *testing.B) {
	fsys := benchCapsule(1000, 8<<10)
	for b.Loop() {
		s, err := Load(fsys, Options{}, nil)
		if err != nil || len(s.Docs) != 1000 {
			b.Fatalf("load: %v, %d docs", err, len(s.Docs))
		}
	}
}
