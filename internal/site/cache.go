package site

import (
	"container/list"
	"sync"
)

// DefaultViewCache is the default budget for cached views.
const DefaultViewCache = 32 << 20

// Cache keeps derived views of pages (a front-end's rendering of a page
// into its own format, such as Gopher's text and menu views) within a
// byte budget, dropping the least recently used first. Rendering a view
// costs far more than serving it, so popular pages are rendered once; the
// budget keeps a crawler that reads every page from doubling the server's
// memory. Each Site has its own Cache, so a view never outlives the
// snapshot it was rendered from.
//
// It is safe for concurrent use; two requests for the same uncached key
// may both render it, which is harmless.
type Cache struct {
	mu     sync.Mutex
	budget int
	used   int
	order  *list.List // of *cacheEntry, most recent first
	byKey  map[string]*list.Element
}

type cacheEntry struct {
	key  string
	view []byte
}

func (e *cacheEntry) size() int { return len(e.view) + len(e.key) }

// NewCache returns a cache that holds at most budget bytes of views.
func NewCache(budget int) *Cache {
	return &Cache{budget: budget, order: list.New(), byKey: map[string]*list.Element{}}
}

// Get returns the view cached under key, rendering it with render when it
// is not cached. A view larger than the whole budget is returned but not
// kept.
func (c *Cache) Get(key string, render func() []byte) []byte {
	c.mu.Lock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		v := el.Value.(*cacheEntry).view
		c.mu.Unlock()
		return v
	}
	c.mu.Unlock()

	v := render()
	e := &cacheEntry{key: key, view: v}
	if e.size() > c.budget {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok { // rendered meanwhile by another request
		c.order.MoveToFront(el)
		return v
	}
	c.byKey[key] = c.order.PushFront(e)
	c.used += e.size()
	for c.used > c.budget {
		last := c.order.Back()
		old := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.byKey, old.key)
		c.used -= old.size()
	}
	return v
}

// Len reports the number of cached views and their bytes.
func (c *Cache) Len() (views, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.used
}
