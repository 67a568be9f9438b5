package netserve

import (
	"encoding/binary"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// fakeClock is a settable time source.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimiter(l Limits, maxTracked int) (*Limiter, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return newLimiter(l, maxTracked, clk.now), clk
}

var (
	addrA = netip.MustParseAddr("192.0.2.1")
	addrB = netip.MustParseAddr("192.0.2.2")
)

func TestLimiterRate(t *testing.T) {
	l, clk := newTestLimiter(Limits{Rate: 2, Burst: 4}, 100)
	admit := func(a netip.Addr) Decision {
		d := l.Admit(a)
		if d.Verdict != Drop {
			l.Release(a)
		}
		return d
	}
	for i := range 4 {
		if d := admit(addrA); d.Verdict != Allow {
			t.Fatalf("request %d within the burst: %+v", i, d)
		}
	}
	// Over the rate: told to slow down, for as long as it takes to earn a
	// token (half a second at 2/s, rounded up to a second).
	for i := range 4 {
		if d := admit(addrA); d.Verdict != SlowDown || d.Retry != time.Second {
			t.Fatalf("refusal %d: %+v, want slow down, retry 1s", i, d)
		}
	}
	// Still sending after Burst refusals: dropped before any work.
	if d := admit(addrA); d.Verdict != Drop || d.Reason != "rate" {
		t.Fatalf("after burst refusals: %+v, want drop", d)
	}
	// Another address is not affected.
	if d := admit(addrB); d.Verdict != Allow {
		t.Errorf("other address: %+v", d)
	}
	// Waiting as told earns a token back.
	clk.advance(500 * time.Millisecond)
	if d := admit(addrA); d.Verdict != Allow {
		t.Errorf("after waiting for a token: %+v", d)
	}
	// A client a little over the rate keeps being served at the rate and
	// told to slow down for the rest, never dropped.
	l2, clk2 := newTestLimiter(Limits{Rate: 10, Burst: 5}, 100)
	counts := map[Verdict]int{}
	for range 110 * 10 { // 11 requests a second for 100 s
		d := l2.Admit(addrA)
		counts[d.Verdict]++
		if d.Verdict != Drop {
			l2.Release(addrA)
		}
		clk2.advance(time.Second / 11)
	}
	if counts[Drop] != 0 || counts[Allow] < 990 || counts[SlowDown] == 0 {
		t.Errorf("11/s against 10/s: %v, want about 1000 allowed, some slowed down, none dropped", counts)
	}
}

func TestLimiterPerAddress(t *testing.T) {
	l, _ := newTestLimiter(Limits{PerAddress: 3}, 100)
	for range 3 {
		if d := l.Admit(addrA); d.Verdict != Allow {
			t.Fatalf("%+v", d)
		}
	}
	if d := l.Admit(addrA); d.Verdict != Drop || d.Reason != "per_address" {
		t.Errorf("fourth connection: %+v, want drop per_address", d)
	}
	if d := l.Admit(addrB); d.Verdict != Allow {
		t.Errorf("other address: %+v", d)
	}
	l.Release(addrA)
	if d := l.Admit(addrA); d.Verdict != Allow {
		t.Errorf("after a release: %+v", d)
	}
}

func TestLimitKey(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"192.0.2.1", "::ffff:192.0.2.1"},
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"},
		{"fe80::1%eth0", "fe80::2"},
	} {
		if ka, kb := limitKey(netip.MustParseAddr(tt.a)), limitKey(netip.MustParseAddr(tt.b)); ka != kb {
			t.Errorf("%s and %s limited apart (%v, %v), want together", tt.a, tt.b, ka, kb)
		}
	}
	for _, tt := range []struct{ a, b string }{
		{"192.0.2.1", "192.0.2.2"},
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
	} {
		if limitKey(netip.MustParseAddr(tt.a)) == limitKey(netip.MustParseAddr(tt.b)) {
			t.Errorf("%s and %s limited together, want apart", tt.a, tt.b)
		}
	}
	// One /64 is one client: its 2^64 addresses share one cap.
	l, _ := newTestLimiter(Limits{PerAddress: 2}, 100)
	l.Admit(netip.MustParseAddr("2001:db8::1"))
	l.Admit(netip.MustParseAddr("2001:db8::2"))
	if d := l.Admit(netip.MustParseAddr("2001:db8::3")); d.Verdict != Drop {
		t.Errorf("third address of one /64: %+v, want drop", d)
	}
}

func TestLimiterSetLimits(t *testing.T) {
	l, _ := newTestLimiter(Limits{Rate: 1, Burst: 100, PerAddress: 100}, 100)
	l.Admit(addrA)
	l.SetLimits(Limits{Rate: 1, Burst: 1, PerAddress: 1})
	if d := l.Admit(addrA); d.Verdict != Drop || d.Reason != "per_address" {
		t.Errorf("after lowering per_address to 1: %+v", d)
	}
	l.Release(addrA)
	// The bucket was capped to the new burst of 1: one token was left.
	if d := l.Admit(addrA); d.Verdict != Allow {
		t.Errorf("first after lowering the burst: %+v", d)
	}
	l.Release(addrA)
	if d := l.Admit(addrA); d.Verdict != SlowDown {
		t.Errorf("second after lowering the burst: %+v, want slow down", d)
	}
	if got := l.Limits(); got.Burst != 1 {
		t.Errorf("Limits() = %+v", got)
	}
}

func TestLimiterDisabled(t *testing.T) {
	l, _ := newTestLimiter(Limits{}, 100)
	for range 10000 {
		if d := l.Admit(addrA); d.Verdict != Allow {
			t.Fatalf("zero limits refused: %+v", d)
		}
	}
}

// TestLimiterMemoryBounded scans from a million addresses, each over its
// limit (so none is idle): the table never holds more than maxTracked
// entries, the heap does not grow with the scan, and addresses with open
// connections are never forgotten.
func TestLimiterMemoryBounded(t *testing.T) {
	const maxTracked = 1000
	l, clk := newTestLimiter(Limits{Rate: 1, Burst: 1, PerAddress: 1}, maxTracked)
	held := netip.MustParseAddr("198.51.100.7")
	l.Admit(held)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 1_000_000
	if testing.Short() || raceEnabled {
		n = 50_000 // the race detector makes a million take many seconds
	}
	var b [16]byte
	b[0] = 0x20
	for i := range n {
		binary.BigEndian.PutUint32(b[4:8], uint32(i)) // a new /64 each time
		a := netip.AddrFrom16(b)
		l.Admit(a)
		l.Release(a)
		l.Admit(a) // slow down: the entry has debt, it is not idle
		l.Release(a)
		if i%1000 == 0 {
			if got := l.Tracked(); got > maxTracked {
				t.Fatalf("after %d addresses: %d tracked, want at most %d", i, got, maxTracked)
			}
			clk.advance(time.Millisecond)
		}
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("heap grew by %d bytes over the scan", grew)
	}
	if d := l.Admit(held); d.Verdict != Drop || d.Reason != "per_address" {
		t.Errorf("an address with an open connection was forgotten: %+v", d)
	}
	// A minute later the sweep forgets idle entries.
	clk.advance(2 * sweepEvery)
	l.Admit(addrA)
	if got := l.Tracked(); got > 3 {
		t.Errorf("%d entries after the sweep, want the held one and the new one", got)
	}
}
