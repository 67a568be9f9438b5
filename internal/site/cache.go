package site

import (
	"container/list"
	"sync"
)

// DefaultCacheSize is the default budget of the page cache, in bytes.
const DefaultCacheSize = 64 << 20

// Cache keeps built pages and front-end views (Gopher's renderings of a
// page) within a byte budget, dropping the least recently used first.
//
// It outlives sites: the publisher hands one Cache from each site to the
// next, and every entry remembers what it was built from (its deps: the
// documents on the page, counts, names). A lookup that finds an entry
// built from equal deps reuses it; otherwise the entry is built again. So
// an edit rebuilds, on their next request, exactly the pages the edited
// document appears on, and the budget keeps a crawl of a large archive
// from growing memory.
//
// It is safe for concurrent use; two requests for the same missing key may
// both build it, which is harmless.
type Cache struct {
	mu     sync.Mutex
	budget int
	used   int
	order  *list.List // of *cacheEntry, most recent first
	byKey  map[string]*list.Element
}

type cacheEntry struct {
	key  string
	deps []any
	val  any
	size int
}

// NewCache returns a cache that holds at most budget bytes.
func NewCache(budget int) *Cache {
	return &Cache{budget: budget, order: list.New(), byKey: map[string]*list.Element{}}
}

// sameDeps compares deps element by element. Deps hold only comparable
// values: pointers, strings and numbers.
func sameDeps(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// get returns the value under key if it was built from deps equal to these,
// else builds it with build, which returns the value and its size in
// bytes. A value larger than the whole budget is returned but not kept.
func (c *Cache) get(key string, deps []any, build func() (any, int)) any {
	c.mu.Lock()
	if el, ok := c.byKey[key]; ok {
		e := el.Value.(*cacheEntry)
		if sameDeps(e.deps, deps) {
			c.order.MoveToFront(el)
			c.mu.Unlock()
			return e.val
		}
	}
	c.mu.Unlock()

	v, size := build()
	e := &cacheEntry{key: key, deps: deps, val: v, size: size + len(key) + 16*len(deps) + 64}
	if e.size > c.budget {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		old := el.Value.(*cacheEntry)
		c.used -= old.size
		c.order.Remove(el)
	}
	c.byKey[key] = c.order.PushFront(e)
	c.used += e.size
	for c.used > c.budget {
		last := c.order.Back()
		old := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.byKey, old.key)
		c.used -= old.size
	}
	return v
}

// View returns the view cached under key for page pg, rendering it with
// render when it is missing or was rendered from another page. Front-ends
// use it for their renderings of pages.
func (c *Cache) View(key string, pg *Page, render func() []byte) []byte {
	return c.get(key, []any{pg}, func() (any, int) {
		b := render()
		return b, len(b)
	}).([]byte)
}

// Len reports the number of cached entries and their bytes.
func (c *Cache) Len() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.used
}
