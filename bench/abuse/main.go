// Command abuse is the hostile client of bench/abuse.sh: it does to a
// Broadside server on this machine what an attacker with a laptop would
// (hold idle connections, read slowly or not at all) and says what the
// server answered. Every run is bounded in connections and in time, and
// it talks to loopback addresses only.
//
//	abuse idle -addr HOST:PORT [-src IP | -srcs N] -n N -hold DURATION
//	abuse get  -url URL [-addr HOST:PORT] [-src IP]
//	abuse slow -url URL [-addr HOST:PORT] -n N -rate BYTES_PER_S -for DURATION [-want BYTES]
package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	maxConns = 20000
	maxTime  = 2 * time.Minute
)

func main() {
	if len(os.Args) < 2 {
		fatalf("usage: abuse idle|get|slow [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := fs.String("addr", "", "HOST:PORT to connect to (default: the URL's)")
	rawURL := fs.String("url", "", "gemini://HOST:PORT/path or gopher://HOST:PORT/<type><selector>")
	src := fs.String("src", "", "local address to connect from (127.0.0.2...)")
	srcs := fs.Int("srcs", 0, "spread connections over this many source addresses, 127.1.0.1 and up")
	n := fs.Int("n", 1, "connections")
	hold := fs.Duration("hold", 5*time.Second, "idle: how long to hold the connections")
	rate := fs.Int("rate", 0, "slow: bytes per second each reader takes (0: reads nothing)")
	dur := fs.Duration("for", 10*time.Second, "slow: how long to read")
	want := fs.Int64("want", 0, "slow: the full response size, to tell complete from cut")
	fs.Parse(os.Args[2:])
	if *n < 1 || *n > maxConns || *hold > maxTime || *dur > maxTime {
		fatalf("-n must be 1..%d, -hold and -for at most %v", maxConns, maxTime)
	}
	t := target{addr: *addr}
	if *rawURL != "" {
		t.parseURL(*rawURL)
	}
	if err := loopbackOnly(t.addr); err != nil {
		fatalf("%v", err)
	}
	sources := sourceList(*src, *srcs)
	switch os.Args[1] {
	case "idle":
		idle(t, sources, *n, *hold)
	case "get":
		get(t, sources[0])
	case "slow":
		slow(t, sources, *n, *rate, *dur, *want)
	default:
		fatalf("unknown command %q", os.Args[1])
	}
}

// target is where to connect and what to ask.
type target struct {
	addr    string
	tls     *tls.Config // Gemini; nil for Gopher
	request string
}

func (t *target) parseURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "gemini" && u.Scheme != "gopher") {
		fatalf("-url must be gemini:// or gopher://")
	}
	if t.addr == "" {
		t.addr = u.Host
	}
	if u.Scheme == "gemini" {
		t.tls = &tls.Config{InsecureSkipVerify: true, ServerName: u.Hostname()}
		t.request = raw + "\r\n"
		return
	}
	sel := strings.TrimPrefix(u.Path, "/")
	if sel != "" {
		sel = sel[1:]
	}
	t.request = sel + "\r\n"
}

func sourceList(src string, n int) []net.IP {
	if n > 0 {
		var out []net.IP
		for i := range n {
			out = append(out, net.IPv4(127, 1, byte(i/250), byte(i%250+1)))
		}
		return out
	}
	if src == "" {
		return []net.IP{nil}
	}
	ip := net.ParseIP(src)
	if ip == nil || !ip.IsLoopback() {
		fatalf("-src must be a loopback address")
	}
	return []net.IP{ip}
}

func dial(addr string, src net.IP) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	if src != nil {
		d.LocalAddr = &net.TCPAddr{IP: src}
	}
	return d.Dial("tcp", addr)
}

// idle opens n connections that never send anything and holds them.
func idle(t target, sources []net.IP, n int, hold time.Duration) {
	var refused, closed atomic.Int64
	var conns []net.Conn
	start := time.Now()
	for i := range n {
		c, err := dial(t.addr, sources[i%len(sources)])
		if err != nil {
			refused.Add(1)
			continue
		}
		conns = append(conns, c)
	}
	opened := time.Since(start)
	var wg sync.WaitGroup
	deadline := start.Add(hold)
	for _, c := range conns {
		wg.Go(func() {
			c.SetReadDeadline(deadline)
			if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
				closed.Add(1) // EOF or reset: the server closed it
			}
			c.Close()
		})
	}
	wg.Wait()
	fmt.Printf("idle: %d connections from %d addresses (opened in %v): %d not accepted, %d closed by the server within %v, %d still open\n",
		n, len(sources), opened.Round(time.Millisecond), refused.Load(), closed.Load(), hold,
		int64(len(conns))-closed.Load())
}

// get makes one request and prints what came back.
func get(t target, src net.IP) {
	start := time.Now()
	c, err := dial(t.addr, src)
	if err != nil {
		fmt.Printf("get: connect failed after %v: %v\n", time.Since(start).Round(time.Millisecond), short(err))
		return
	}
	defer c.Close()
	c.SetDeadline(start.Add(30 * time.Second))
	if t.tls != nil {
		tc := tls.Client(c, t.tls)
		if err := tc.Handshake(); err != nil {
			fmt.Printf("get: TLS handshake failed after %v: %v\n", time.Since(start).Round(time.Millisecond), short(err))
			return
		}
		c = tc
	}
	io.WriteString(c, t.request)
	br := bufio.NewReader(c)
	first, _ := br.ReadString('\n')
	rest, err := io.Copy(io.Discard, br)
	took := time.Since(start).Round(time.Millisecond)
	if first == "" {
		fmt.Printf("get: no answer after %v (%v)\n", took, short(err))
		return
	}
	fmt.Printf("get: %q, %d bytes, %v\n", strings.TrimRight(first, "\r\n"), int64(len(first))+rest, took)
}

// slow runs n readers that take rate bytes a second each (none at 0).
func slow(t target, sources []net.IP, n, rate int, dur time.Duration, want int64) {
	got := make([]int64, n)
	ends := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got[i], ends[i] = slowOne(t, sources[i%len(sources)], rate, dur, want)
		})
	}
	wg.Wait()
	count := map[string]int{}
	for _, e := range ends {
		count[e]++
	}
	slices.Sort(got)
	fmt.Printf("slow: %d readers at %d B/s for %v: bytes min %d median %d max %d; endings %v\n",
		n, rate, dur, got[0], got[n/2], got[n-1], count)
}

func slowOne(t target, src net.IP, rate int, dur time.Duration, want int64) (int64, string) {
	c, err := dial(t.addr, src)
	if err != nil {
		return 0, "connect-failed"
	}
	defer c.Close()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetReadBuffer(64 << 10) // a modest window, like a real slow link
	}
	deadline := time.Now().Add(dur)
	c.SetDeadline(deadline)
	if t.tls != nil {
		tc := tls.Client(c, t.tls)
		if err := tc.Handshake(); err != nil {
			return 0, "tls-failed"
		}
		c = tc
	}
	io.WriteString(c, t.request)
	if rate == 0 {
		time.Sleep(time.Until(deadline))
		return 0, "stalled"
	}
	var total int64
	step := max(rate/10, 1)
	buf := make([]byte, step)
	start := time.Now()
	for {
		m, err := io.ReadFull(c, buf)
		total += int64(m)
		switch {
		case err == nil:
		case isTimeout(err):
			return total, "reading-at-deadline"
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			if want > 0 && total < want {
				return total, "cut-short"
			}
			return total, "complete"
		default:
			return total, "error"
		}
		// Pace by the clock: never ahead of rate bytes a second.
		time.Sleep(time.Until(start.Add(time.Duration(float64(total) / float64(rate) * float64(time.Second)))))
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func short(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, io.EOF):
		return "closed"
	case isTimeout(err):
		return "timeout"
	}
	return err.Error()
}

func loopbackOnly(addr string) error {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("target %q is not a loopback address", h)
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "abuse: "+format+"\n", a...)
	os.Exit(2)
}
