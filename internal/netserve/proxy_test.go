package netserve

import (
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"
)

// proxyHeader returns a PROXY header of version v claiming src.
func proxyHeader(t testing.TB, v byte, src string) []byte {
	t.Helper()
	s := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(src))
	d := &net.TCPAddr{IP: s.IP, Port: 1965}
	if s.IP.To4() == nil {
		d.IP = net.ParseIP("2001:db8::1")
	} else {
		d.IP = net.ParseIP("192.0.2.1")
	}
	b, err := proxyproto.HeaderProxyFromAddrs(v, s, d).Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// viaProxy connects from the local address from, writes pre and line,
// and returns the answer.
func viaProxy(t testing.TB, from, addr string, pre []byte, line string) string {
	t.Helper()
	c := dialFrom(t, from, addr)
	defer c.Close()
	c.Write(pre)
	io.WriteString(c, line)
	b, _ := io.ReadAll(c)
	return string(b)
}

func newProxyServer(t *testing.T, logs *logBuffer, lim *Limiter) string {
	t.Helper()
	s := &Server{Proto: "test", Handler: newLineProto(), Logger: logs.logger(), Limiter: lim}
	s.Configure(Settings{Proxy: true, Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		ClientAddr: AddrFull, ReadTimeout: 300 * time.Millisecond})
	return startServer(t, s)
}

// TestProxyProtocol: v1 and v2 headers from a trusted peer give the client
// address to the access log; from an untrusted peer, or without a valid
// header, the connection is closed unanswered.
func TestProxyProtocol(t *testing.T) {
	for _, tt := range []struct {
		name       string
		from       string // local address to connect from
		pre        []byte
		wantAnswer bool
		wantClient string
	}{
		{"v1 ipv4 from trusted", "127.0.0.1", proxyHeader(t, 1, "203.0.113.7:5555"), true, "203.0.113.7:5555"},
		{"v2 ipv4 from trusted", "127.0.0.1", proxyHeader(t, 2, "203.0.113.8:6666"), true, "203.0.113.8:6666"},
		{"v2 ipv6 from trusted", "127.0.0.1", proxyHeader(t, 2, "[2001:db8:5::9]:7777"), true, "[2001:db8:5::9]:7777"},
		{"v1 ipv6 from trusted", "127.0.0.1", proxyHeader(t, 1, "[2001:db8:5::a]:7778"), true, "[2001:db8:5::a]:7778"},
		{"v2 local command keeps the peer", "127.0.0.1", []byte("\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"), true, "127.0.0.1:"},
		{"v1 unknown keeps the peer", "127.0.0.1", []byte("PROXY UNKNOWN\r\n"), true, "127.0.0.1:"},
		{"v1 from untrusted", "127.0.0.2", proxyHeader(t, 1, "203.0.113.9:1"), false, ""},
		{"v2 from untrusted", "127.0.0.2", proxyHeader(t, 2, "203.0.113.9:1"), false, ""},
		{"no header", "127.0.0.1", nil, false, ""},
		{"malformed v1", "127.0.0.1", []byte("PROXY TCP4 999.1.1.1 1.1.1.1 1 2\r\n"), false, ""},
		{"v1 without crlf", "127.0.0.1", []byte("PROXY TCP4 1.1.1.1 1.1.1.1 1 2 " + strings.Repeat("x", 200)), false, ""},
		{"truncated v2", "127.0.0.1", proxyHeader(t, 2, "203.0.113.9:1")[:20], false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs logBuffer
			addr := newProxyServer(t, &logs, nil)
			got := viaProxy(t, tt.from, addr, tt.pre, "/p\n")
			if tt.wantAnswer != (got == "hello /p\n") {
				t.Fatalf("answer %q, want answered %v", got, tt.wantAnswer)
			}
			if !tt.wantAnswer {
				if recs := logs.records(t, "request"); len(recs) != 0 {
					t.Errorf("refused connection has access records: %v", recs)
				}
				return
			}
			waitFor(t, "access record", func() bool { return len(logs.records(t, "request")) == 1 })
			if c, _ := logs.records(t, "request")[0]["client"].(string); !strings.HasPrefix(c, tt.wantClient) {
				t.Errorf("client %q, want %q", c, tt.wantClient)
			}
		})
	}
}

// TestProxyHeaderTimeout: a trusted peer that sends no header is closed
// when the read timeout passes.
func TestProxyHeaderTimeout(t *testing.T) {
	var logs logBuffer
	addr := newProxyServer(t, &logs, nil)
	c := dialFrom(t, "127.0.0.1", addr)
	defer c.Close()
	if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
		t.Errorf("silent peer: %q, %v; want a close", b, err)
	}
}

// TestProxyLimitsSeeClients: the limits apply to the address in the
// header, not to the load balancer: one client over its rate is slowed
// down while another, through the same proxy, is served.
func TestProxyLimitsSeeClients(t *testing.T) {
	var logs logBuffer
	addr := newProxyServer(t, &logs, NewLimiter(Limits{Rate: 0.01, Burst: 2, PerAddress: 16}))
	flood := proxyHeader(t, 2, "203.0.113.50:1000")
	for i := range 2 {
		if got := viaProxy(t, "127.0.0.1", addr, flood, "/p\n"); got != "hello /p\n" {
			t.Fatalf("request %d within the burst: %q", i, got)
		}
	}
	if got := viaProxy(t, "127.0.0.1", addr, flood, "/p\n"); !strings.HasPrefix(got, "slow down") {
		t.Errorf("flooding client: %q, want slow down", got)
	}
	if got := viaProxy(t, "127.0.0.1", addr, proxyHeader(t, 1, "198.51.100.4:2000"), "/p\n"); got != "hello /p\n" {
		t.Errorf("other client through the same proxy: %q, want served", got)
	}
}
