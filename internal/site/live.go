package site

import "sync/atomic"

// Live holds the current Site and serves every protocol from it. A request
// takes the site once at its start and uses it to the end, so a swap never
// tears a response. The zero value holds no site and answers every request
// with a temporary failure; it is safe for concurrent use.
type Live struct {
	cur atomic.Pointer[Site]
}

// Load returns the current site, or nil before the first Store.
func (l *Live) Load() *Site { return l.cur.Load() }

// Store makes s the current site.
func (l *Live) Store(s *Site) { l.cur.Store(s) }
