package gemini

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gemclient "git.sr.ht/~adnano/go-gemini"
)

// TestCertificatesCreateAndReuse checks the files LoadCertificates makes
// on first start and that a second start reuses them.
func TestCertificatesCreateAndReuse(t *testing.T) {
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs")
			var logs syncBuffer
			c1, err := LoadCertificates(dir, host, newJSONLogger(&logs))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), "created self-signed certificate") {
				t.Errorf("creation not logged: %s", logs.String())
			}
			wantMode := map[string]os.FileMode{dir: 0o700 | os.ModeDir, host + ".key": 0o600, host + ".crt": 0o644}
			for name, want := range wantMode {
				if name != dir {
					name = filepath.Join(dir, name)
				}
				fi, err := os.Stat(name)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode() != want {
					t.Errorf("%s mode = %v, want %v", name, fi.Mode(), want)
				}
			}
			leaf := c1.set.Load().def.Leaf
			key, ok := leaf.PublicKey.(*ecdsa.PublicKey)
			if !ok || key.Curve != elliptic.P256() {
				t.Errorf("public key %T, want ECDSA P-256", leaf.PublicKey)
			}
			if leaf.Subject.CommonName != host {
				t.Errorf("CN = %q, want %q", leaf.Subject.CommonName, host)
			}
			if err := leaf.VerifyHostname(host); err != nil {
				t.Errorf("SAN does not cover %s: %v", host, err)
			}
			if ip := net.ParseIP(host); ip != nil && len(leaf.IPAddresses) != 1 {
				t.Errorf("IP SANs = %v, want one", leaf.IPAddresses)
			}
			if leaf.NotAfter.Before(time.Now().AddDate(99, 0, 0)) || leaf.NotBefore.After(time.Now()) {
				t.Errorf("validity %v to %v, want from now-1h for 100 years", leaf.NotBefore, leaf.NotAfter)
			}

			var logs2 syncBuffer
			c2, err := LoadCertificates(dir, host, newJSONLogger(&logs2))
			if err != nil {
				t.Fatal(err)
			}
			if c2.Fingerprint() != c1.Fingerprint() {
				t.Errorf("second load fingerprint %s, want the first one %s", c2.Fingerprint(), c1.Fingerprint())
			}
			if strings.Contains(logs2.String(), "created") {
				t.Errorf("second load created a certificate: %s", logs2.String())
			}
		})
	}
}

// TestCertificatesErrors checks that a half pair, a bad host name and a
// broken extra pair are refused, and that Reload keeps the old set.
func TestCertificatesErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "localhost.key"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCertificates(dir, "localhost", nil); err == nil || !strings.Contains(err.Error(), "has no certificate") {
		t.Errorf("half pair: err = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "localhost.crt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("half pair: a certificate was written next to the lone key")
	}
	for _, bad := range []string{"", "../evil", ".hidden"} {
		if _, err := LoadCertificates(t.TempDir(), bad, nil); err == nil {
			t.Errorf("host name %q accepted", bad)
		}
	}

	dir = t.TempDir()
	c, err := LoadCertificates(dir, "localhost", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := c.Fingerprint()
	for _, name := range []string{"broken.crt", "broken.key"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("not pem"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	err = c.Reload()
	if err == nil || !strings.Contains(err.Error(), "broken.crt") {
		t.Errorf("Reload with a broken pair: err = %v, want one naming broken.crt", err)
	}
	if c.Fingerprint() != before {
		t.Error("failed Reload replaced the certificate set")
	}
}

// writePair writes a generated pair for name into dir.
func writePair(t *testing.T, dir, name string) {
	t.Helper()
	crt, key, err := generateCertificate(name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".crt"), crt, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// startTLSServer serves s on 127.0.0.1:0 and returns the address; the
// server is shut down when the test ends.
func startTLSServer(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(context.Background(), l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-errc; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

// TestRealTLS runs the server on a real socket with generated certificates
// and talks to it with go-gemini's Client and with raw tls.Dial.
func TestRealTLS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	certs, err := LoadCertificates(dir, "localhost", nil)
	if err != nil {
		t.Fatal(err)
	}
	writePair(t, dir, "other.test")
	if err := certs.Reload(); err != nil {
		t.Fatal(err)
	}
	s := &Server{
		Hostnames: []string{"localhost", "127.0.0.1", "other.test"},
		TLSConfig: certs.TLSConfig(),
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			w.WriteHeader(StatusSuccess, "text/plain; charset=utf-8")
			client := "none"
			if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
				client = fingerprint(r.TLS.PeerCertificates[0])
			}
			fmt.Fprintf(w, "sni=%s client=%s", r.TLS.ServerName, client)
		}),
	}
	addr := startTLSServer(t, s)
	_, port, _ := net.SplitHostPort(addr)
	filesBefore, _ := os.ReadDir(dir)

	t.Run("go-gemini client with client certificate", func(t *testing.T) {
		spy := new(rawEOFSpy)
		client := &gemclient.Client{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			spy.Conn = c
			return spy, err
		}}
		req, err := gemclient.NewRequest("gemini://localhost:" + port + "/")
		if err != nil {
			t.Fatal(err)
		}
		clientCert := newTestCert(t, "reader")
		req.Certificate = &clientCert
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		defer cancel()
		resp, err := client.Do(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		// Read by hand to see the error that ends the body: io.EOF, not
		// io.ErrUnexpectedEOF (go-gemini reports the first error once).
		var body []byte
		buf := make([]byte, 64)
		for {
			n, err := resp.Body.Read(buf)
			body = append(body, buf[:n]...)
			if err != nil {
				if err != io.EOF {
					t.Errorf("body ended with %v, want io.EOF", err)
				}
				break
			}
		}
		if spy.failed.Load() {
			t.Error("the socket closed before the TLS layer saw close_notify")
		}
		if resp.Status != gemclient.StatusSuccess || resp.Meta != "text/plain; charset=utf-8" {
			t.Errorf("got %d %q", resp.Status, resp.Meta)
		}
		want := "sni=localhost client=" + fingerprint(clientCert.Leaf)
		if string(body) != want {
			t.Errorf("body %q, want %q (the client certificate must reach the handler)", body, want)
		}
		if got := fingerprint(resp.TLS().PeerCertificates[0]); got != certs.Fingerprint() {
			t.Errorf("served certificate %s, want the default %s", got, certs.Fingerprint())
		}
		if v := resp.TLS().Version; v != tls.VersionTLS13 {
			t.Errorf("TLS version %x, want 1.3 preferred", v)
		}
	})

	tests := []struct {
		name     string
		sni      string // "" sends no SNI
		host     string // in the request URI
		wantCert string // "default" or "other"
		wantHead string
		wantBody string
	}{
		{"no sni", "", "127.0.0.1", "default", "20 text/plain; charset=utf-8", "sni= client=none"},
		{"unknown sni", "evil.example", "evil.example", "default", "53 host not served here", ""},
		{"other pair by sni", "other.test", "other.test", "other", "20 text/plain; charset=utf-8", "sni=other.test client=none"},
		{"sni case-insensitive", "LocalHost", "localhost", "default", "20 text/plain; charset=utf-8", "sni=LocalHost client=none"},
	}
	other, err := tls.LoadX509KeyPair(filepath.Join(dir, "other.test.crt"), filepath.Join(dir, "other.test.key"))
	if err != nil {
		t.Fatal(err)
	}
	wantFP := map[string]string{"default": certs.Fingerprint(), "other": fingerprint(other.Leaf)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			spy := &rawEOFSpy{Conn: raw}
			// ServerName "" with InsecureSkipVerify sends no SNI at all.
			c := tls.Client(spy, &tls.Config{InsecureSkipVerify: true, ServerName: tt.sni})
			defer c.Close()
			c.SetDeadline(time.Now().Add(testBound))
			if _, err := fmt.Fprintf(c, "gemini://%s/\r\n", net.JoinHostPort(tt.host, port)); err != nil {
				t.Fatal(err)
			}
			all, err := io.ReadAll(c)
			if err != nil || spy.failed.Load() {
				t.Errorf("connection did not end with close_notify (read error %v)", err)
			}
			if got := fingerprint(c.ConnectionState().PeerCertificates[0]); got != wantFP[tt.wantCert] {
				t.Errorf("served certificate %s, want the %s one", got, tt.wantCert)
			}
			head, body, _ := strings.Cut(string(all), "\r\n")
			if head != tt.wantHead || body != tt.wantBody {
				t.Errorf("got %q %q, want %q %q", head, body, tt.wantHead, tt.wantBody)
			}
		})
	}

	t.Run("no certificate file for a client-chosen name", func(t *testing.T) {
		filesAfter, _ := os.ReadDir(dir)
		names := func(es []os.DirEntry) []string {
			var out []string
			for _, e := range es {
				out = append(out, e.Name())
			}
			return out
		}
		if !slices.Equal(names(filesBefore), names(filesAfter)) {
			t.Errorf("certificate folder changed from %v to %v", names(filesBefore), names(filesAfter))
		}
	})

	t.Run("tls 1.1 refused", func(t *testing.T) {
		c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11})
		if err == nil {
			c.Close()
			t.Error("handshake with TLS 1.1 succeeded")
		}
	})
}

// TestShutdown checks that Shutdown refuses new connections at once, lets
// an in-flight request finish, and then returns.
func TestShutdown(t *testing.T) {
	certs, err := LoadCertificates(t.TempDir(), "localhost", nil)
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	s := &Server{
		Hostnames: []string{"localhost"},
		TLSConfig: certs.TLSConfig(),
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			close(started)
			<-release
			w.WriteHeader(StatusSuccess, "text/plain")
			io.WriteString(w, "finished")
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.Serve(context.Background(), l) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		client := &gemclient.Client{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		defer cancel()
		resp, err := client.Get(ctx, "gemini://localhost:"+strings.Split(addr, ":")[1]+"/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started

	shutdownErr := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		defer cancel()
		shutdownErr <- s.Shutdown(ctx)
	}()
	if err := <-serveErr; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v, want ErrServerClosed", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("a new connection was accepted after Shutdown")
	}
	select {
	case err := <-shutdownErr:
		t.Fatalf("Shutdown returned %v while a request was in flight", err)
	default:
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request got %q, %v; want it to finish", r.body, r.err)
	}
	if err := <-shutdownErr; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
}

// TestShutdownDeadline checks that when Shutdown's context ends first the
// remaining requests are cancelled and Shutdown reports it.
func TestShutdownDeadline(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan struct{})
	s := newTestServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		close(started)
		<-r.Context().Done()
		close(cancelled)
	}))
	cp, sp := net.Pipe()
	defer cp.Close()
	done := make(chan struct{})
	go func() {
		s.ServeConn(context.Background(), sp)
		close(done)
	}()
	go cp.Write([]byte("gemini://localhost/\r\n"))
	go io.Copy(io.Discard, cp)
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	for _, ch := range []chan struct{}{cancelled, done} {
		select {
		case <-ch:
		case <-time.After(testBound):
			t.Fatal("in-flight request not cancelled by Shutdown's deadline")
		}
	}
}

// TestCertificateFolderTightened: a certs folder that exists with open
// permissions (as a git checkout leaves it) is restricted to its owner.
func TestCertificateFolderTightened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // whatever the umask
	if _, err := LoadCertificates(dir, "localhost", nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("certs folder mode %v, want 0700", fi.Mode().Perm())
	}
}
