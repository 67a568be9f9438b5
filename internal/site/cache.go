package site

import (
	"container/list"
	"sync"
)

// DefaultGopherCache is the default budget for cached Gopher views.
const DefaultGopherCache = 32 << 20

// viewCache keeps the Gopher views of the most recently requested pages
// within a byte budget. Rendering a view costs far more than serving it,
// so popular pages are rendered once; the budget keeps a crawler that
// reads every page from doubling the server's memory. It is safe for
// concurrent use; two requests for the same uncached page may both render
// it, which is harmless.
type viewCache struct {
	mu     sync.Mutex
	budget int
	used   int
	order  *list.List // of *cacheEntry, most recent first
	byPath map[string]*list.Element
}

type cacheEntry struct {
	path  string
	views gopherViews
}

func (e *cacheEntry) size() int { return len(e.views.text) + len(e.views.menu) + len(e.path) }

func newViewCache(budget int) *viewCache {
	return &viewCache{budget: budget, order: list.New(), byPath: map[string]*list.Element{}}
}

// get returns the views for path, rendering them with render when they
// are not cached.
func (c *viewCache) get(path string, render func() gopherViews) gopherViews {
	c.mu.Lock()
	if el, ok := c.byPath[path]; ok {
		c.order.MoveToFront(el)
		v := el.Value.(*cacheEntry).views
		c.mu.Unlock()
		return v
	}
	c.mu.Unlock()

	v := render()
	e := &cacheEntry{path: path, views: v}
	if e.size() > c.budget {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byPath[path]; ok { // rendered meanwhile by another request
		c.order.MoveToFront(el)
		return v
	}
	c.byPath[path] = c.order.PushFront(e)
	c.used += e.size()
	for c.used > c.budget {
		last := c.order.Back()
		old := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.byPath, old.path)
		c.used -= old.size()
	}
	return v
}

// len reports the number of cached pages and their bytes, for tests.
func (c *viewCache) len() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.used
}
