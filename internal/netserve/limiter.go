package netserve

import (
	"math"
	"net/netip"
	"sync"
	"time"
)

// DefaultMaxTracked is how many client addresses a Limiter remembers at
// most. An entry costs about 100 bytes, so the table stays under 7 MB
// whatever a scan from a million addresses does.
const DefaultMaxTracked = 1 << 16

// sweepEvery is how often a Limiter drops entries that carry no state any
// more (a full bucket, no debt, no open connection), so that memory follows
// the clients of the last minutes rather than a peak long past.
const sweepEvery = time.Minute

// Limits are the per-client-address limits. The zero value limits nothing.
type Limits struct {
	// Rate is the sustained number of connections (Gemini and Gopher
	// serve one request per connection) a client address may open per
	// second: the refill rate of its token bucket. Zero or less means no
	// rate limit.
	Rate float64
	// Burst is how many connections an address may open at once above
	// the rate: the size of its bucket. Less than 1 means 1.
	Burst int
	// PerAddress caps the connections an address may hold open at once.
	// Zero or less means no cap.
	PerAddress int
}

func (l Limits) burst() float64 { return float64(max(l.Burst, 1)) }

// Verdict is a Limiter's decision about one new connection.
type Verdict int

// The verdicts, from best to worst.
const (
	// Allow: serve the request.
	Allow Verdict = iota
	// SlowDown: the address is over its rate; answer the protocol's
	// "slow down" (Gemini 44, a Gopher error item) and close.
	SlowDown
	// Drop: the address holds PerAddress connections already, or has
	// gone on sending after Burst "slow down" answers: close at once,
	// before any TLS handshake or other work.
	Drop
)

// String names the verdict for logs.
func (v Verdict) String() string {
	switch v {
	case Allow:
		return "allow"
	case SlowDown:
		return "slow_down"
	}
	return "drop"
}

// Decision is the outcome of Limiter.Admit.
type Decision struct {
	Verdict Verdict
	// Retry is, for SlowDown, when the address will have a token again,
	// rounded up to whole seconds (at least one).
	Retry time.Duration
	// Reason is, for Drop, which limit was hit: "per_address" or "rate".
	Reason string
}

// Limiter enforces Limits per client address: a token bucket for the rate
// and a count of open connections. IPv4 addresses are limited one by one;
// IPv6 addresses by /64, the smallest block a single subscriber is usually
// given. Its memory is bounded by MaxTracked entries whatever the number of
// addresses seen.
//
// Requests over the rate get "slow down" answers while their count, which
// drains at the same rate, stays under Burst; an address that keeps sending
// regardless is dropped before any TLS handshake. So a client slightly too
// fast is told how long to wait, and a flood costs the server little more
// than an accept and a close per connection.
//
// A Limiter may be shared by several Servers (Gemini and Gopher), so that
// one client address has one budget. Its methods are safe for concurrent
// use.
type Limiter struct {
	mu         sync.Mutex
	limits     Limits
	maxTracked int
	now        func() time.Time
	entries    map[netip.Addr]*entry
	lastSweep  time.Time
}

// entry is the state of one client address (or IPv6 /64).
type entry struct {
	tokens float64   // available tokens, at most Burst
	debt   float64   // recent refusals, draining at Rate
	last   time.Time // when tokens and debt were last brought up to date
	conns  int       // connections open
}

// NewLimiter returns a Limiter enforcing l, remembering at most
// DefaultMaxTracked addresses.
func NewLimiter(l Limits) *Limiter {
	return newLimiter(l, DefaultMaxTracked, time.Now)
}

func newLimiter(l Limits, maxTracked int, now func() time.Time) *Limiter {
	return &Limiter{limits: l, maxTracked: max(maxTracked, 1), now: now, entries: make(map[netip.Addr]*entry)}
}

// SetLimits changes the limits for every address from now on (on SIGHUP).
// Tokens an address holds are capped to the new Burst.
func (l *Limiter) SetLimits(lim Limits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits = lim
	for _, e := range l.entries {
		e.tokens = min(e.tokens, lim.burst())
	}
}

// Limits returns the limits in force.
func (l *Limiter) Limits() Limits {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limits
}

// Tracked returns how many addresses the Limiter remembers.
func (l *Limiter) Tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// Admit decides about a new connection from addr. Unless the verdict is
// Drop, the connection counts against the address until Release(addr).
func (l *Limiter) Admit(addr netip.Addr) Decision {
	k := limitKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	lim := l.limits
	e := l.entries[k]
	if e == nil {
		l.makeRoom(now)
		e = &entry{tokens: lim.burst(), last: now}
		l.entries[k] = e
	}
	l.refill(e, now)
	if lim.PerAddress > 0 && e.conns >= lim.PerAddress {
		return Decision{Verdict: Drop, Reason: "per_address"}
	}
	d := Decision{Verdict: Allow}
	if lim.Rate > 0 {
		switch {
		case e.tokens >= 1:
			e.tokens--
		case e.debt+1 <= lim.burst():
			e.debt++
			secs := math.Ceil((1 - e.tokens) / lim.Rate)
			d = Decision{Verdict: SlowDown, Retry: time.Duration(max(secs, 1)) * time.Second}
		default:
			return Decision{Verdict: Drop, Reason: "rate"}
		}
	}
	e.conns++
	return d
}

// Release ends a connection Admit let in (Allow or SlowDown).
func (l *Limiter) Release(addr netip.Addr) {
	k := limitKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.entries[k]; e != nil && e.conns > 0 {
		e.conns--
	}
}

// refill brings e's tokens and debt up to now.
func (l *Limiter) refill(e *entry, now time.Time) {
	dt := now.Sub(e.last).Seconds()
	if dt <= 0 {
		return
	}
	e.last = now
	if r := l.limits.Rate; r > 0 {
		e.tokens = min(l.limits.burst(), e.tokens+dt*r)
		e.debt = max(0, e.debt-dt*r)
	}
}

// idle reports whether e carries nothing that a fresh entry would not:
// forgetting it changes no decision.
func (l *Limiter) idle(e *entry, now time.Time) bool {
	l.refill(e, now)
	return e.conns == 0 && e.debt == 0 && (l.limits.Rate <= 0 || e.tokens >= l.limits.burst())
}

// makeRoom is called before a new address is added. Once a minute, or when
// the table is full, it drops idle entries; if the table is still full, it
// forgets entries without open connections, in the map's random order,
// until one fits. Forgetting an address only ever forgives it: it starts
// again with a full bucket. Entries with open connections are never dropped
// (their count must stay right), and there are at most as many of them as
// connections open, far fewer than maxTracked.
func (l *Limiter) makeRoom(now time.Time) {
	full := len(l.entries) >= l.maxTracked
	if full && now.Sub(l.lastSweep) >= time.Second || now.Sub(l.lastSweep) >= sweepEvery {
		l.lastSweep = now
		for k, e := range l.entries {
			if l.idle(e, now) {
				delete(l.entries, k)
			}
		}
	}
	for k, e := range l.entries {
		if len(l.entries) < l.maxTracked {
			return
		}
		if e.conns == 0 {
			delete(l.entries, k)
		}
	}
}

// limitKey is the unit an address is limited by: the IPv4 address, or the
// IPv6 /64 it is in. IPv4-mapped IPv6 addresses count as IPv4.
func limitKey(a netip.Addr) netip.Addr {
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, err := a.Prefix(64)
		if err == nil {
			return p.Addr()
		}
	}
	return a
}
