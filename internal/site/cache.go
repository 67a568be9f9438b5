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
// Documents' bodies are kept here too, each under its own key, so that a
// page rebuilt because a neighbour changed, and the feeds, find the body
// without reading the file again. A body can be pinned: the last good
// version of a file whose newer version is broken cannot be read from disk
// any more, so Build pins its body while it stands in (see SetPins).
//
// It is safe for concurrent use; two requests for the same missing key may
// both build it, which is harmless.
type Cache struct {
	mu     sync.Mutex
	budget int
	used   int
	pinned int        // bytes of pinned entries, counted in used too
	order  *list.List // of *cacheEntry, most recent first
	byKey  map[string]*list.Element
}

type cacheEntry struct {
	key    string
	deps   []any
	val    any
	size   int
	pinned bool
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
	v, _ := c.getErr(key, deps, func() (any, int, error) {
		v, size := build()
		return v, size, nil
	})
	return v
}

// getErr is get for a build that may fail: a value built with an error
// is returned with it and not kept.
func (c *Cache) getErr(key string, deps []any, build func() (any, int, error)) (any, error) {
	if v, ok := c.peek(key, deps); ok {
		return v, nil
	}
	v, size, err := build()
	if err != nil {
		return v, err
	}
	c.put(key, deps, v, size)
	return v, nil
}

// peek returns the value under key if it was built from deps equal to
// these, marking it as just used.
func (c *Cache) peek(key string, deps []any) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		e := el.Value.(*cacheEntry)
		if sameDeps(e.deps, deps) {
			c.order.MoveToFront(el)
			return e.val, true
		}
	}
	return nil, false
}

// put keeps v under key, built from deps, dropping the least recently used
// entries (pinned ones aside) to stay within the budget.
func (c *Cache) put(key string, deps []any, v any, size int) {
	e := &cacheEntry{key: key, deps: deps, val: v, size: size + len(key) + 16*len(deps) + 64}
	if e.size > c.budget-c.pinnedBytes() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.remove(el)
	}
	c.byKey[key] = c.order.PushFront(e)
	c.used += e.size
	for el := c.order.Back(); c.used > c.budget && el != nil; {
		prev := el.Prev()
		if !el.Value.(*cacheEntry).pinned {
			c.remove(el)
		}
		el = prev
	}
}

func (c *Cache) pinnedBytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pinned
}

// remove drops an entry; c.mu is held.
func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.order.Remove(el)
	delete(c.byKey, e.key)
	c.used -= e.size
	if e.pinned {
		c.pinned -= e.size
	}
}

// MaxPinned is the share of the budget that pinned entries may take: past
// it, entries are not pinned (and a body that cannot be read again is read
// in its newer version; see capsule.Snapshot.Body).
const MaxPinned = 0.25

// SetPins makes the entries under the keys of pins, built from the deps
// given there, exempt from eviction, and every other entry evictable
// again. Entries that are not cached cannot be pinned; it reports which
// keys it pinned.
func (c *Cache) SetPins(pins map[string][]any) map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	done := map[string]bool{}
	for el := c.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*cacheEntry)
		if e.pinned && !sameDeps(pins[e.key], e.deps) {
			e.pinned = false
			c.pinned -= e.size
		}
		if e.pinned {
			done[e.key] = true
		}
	}
	for key, deps := range pins {
		el, ok := c.byKey[key]
		if !ok || done[key] {
			continue
		}
		e := el.Value.(*cacheEntry)
		if !sameDeps(e.deps, deps) || float64(c.pinned+e.size) > MaxPinned*float64(c.budget) {
			continue
		}
		e.pinned = true
		c.pinned += e.size
		done[key] = true
	}
	return done
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

// Budget is the most bytes the cache holds.
func (c *Cache) Budget() int { return c.budget }

// Len reports the number of cached entries and their bytes.
func (c *Cache) Len() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.used
}
