package capsulegen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestArticle(t *testing.T) {
	a := Article(3, 8000, time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC))
	if len(a) < 8000 || len(a) > 12000 {
		t.Errorf("article is %d bytes, want about 8000", len(a))
	}
	if a != Article(3, 8000, time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Error("article is not deterministic")
	}
	for _, want := range []string{"---\ntitle: ", "date: 2025-01-02T00:00:00Z", "tags: [", "\n## ", "\n> ", "\n- ", "](2.md)"} {
		if !strings.Contains(a, want) {
			t.Errorf("article lacks %q", want)
		}
	}
	if n := len(Files(10, 1000)); n != 11 {
		t.Errorf("Files made %d files, want 11", n)
	}
}

func TestGenerate(t *testing.T) {
	opts := Options{N: 2000, MinSize: 5000, MaxSize: 15000, Tags: 300}
	type file struct{ name, body string }
	collect := func() []file {
		var out []file
		if err := Generate(opts, func(name string, body []byte) error {
			out = append(out, file{name, string(body)})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	files := collect()
	if len(files) != opts.N+1 {
		t.Fatalf("%d files, want %d", len(files), opts.N+1)
	}
	again := collect()
	for i := range files {
		if files[i] != again[i] {
			t.Fatalf("file %d differs between runs: not deterministic", i)
		}
	}
	tags := map[string]int{}
	minSize, maxSize := 1<<30, 0
	names := map[string]bool{}
	for _, f := range files[:opts.N] {
		if names[f.name] {
			t.Fatalf("%s written twice", f.name)
		}
		names[f.name] = true
		minSize, maxSize = min(minSize, len(f.body)), max(maxSize, len(f.body))
		_, rest, _ := strings.Cut(f.body, "\ntags: [")
		list, _, _ := strings.Cut(rest, "]\n")
		for tag := range strings.SplitSeq(list, ", ") {
			tags[tag]++
		}
		if !strings.HasPrefix(f.name, "posts/") || !strings.HasSuffix(f.name, ".md") {
			t.Errorf("article at %s", f.name)
		}
	}
	if minSize < 5000 || maxSize > 15000+2500 || maxSize-minSize < 8000 {
		t.Errorf("sizes %d to %d bytes, want 5 to 15 KB spread over the range", minSize, maxSize)
	}
	// 2,000 articles of 1-3 tags from a Zipf distribution: most of the
	// 300 tags are used, a few on many articles.
	if len(tags) < 200 || len(tags) > 300 {
		t.Errorf("%d distinct tags used, want most of 300", len(tags))
	}
	most := 0
	for _, n := range tags {
		most = max(most, n)
	}
	if most < 100 {
		t.Errorf("the most used tag is on %d articles; want a skewed distribution", most)
	}
	if n := len(TagNames(300)); n != 300 {
		t.Errorf("TagNames(300) gives %d names", n)
	}
	seen := map[string]bool{}
	for _, tag := range TagNames(MaxTags) {
		if seen[strings.ToLower(tag)] {
			t.Errorf("tag %q twice", tag)
		}
		seen[strings.ToLower(tag)] = true
	}
	if err := Generate(Options{Tags: MaxTags + 1}, func(string, []byte) error { return nil }); err == nil {
		t.Error("too many tags accepted")
	}
}

func TestWriteCapsule(t *testing.T) {
	dir := t.TempDir()
	opts := Options{N: 30, Tags: 40}
	if err := WriteCapsule(dir, opts); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := Generate(opts, func(name string, body []byte) error {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || string(got) != string(body) {
			t.Errorf("%s: read %d bytes, %v; want what Generate made", name, len(got), err)
		}
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 31 {
		t.Errorf("%d files", n)
	}
}
