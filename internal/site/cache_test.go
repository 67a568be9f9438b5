package site

import (
	"fmt"
	"strings"
	"testing"
)

func TestCacheBudget(t *testing.T) {
	c := NewCache(2000)
	renders := 0
	pages := map[int]*Page{}
	for i := range 30 {
		pages[i] = &Page{}
	}
	render := func(n int) func() []byte {
		return func() []byte {
			renders++
			return []byte(strings.Repeat("x", n))
		}
	}
	for i := range 20 {
		c.View(fmt.Sprint("/p", i), pages[i], render(100))
	}
	n, used := c.Len()
	if used > 2000 || n == 0 || n >= 20 {
		t.Errorf("cache holds %d views, %d bytes; budget 2000", n, used)
	}
	// The most recent view is still cached; the oldest is not.
	before := renders
	c.View("/p19", pages[19], render(100))
	if renders != before {
		t.Error("most recent view rendered again")
	}
	c.View("/p0", pages[0], render(100))
	if renders != before+1 {
		t.Error("evicted view not rendered again")
	}
	// A view of another page under the same key is rendered again.
	c.View("/p19", pages[25], render(100))
	if renders != before+2 {
		t.Error("view of a changed page served from the cache")
	}
	// A view larger than the whole budget is served but not kept.
	if v := c.View("/huge", pages[1], render(5000)); len(v) != 5000 {
		t.Error("huge view not returned")
	}
	if _, used := c.Len(); used > 2000 {
		t.Errorf("cache over budget after a huge view: %d", used)
	}
}

func TestSameDeps(t *testing.T) {
	a, b := &Page{}, &Page{}
	for _, tt := range []struct {
		x, y []any
		want bool
	}{
		{nil, nil, true},
		{[]any{a, "x", 3}, []any{a, "x", 3}, true},
		{[]any{a}, []any{b}, false},
		{[]any{a, "x"}, []any{a, "y"}, false},
		{[]any{a}, []any{a, nil}, false},
		{[]any{3}, []any{int64(3)}, false},
	} {
		if got := sameDeps(tt.x, tt.y); got != tt.want {
			t.Errorf("sameDeps(%v, %v) = %v", tt.x, tt.y, got)
		}
	}
}
