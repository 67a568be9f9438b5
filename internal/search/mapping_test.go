package search

import (
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
