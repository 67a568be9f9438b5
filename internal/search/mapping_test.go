package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEncodeDate(t *testing.T) {
	times := []int64{
		time.Date(1871, 3, 18, 0, 0, 0, 0, time.UTC).Unix(), -1, 0, 1,
		time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC).Unix(), 1 << 40,
	}
	var enc []string
	for _, u := range times {
		e := encodeDate(u)
		if len(e) != 16 {
			t.Errorf("encodeDate(%d) = %q", u, e)
		}
		if back, err := decodeDate([]byte(e)); err != nil || back != u {
			t.Errorf("decodeDate(encodeDate(%d)) = %d, %v", u, back, err)
		}
		enc = append(enc, e)
	}
	if !slices.IsSorted(enc) {
		t.Errorf("text order is not time order: %q", enc)
	}
	if _, err := decodeDate([]byte("zz")); err == nil {
		t.Error("decodeDate accepted garbage")
	}
}

func TestPrepare(t *testing.T) {
	d := Doc{
		Path: "/p.gmi", Title: "Title", Lang: "fr-CA", Date: time.Date(2024, 5, 1, 9, 30, 0, 0, time.FixedZone("", 2*3600)),
		Tags: []Tag{{"small-web", "Small Web"}, {"small-web", "small web"}}, Summary: "Given  summary.",
		Body: []byte("First paragraph.\n"),
	}
	p := prepare(&d, entryOf(&d))
	if p.entry.lang != "fr" {
		t.Errorf("lang %q", p.entry.lang)
	}
	if got := p.doc[textField]; got != "Given summary.\nFirst paragraph." {
		t.Errorf("text %q", got)
	}
	if got := p.doc[tagField]; !slices.Equal(got.([]string), []string{"small-web"}) {
		t.Errorf("tags %q", got)
	}
	if got := p.doc[langTagField]; !slices.Equal(got.([]string), []string{"fr-ca", "fr"}) {
		t.Errorf("lang tags %q", got)
	}
	if got := p.doc[whenField]; got != "2024-05-01T09:30:00+02:00" {
		t.Errorf("when %q", got)
	}
	if got := p.doc[headField+"fr"].(string); !strings.HasPrefix(got, "Title\nSmall Web") {
		t.Errorf("head %q", got)
	}
	// A summary that is the first paragraph is not indexed twice.
	d.Summary = "First paragraph."
	if got := prepare(&d, entryOf(&d)).doc[textField]; got != "First paragraph." {
		t.Errorf("text with the first paragraph as summary: %q", got)
	}
}

// TestLoadBody: with a fingerprint, Sync reads bodies only for articles
// that are new or changed.
func TestLoadBody(t *testing.T) {
	loads := map[string]int{}
	lazy := func(p, fp, text string) Doc {
		return Doc{Path: p, Title: "T " + p, Lang: "en", Date: day(1), Fingerprint: fp,
			LoadBody: func() ([]byte, error) { loads[p]++; return []byte(text + "\n"), nil }}
	}
	ix := newIndex(t, lazy("/a.gmi", "1", "strikes everywhere"), lazy("/b.gmi", "1", "quiet week"))
	if loads["/a.gmi"] != 1 || loads["/b.gmi"] != 1 {
		t.Fatalf("first sync loaded %v", loads)
	}
	if res := search(t, ix, "strike"); res.Total != 1 || res.Hits[0].Path != "/a.gmi" {
		t.Fatalf("lazy body not indexed: %+v", res)
	}
	docs := []Doc{lazy("/a.gmi", "1", "strikes everywhere"), lazy("/b.gmi", "2", "a general strike")}
	if _, err := ix.Sync(context.Background(), slices.Values(docs)); err != nil {
		t.Fatal(err)
	}
	if loads["/a.gmi"] != 1 || loads["/b.gmi"] != 2 {
		t.Errorf("second sync loaded %v; want only the changed /b.gmi again", loads)
	}
	if res := search(t, ix, "strike"); res.Total != 2 {
		t.Errorf("edited lazy body not indexed: %+v", res)
	}
}
