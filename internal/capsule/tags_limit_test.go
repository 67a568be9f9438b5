package capsule

import (
	"fmt"
	"strings"
	"testing"

	"broadside/internal/frontmatter"
)

// TestManyTags checks the case of issue 10: one article with 8,000 tags
// keeps frontmatter.MaxTags of them, with a warning. The site makes a page
// and a feed per tag and every feed entry lists all its document's tags,
// so the site's work grows with the square of one document's tags.
func TestManyTags(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: Tags\ndate: 2024-01-01\ntags: [")
	for i := range 8000 {
		fmt.Fprintf(&b, "tag%d, ", i)
	}
	b.WriteString("last]\n---\nBody.\n")
	d := Parse("posts/t.md", []byte(b.String()), Options{})
	if len(d.Tags) != frontmatter.MaxTags {
		t.Fatalf("%d tags kept, want %d", len(d.Tags), frontmatter.MaxTags)
	}
	for i, tag := range d.Tags {
		if want := fmt.Sprintf("tag%d", i); tag.Name != want {
			t.Fatalf("tag %d is %q, want %q: the first ones are kept, in order", i, tag.Name, want)
		}
	}
	if !hasProblem(d.Problems, Warning, fmt.Sprint(frontmatter.MaxTags)) {
		t.Errorf("no warning about the limit: %v", d.Problems)
	}
}
