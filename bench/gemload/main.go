// Command gemload is a small load generator for Gemini (and Gopher)
// servers: closed loop by default, paced at a fixed rate with -rate. Each
// request is a fresh connection: TCP connect, TLS handshake (Gemini only),
// one request line, read the response to EOF.
//
// It is meant for loopback benchmarking only and every run is bounded both
// in request count and in wall time.
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
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	maxDuration = 60 * time.Second // hard cap on any run
	maxRequests = 10_000_000       // hard cap on any run
)

type result struct {
	lat     time.Duration
	bytes   int64 // response bytes including the header line
	body    int64 // body bytes only
	errKind string
	hs      bool // a TLS handshake completed
	resumed bool
}

type worker struct {
	lats            []time.Duration
	errs            map[string]int
	bytes, bodyMin  int64
	bodyMax         int64
	hs, resumed, ok int
}

func main() {
	rawURL := flag.String("url", "", "gemini://HOST:PORT/path or gopher://HOST:PORT/<type><selector>")
	conc := flag.Int("c", 8, "concurrent connections (workers)")
	n := flag.Int("n", 0, "total requests (0: run for -d)")
	dur := flag.Duration("d", 0, "run duration, max 60s (default 10s; with -n, a time cap defaulting to 60s)")
	insecure := flag.Bool("insecure", false, "accept any server certificate (TOFU-style clients)")
	resume := flag.Bool("resume", false, "share a tls.ClientSessionCache so session resumption is tried")
	keylog := flag.String("keylog", "", "write TLS secrets to this file (off by default; debugging only)")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request deadline")
	connect := flag.String("addr", "", "dial this HOST:PORT instead of the URL's (SNI and request still use the URL)")
	rate := flag.Float64("rate", 0, "requests per second in all, paced (0: as fast as the workers go); -c bounds how many are in flight")
	src := flag.String("src", "", "local address to connect from, e.g. 127.0.0.2 (Linux routes all of 127/8 to loopback)")
	flag.Parse()

	u, err := url.Parse(*rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "gemini" && u.Scheme != "gopher") {
		fatalf("-url must be gemini://HOST[:PORT]/path or gopher://HOST[:PORT]/<type><selector>")
	}
	if *conc < 1 || *conc > 4096 {
		fatalf("-c must be in 1..4096")
	}
	if *rate < 0 || *rate > 1e6 {
		fatalf("-rate must be in 0..1000000")
	}
	dialer := &net.Dialer{Timeout: *timeout}
	if *src != "" {
		ip := net.ParseIP(*src)
		if ip == nil || !ip.IsLoopback() {
			fatalf("-src must be a loopback address")
		}
		dialer.LocalAddr = &net.TCPAddr{IP: ip}
	}
	if *n < 0 || *n > maxRequests {
		fatalf("-n must be in 0..%d", maxRequests)
	}
	switch {
	case *dur == 0 && *n > 0:
		*dur = maxDuration
	case *dur == 0:
		*dur = 10 * time.Second
	case *dur < 0 || *dur > maxDuration:
		fatalf("-d must be in (0, %v]", maxDuration)
	}
	limit := int64(*n)
	if limit == 0 {
		limit = maxRequests
	}

	host := u.Hostname()
	addr := u.Host
	var request []byte
	var tlsConf *tls.Config
	if u.Scheme == "gemini" {
		if u.Port() == "" {
			addr = net.JoinHostPort(host, "1965")
		}
		request = []byte(*rawURL + "\r\n")
		tlsConf = &tls.Config{ServerName: host, InsecureSkipVerify: *insecure, MinVersion: tls.VersionTLS12}
		if *resume {
			tlsConf.ClientSessionCache = tls.NewLRUClientSessionCache(64)
		}
		if *keylog != "" {
			f, err := os.OpenFile(*keylog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
			if err != nil {
				fatalf("keylog: %v", err)
			}
			defer f.Close()
			tlsConf.KeyLogWriter = f
		}
	} else {
		if u.Port() == "" {
			addr = net.JoinHostPort(host, "70")
		}
		// RFC 4266: gopher://host:port/<type><selector>, e.g. /0/file.txt
		// sends the selector "/file.txt"; an empty path sends "".
		sel := strings.TrimPrefix(u.Path, "/")
		if sel != "" {
			sel = sel[1:]
		}
		request = []byte(sel + "\r\n")
	}
	if *connect != "" {
		addr = *connect
	}
	if err := loopbackOnly(addr); err != nil {
		fatalf("%v", err)
	}

	var (
		skipped  atomic.Int64 // paced requests no worker was free for
		issued   atomic.Int64
		tlsInfo  atomic.Pointer[string]
		wg       sync.WaitGroup
		workers  = make([]*worker, *conc)
		start    = time.Now()
		deadline = start.Add(*dur)
	)
	ru0 := cpuTime()
	// With -rate, a pacer hands out one token per 1/rate; a worker waits
	// for one before each request, so the load is the rate, not the
	// server's speed (as long as -c workers suffice).
	var tokens chan struct{}
	if *rate > 0 {
		tokens = make(chan struct{}, *conc)
		go func() {
			// Tokens due are counted from the start, so a late tick makes
			// up for the ones it missed instead of losing them.
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			var sent int64
			for now := range t.C {
				if !now.Before(deadline) {
					break
				}
				due := int64(now.Sub(start).Seconds() * *rate)
				for ; sent < due; sent++ {
					select {
					case tokens <- struct{}{}:
					default: // all workers busy: the request is not sent, and counted
						skipped.Add(1)
					}
				}
			}
			close(tokens)
		}()
	}
	for i := range workers {
		w := &worker{errs: map[string]int{}, bodyMin: -1}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for issued.Add(1) <= limit && time.Now().Before(deadline) {
				if tokens != nil {
					if _, ok := <-tokens; !ok {
						return
					}
				}
				r := doOne(dialer, addr, request, tlsConf, *timeout, &tlsInfo)
				w.add(r)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - ru0

	pacedSkipped = skipped.Load()
	report(u.Scheme, *rawURL, *conc, *resume, elapsed, cpu, workers, tlsInfo.Load())
}

func doOne(d *net.Dialer, addr string, req []byte, conf *tls.Config, timeout time.Duration, info *atomic.Pointer[string]) (r result) {
	t0 := time.Now()
	defer func() { r.lat = time.Since(t0) }()
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		r.errKind = kind("connect", err)
		return
	}
	defer raw.Close()
	raw.SetDeadline(t0.Add(timeout))
	var c net.Conn = raw
	if conf != nil {
		tc := tls.Client(raw, conf)
		if err := tc.Handshake(); err != nil {
			r.errKind = kind("tls", err)
			return
		}
		st := tc.ConnectionState()
		r.hs, r.resumed = true, st.DidResume
		if info.Load() == nil {
			s := fmt.Sprintf("%s %s %s", tls.VersionName(st.Version), st.CurveID, tls.CipherSuiteName(st.CipherSuite))
			info.CompareAndSwap(nil, &s)
		}
		c = tc
		defer tc.Close()
	}
	if _, err := c.Write(req); err != nil {
		r.errKind = kind("write", err)
		return
	}
	br := bufio.NewReaderSize(c, 4096)
	if conf != nil {
		// Gemini: "<2 digit status><space><meta>\r\n", meta at most 1024 bytes.
		line, err := br.ReadSlice('\n')
		r.bytes = int64(len(line))
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				r.errKind = "header-too-long"
			} else {
				r.errKind = kind("header", err)
			}
			return
		}
		if len(line) < 4 || len(line) > 1029 || line[len(line)-2] != '\r' ||
			line[0] < '1' || line[0] > '6' || line[1] < '0' || line[1] > '9' ||
			(line[2] != ' ' && line[2] != '\r') {
			r.errKind = "header-malformed"
			return
		}
		if line[0] != '2' {
			r.errKind = "status-" + string(line[:2])
			io.Copy(io.Discard, br)
			return
		}
	}
	nb, err := io.Copy(io.Discard, br)
	r.body = nb
	r.bytes += nb
	if err != nil {
		r.errKind = kind("body", err)
	} else if conf == nil && nb == 0 {
		r.errKind = "gopher-empty"
	}
	return
}

// loopbackOnly refuses targets off this machine: gemload is for local
// benchmarks, where server and load generator share the host.
func loopbackOnly(addr string) error {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("target %q is not a loopback address (use 127.0.0.1, ::1 or localhost, or -addr)", h)
}

// kind names an error by phase and cause, coarse enough to aggregate.
func kind(phase string, err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return phase + "-timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return phase + "-refused"
	case errors.Is(err, syscall.ECONNRESET):
		return phase + "-reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return phase + "-eof"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return phase + "-no-ports"
	}
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return phase + "-alert"
	}
	var ce *tls.CertificateVerificationError
	if errors.As(err, &ce) {
		return phase + "-cert (try -insecure)"
	}
	return phase + "-other"
}

func (w *worker) add(r result) {
	w.lats = append(w.lats, r.lat)
	if r.hs {
		w.hs++
		if r.resumed {
			w.resumed++
		}
	}
	if r.errKind != "" {
		w.errs[r.errKind]++
		return
	}
	w.ok++
	w.bytes += r.bytes
	if w.bodyMin < 0 || r.body < w.bodyMin {
		w.bodyMin = r.body
	}
	if r.body > w.bodyMax {
		w.bodyMax = r.body
	}
}

func report(scheme, rawURL string, conc int, resume bool, elapsed, cpu time.Duration, ws []*worker, tlsInfo *string) {
	var lats []time.Duration
	errs := map[string]int{}
	var ok, hs, resumed int
	var bytes int64
	bodyMin, bodyMax := int64(-1), int64(0)
	for _, w := range ws {
		lats = append(lats, w.lats...)
		for k, v := range w.errs {
			errs[k] += v
		}
		ok += w.ok
		hs += w.hs
		resumed += w.resumed
		bytes += w.bytes
		if w.bodyMin >= 0 && (bodyMin < 0 || w.bodyMin < bodyMin) {
			bodyMin = w.bodyMin
		}
		bodyMax = max(bodyMax, w.bodyMax)
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	pct := func(p float64) float64 {
		if len(lats) == 0 {
			return 0
		}
		i := int(p*float64(len(lats))+0.5) - 1
		return ms(lats[min(max(i, 0), len(lats)-1)])
	}
	total := len(lats)
	nerr := total - ok
	secs := elapsed.Seconds()
	rps := float64(ok) / secs

	fmt.Printf("url:        %s (c=%d, resume=%v)\n", rawURL, conc, resume)
	if tlsInfo != nil {
		fmt.Printf("tls:        %s\n", *tlsInfo)
	}
	fmt.Printf("requests:   %d in %.2fs, %d ok, %d errors\n", total, secs, ok, nerr)
	if nerr > 0 {
		keys := make([]string, 0, len(errs))
		for k := range errs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Printf("  %-20s %d\n", k, errs[k])
		}
	}
	fmt.Printf("throughput: %.1f req/s ok, %.2f MB/s\n", rps, float64(bytes)/secs/1e6)
	if ok > 0 {
		fmt.Printf("body:       min %d max %d bytes\n", bodyMin, bodyMax)
	}
	fmt.Printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f (all requests)\n",
		pct(0.50), pct(0.90), pct(0.99), pct(1.0))
	resPct := 0.0
	if scheme == "gemini" {
		if hs > 0 {
			resPct = 100 * float64(resumed) / float64(hs)
		}
		fmt.Printf("resumed:    %.1f%% of %d handshakes\n", resPct, hs)
	}
	cpuPerReq := 0.0
	if total > 0 {
		cpuPerReq = float64(cpu.Microseconds()) / float64(total)
	}
	fmt.Printf("client cpu: %.2fs (%.0f us/req; shares the machine with the server)\n", cpu.Seconds(), cpuPerReq)
	if pacedSkipped > 0 {
		fmt.Printf("paced:      %d requests not sent: all workers busy (raise -c)\n", pacedSkipped)
	}
	// One machine-readable line for scripts.
	fmt.Printf("RESULT c=%d resume=%d ok=%d err=%d secs=%.3f rps=%.1f mbps=%.3f p50=%.3f p90=%.3f p99=%.3f max=%.3f resumed_pct=%.1f client_cpu_us_per_req=%.0f skipped=%d\n",
		conc, b2i(resume), ok, nerr, secs, rps, float64(bytes)/secs/1e6, pct(0.5), pct(0.9), pct(0.99), pct(1), resPct, cpuPerReq, pacedSkipped)
}

// pacedSkipped counts the paced requests that found no free worker (set
// before report).
var pacedSkipped int64

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "gemload: "+format+"\n", a...)
	os.Exit(2)
}
