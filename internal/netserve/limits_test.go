package netserve

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestFloodingAddressSlowedDown: over real sockets, an address sending
// far more than its rate is told to slow down and then dropped, while a
// second address is served normally.
func TestFloodingAddressSlowedDown(t *testing.T) {
	var logs logBuffer
	s := &Server{Proto: "test", Handler: newLineProto(), Logger: logs.logger(),
		Limiter: NewLimiter(Limits{Rate: 1, Burst: 5, PerAddress: 100})}
	addr := startServer(t, s)
	answers := map[string]int{}
	for range 30 {
		a := get(t, "127.0.0.2", addr, "/flood")
		switch {
		case a == "hello /flood\n":
			answers["ok"]++
		case strings.HasPrefix(a, "slow down "):
			answers["slow"]++
		case a == "":
			answers["dropped"]++
		default:
			t.Fatalf("unexpected answer %q", a)
		}
	}
	// Burst 5 served; the next 5 told to slow down (debt up to Burst);
	// the rest dropped, give or take the tokens earned meanwhile.
	if answers["ok"] < 5 || answers["slow"] < 5 || answers["dropped"] == 0 {
		t.Errorf("flooding address got %v, want about 5 served, 5 slowed down, the rest dropped", answers)
	}
	if got := get(t, "127.0.0.1", addr, "/other"); got != "hello /other\n" {
		t.Errorf("other address got %q, want served", got)
	}
	s.Shutdown(t.Context())
	recs := logs.records(t, "connections refused by limits")
	if len(recs) == 0 || recs[0]["rate"] == nil {
		t.Errorf("rate drops not summarised: %v", recs)
	}
	slowed := 0
	for _, r := range logs.records(t, "request") {
		if r["status"] == "slow_down" {
			slowed++
		}
	}
	if slowed != answers["slow"] {
		t.Errorf("%d slow-down answers logged, %d seen", slowed, answers["slow"])
	}
}

// TestIdleFloodDoesNotDelayOthers: one address opening many silent
// connections gets per_address of them; the rest are closed at once, and
// another address is answered while they are held.
func TestIdleFloodDoesNotDelayOthers(t *testing.T) {
	s := &Server{Proto: "test", Handler: newLineProto(),
		Limiter: NewLimiter(Limits{PerAddress: 16})}
	s.Configure(Settings{Connections: 64, ReadTimeout: time.Hour})
	addr := startServer(t, s)
	var flood []net.Conn
	for range 200 {
		c := dialFrom(t, "127.0.0.2", addr)
		defer c.Close()
		flood = append(flood, c)
	}
	// Connections beyond the cap are closed by the server, promptly
	// (well before the hour-long read timeout): dropped, or, when the
	// goroutines of a loaded machine lag the accept loop, refused busy.
	var closed atomic.Int32
	for _, c := range flood {
		go func() {
			if n, err := c.Read(make([]byte, 1)); n > 0 || err == io.EOF || errors.Is(err, syscall.ECONNRESET) {
				closed.Add(1)
			}
		}()
	}
	waitFor(t, "flood connections beyond the cap closed", func() bool { return closed.Load() == 200-16 })
	if idle, _ := s.count(); idle != 16 {
		t.Errorf("%d idle connections held, want per_address = 16", idle)
	}
	if got := get(t, "127.0.0.1", addr, "/reader"); got != "hello /reader\n" {
		t.Errorf("other address got %q, want served", got)
	}
}
