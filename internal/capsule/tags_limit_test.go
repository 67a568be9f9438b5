package capsule

import (
	"fmt"
	"strings"
	"testing"
)

// TestTagLimits checks that a document keeps at most maxTags tags, each
// at most maxTagLength characters: the site's work grows with the square
// of one document's tags.
func TestTagLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: Tags\ndate: 2024-01-01\ntags: [")
	for i := range 1000 {
		fmt.Fprintf(&b, "tag%d, Tag%d, ", i, i) // each twice, in two spellings
	}
	b.WriteString(strings.Repeat("é", maxTagLength) + ", " + strings.Repeat("x", maxTagLength+1) + "]\n---\nBody.\n")
	d := Parse("posts/t.md", []byte(b.String()), Options{})
	if len(d.Tags) != maxTags {
		t.Fatalf("%d tags kept, want %d", len(d.Tags), maxTags)
	}
	for i, tag := range d.Tags {
		if want := fmt.Sprintf("tag%d", i); tag.Name != want {
			t.Fatalf("tag %d is %q, want %q: the first ones are kept, in order", i, tag.Name, want)
		}
	}
	var msgs []string
	for _, p := range d.Problems {
		msgs = append(msgs, p.Msg)
	}
	want := []string{
		`tag "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… is longer than 100 characters; ignored`,
		"937 more tags than the 64 a document may have; only the first 64 are kept",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}
