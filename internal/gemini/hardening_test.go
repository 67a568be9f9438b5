package gemini

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"

	"broadside/internal/netserve"
)

// TestLoneKeyOrCertificate: a key without its certificate (what a crash
// during the first start leaves) or a certificate without its key stops
// the start with a message that says what happened and the command that
// recovers, and nothing is written next to the lone file.
func TestLoneKeyOrCertificate(t *testing.T) {
	for _, lone := range []string{"localhost.key", "localhost.crt"} {
		t.Run(lone, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, lone)
			if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadCertificates(dir, "localhost", nil)
			if err == nil || !strings.Contains(err.Error(), "run: rm "+path) || !strings.Contains(err.Error(), "restore") {
				t.Errorf("err = %v, want the file named and the rm command", err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("folder holds %d files, want only the lone one", len(entries))
			}
		})
	}
	if got := shellQuote("/srv/my certs/it's.key"); got != `'/srv/my certs/it'\''s.key'` {
		t.Errorf("shellQuote = %s", got)
	}
}

// TestStaleTempRemoved: temporary files left by a crash while writing a
// key are removed at start; other files stay.
func TestStaleTempRemoved(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".tmp-localhost.key-123456")
	other := filepath.Join(dir, "README")
	for _, f := range []string{stale, other} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadCertificates(dir, "localhost", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("other file removed: %v", err)
	}
}

// TestTLS12OnlyAEAD: a TLS 1.2 client offering only CBC suites is refused;
// one offering AES-GCM or ChaCha20-Poly1305 is served.
func TestTLS12OnlyAEAD(t *testing.T) {
	certs, err := LoadCertificates(t.TempDir(), "localhost", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Hostnames: []string{"localhost"}, TLSConfig: certs.TLSConfig(), Handler: testHandler()}
	addr := startTLSServer(t, s)
	for _, tt := range []struct {
		name  string
		suite uint16
		ok    bool
	}{
		{"cbc sha1", tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, false},
		{"cbc sha256", tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, false},
		{"aes gcm", tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true},
		{"chacha20", tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: testBound}, "tcp", addr, &tls.Config{
				InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tt.suite}})
			if err == nil {
				c.Close()
			}
			if (err == nil) != tt.ok {
				t.Errorf("handshake error %v, want success %v", err, tt.ok)
			}
		})
	}
}

// TestHandshakeTimeout: a client that connects and never completes the
// TLS handshake (sends nothing, or half a ClientHello) is disconnected
// when the read timeout passes, and logged as a timeout.
func TestHandshakeTimeout(t *testing.T) {
	for _, tt := range []struct {
		name string
		send []byte
	}{
		{"nothing", nil},
		{"half a hello", []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			s := newTLSTestServer(testHandler())
			s.Settings = netserve.Settings{ReadTimeout: 200 * time.Millisecond}
			s.Logger = newJSONLogger(&logs)
			addr := startTLSServer(t, s)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write(tt.send)
			c.SetDeadline(time.Now().Add(testBound))
			if _, err := io.ReadAll(c); err != nil {
				t.Fatalf("read: %v, want the server to close", err)
			}
			deadline := time.Now().Add(testBound)
			for len(logs.String()) == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			rec := lastRecord(t, &logs)
			if rec["status"] != "timeout" || !strings.Contains(rec["error"].(string), "tls handshake") {
				t.Errorf("record %v, want a handshake timeout", rec)
			}
		})
	}
}

// TestProxyProtocolV2: behind a load balancer sending PROXY v2 before the
// TLS handshake, the handler and the access log see the client's address
// from the header; a direct connection without a header is refused.
func TestProxyProtocolV2(t *testing.T) {
	var logs syncBuffer
	remote := make(chan string, 1)
	s := newTLSTestServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		remote <- r.RemoteAddr.String()
		w.WriteHeader(StatusSuccess, "text/plain")
	}))
	s.Settings = netserve.Settings{Proxy: true, Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, ClientAddr: netserve.AddrFull}
	s.Logger = newJSONLogger(&logs)
	addr := startTLSServer(t, s)
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	hdr := proxyproto.HeaderProxyFromAddrs(2, &net.TCPAddr{IP: net.ParseIP("203.0.113.7"), Port: 40000}, &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 1965})
	if _, err := hdr.WriteTo(raw); err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	defer c.Close()
	c.SetDeadline(time.Now().Add(testBound))
	_, port, _ := net.SplitHostPort(addr)
	io.WriteString(c, "gemini://localhost:"+port+"/\r\n")
	if b, _ := io.ReadAll(c); !strings.HasPrefix(string(b), "20 ") {
		t.Fatalf("through the proxy: %q", b)
	}
	if got := <-remote; got != "203.0.113.7:40000" {
		t.Errorf("handler saw %s, want the address from the header", got)
	}
	deadline := time.Now().Add(testBound)
	for !strings.Contains(logs.String(), `"client":"203.0.113.7:40000"`) {
		if time.Now().After(deadline) {
			t.Fatalf("access log lacks the client from the header: %s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Without a header, a client is not served, even over valid TLS.
	d, err := tls.DialWithDialer(&net.Dialer{Timeout: testBound}, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		d.Close()
		t.Error("a direct TLS connection without a PROXY header was accepted")
	}
}
