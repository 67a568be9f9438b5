package check

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gemini "git.sr.ht/~adnano/go-gemini"

	"broadside/internal/capsule"
)

// localServer runs a go-gemini server on 127.0.0.1 with pages for every
// answer External tells apart, and returns its address and how many
// requests it has answered.
func localServer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	var served atomic.Int64
	mux := &gemini.Mux{}
	page := func(status gemini.Status, meta string) gemini.HandlerFunc {
		return func(ctx context.Context, w gemini.ResponseWriter, r *gemini.Request) {
			served.Add(1)
			w.WriteHeader(status, meta)
			if status == gemini.StatusSuccess {
				io.WriteString(w, "# ok\n")
			}
		}
	}
	mux.Handle("/ok", page(gemini.StatusSuccess, "text/gemini"))
	mux.Handle("/missing", page(gemini.StatusNotFound, "Not found"))
	mux.Handle("/gone", page(gemini.StatusGone, "Gone for good"))
	mux.Handle("/busy", page(gemini.StatusSlowDown, "30"))
	mux.Handle("/rude", page(gemini.StatusNotFound, "gone \x1b[31mred\x1b[0m"+strings.Repeat("x", 600)))
	mux.Handle("/input", page(gemini.StatusInput, "Your name?"))
	mux.Handle("/moved", page(gemini.StatusPermanentRedirect, "/ok"))
	mux.Handle("/moved-away", page(gemini.StatusRedirect, "https://example.org/"))
	mux.Handle("/loop", page(gemini.StatusRedirect, "/loop2"))
	mux.Handle("/loop2", page(gemini.StatusRedirect, "/loop"))
	mux.HandleFunc("/slow", func(ctx context.Context, w gemini.ResponseWriter, r *gemini.Request) {
		served.Add(1)
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := &gemini.Server{Handler: mux, GetCertificate: func(string) (*tls.Certificate, error) { return cert, nil },
		ErrorLog: log.New(io.Discard, "", 0)}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(raw, &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })
	return ln.Addr().String(), &served
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestExternal(t *testing.T) {
	addr, served := localServer(t)
	dead := closedAddr(t)
	base := "gemini://" + addr
	link := func(u string, line int) capsule.Link { return capsule.Link{Target: u, Written: u, Line: line, Col: 4} }
	docs := []*capsule.Doc{
		{Source: "a.gmi", Links: []capsule.Link{
			link(base+"/ok", 1), link(base+"/missing", 2), link(base+"/gone", 3), link(base+"/busy", 4),
			link(base+"/input", 5), link(base+"/moved", 6), link(base+"/moved-away", 7), link(base+"/loop", 8),
			link(base+"/slow", 9), link("gemini://"+dead+"/a", 10), link("gemini://"+dead+"/b", 11), link(base+"/rude", 13),
			link("/posts/x.gmi", 12), // internal: not ours
		}},
		{Source: "b.md", Links: []capsule.Link{link(base+"/missing#frag", 3), link(base+"/ok", 4)}},
	}
	start := time.Now()
	ds, sum := External(context.Background(), docs, ExternalOptions{Timeout: 500 * time.Millisecond, Concurrency: 4})
	if time.Since(start) > 20*time.Second {
		t.Errorf("External took %v", time.Since(start))
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.String()+" ["+d.Code+"]")
	}
	want := []string{
		"a.gmi:2:4: error: link " + base + "/missing: answers 51 Not found [link/external-failed]",
		"a.gmi:3:4: error: link " + base + "/gone: answers 52 Gone for good [link/external-failed]",
		"a.gmi:4:4: warning: link " + base + "/busy: answers 44 30 [link/external-temporary]",
		"a.gmi:8:4: error: link " + base + "/loop: redirects in a loop [link/external-failed]",
		"a.gmi:9:4: warning: link " + base + "/slow: no answer within 500ms [link/external-unreachable]",
		"a.gmi:10:4: warning: link gemini://" + dead + "/a: ",
		"a.gmi:11:4: warning: link gemini://" + dead + "/b: ",
		"a.gmi:13:4: error: link " + base + "/rude: answers 51 gone \ufffd[31mred\ufffd[0mxxx",
		"b.md:3:4: error: link " + base + "/missing: answers 51 Not found [link/external-failed]",
	}
	if len(got) != len(want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("got  %s\nwant %s", got[i], want[i])
		}
	}
	if sum.URLs != 12 || sum.Failed != 4 || sum.Temporary != 1 || sum.Unreachable != 3 ||
		strings.Join(sum.Hosts, ",") != dead {
		t.Errorf("summary %+v: %s", sum, sum)
	}
	// Distinct URLs only (/missing#frag is /missing, /ok is asked once),
	// two hops for /moved and for the loop, nothing more for the dead
	// host once it refused.
	if n := served.Load(); n != 12 {
		t.Errorf("the server answered %d requests, want 12", n)
	}
	for _, d := range ds {
		if strings.ContainsRune(d.Message, 0x1b) || len(d.Message) > 400 {
			t.Errorf("a server's answer reaches the output raw: %q", d.Message)
		}
	}
}

func TestExternalCancelled(t *testing.T) {
	addr, _ := localServer(t)
	docs := []*capsule.Doc{{Source: "a.gmi", Links: []capsule.Link{{Target: "gemini://" + addr + "/slow", Line: 1}}}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() {
		ds, _ := External(ctx, docs, ExternalOptions{Timeout: time.Minute})
		if len(ds) != 1 || ds[0].Code != CodeExternalUnreachable {
			t.Errorf("cancelled check: %v", ds)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("External ignored its context")
	}
}
