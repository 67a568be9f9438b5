package capsulegen

import (
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
