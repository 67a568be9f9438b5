package site

import (
	"fmt"
	"strings"
	"testing"
)

func TestCacheBudget(t *testing.T) {
	c := NewCache(1000)
	renders := 0
	render := func(n int) func() []byte {
		return func() []byte {
			renders++
			return []byte(strings.Repeat("x", n))
		}
	}
	for i := range 20 {
		c.Get(fmt.Sprint("/p", i), render(100))
	}
	n, used := c.Len()
	if used > 1000 || n == 0 || n > 10 {
		t.Errorf("cache holds %d pages, %d bytes; budget 1000", n, used)
	}
	// The most recent page is still cached; the oldest is not.
	before := renders
	c.Get("/p19", render(100))
	if renders != before {
		t.Error("most recent page rendered again")
	}
	c.Get("/p0", render(100))
	if renders != before+1 {
		t.Error("evicted page not rendered again")
	}
	// A view larger than the whole budget is served but not kept.
	if v := c.Get("/huge", render(5000)); len(v) != 5000 {
		t.Error("huge view not returned")
	}
	if _, used := c.Len(); used > 1000 {
		t.Errorf("cache over budget after a huge view: %d", used)
	}
}
