package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clientCert makes a self-signed client certificate, as Lagrange makes an
// identity, and returns it with the hex SHA-256 the config names it by.
func clientCert(t *testing.T, name string) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, hex.EncodeToString(sum[:])
}

// titanSend sends a Titan request line and then body (which may be shorter
// or longer than the size the line declares) with cert, if any, and
// returns the response header.
func titanSend(t *testing.T, addr string, cert *tls.Certificate, line, body string) string {
	t.Helper()
	conf := &tls.Config{InsecureSkipVerify: true}
	if cert != nil {
		conf.Certificates = []tls.Certificate{*cert}
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, conf)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.WriteString(conn, line+"\r\n"+body); err != nil {
		t.Fatal(err)
	}
	// A short body: tell the server nothing more is coming.
	conn.CloseWrite()
	b, _ := io.ReadAll(conn)
	header, _, _ := strings.Cut(string(b), "\r\n")
	return header
}

// TestTitanUploads publishes, replaces and deletes articles over a real
// TLS socket with real client certificates, and checks every refusal the
// issue lists leaves the capsule as it was.
func TestTitanUploads(t *testing.T) {
	cfgPath := testSite(t)
	dir := filepath.Dir(cfgPath)
	editor, editorSum := clientCert(t, "Editor")
	guest, guestSum := clientCert(t, "Guest")
	stranger, _ := clientCert(t, "Stranger")
	extra := fmt.Sprintf(`
[titan]
enabled = true
max_size = 4096

[[titan.authors]]
name = "Editor"
certificate = "%s"

[[titan.authors]]
name = "Guest"
certificate = "%s"
paths = ["/posts/guest/"]
`, editorSum, guestSum)
	f, err := os.OpenFile(cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(extra)
	f.Close()
	s := startServe(t, cfgPath)
	defer s.stop(t)
	host := "localhost:" + s.port()
	capsule := filepath.Join(dir, "capsule")
	snapshot := func() map[string]string {
		out := map[string]string{}
		filepath.WalkDir(capsule, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				out[p] = string(b)
			}
			return nil
		})
		return out
	}

	article := "---\ntitle: Sent from a client\ndate: 2026-11-30\ntags: [titan]\n---\n\nWritten in Lagrange.\n"
	line := func(p string, size int) string {
		return fmt.Sprintf("titan://%s%s;mime=text/markdown;size=%d", host, p, size)
	}

	// Refusals: nothing is written.
	before := snapshot()
	for _, tt := range []struct {
		name   string
		cert   *tls.Certificate
		line   string
		body   string
		status string
	}{
		{"no certificate", nil, line("/posts/x.md", len(article)), article, "60 "},
		{"unknown certificate", &stranger, line("/posts/x.md", len(article)), article, "61 "},
		{"outside the author's paths", &guest, line("/posts/x.md", len(article)), article, "61 "},
		{"escape", &editor, line("/posts/../../config.toml", len(article)), article, "59 "},
		{"hidden", &editor, line("/.hidden.md", len(article)), article, "59 "},
		{"oversize", &editor, line("/posts/big.md", 5000), strings.Repeat("x", 5000), "59 "},
		{"short body", &editor, line("/posts/short.md", len(article)+50), article, "59 "},
		{"broken front matter", &editor, line("/posts/broken.md", 30), "---\ntitle: [unclosed\n---\nx\n", "59 "},
	} {
		if got := titanSend(t, host, tt.cert, tt.line, tt.body); !strings.HasPrefix(got, tt.status) {
			t.Errorf("%s: %q, want %s", tt.name, got, tt.status)
		}
	}
	if after := snapshot(); len(after) != len(before) {
		t.Fatalf("a refused upload changed the capsule: %d files, was %d", len(after), len(before))
	}

	// An authorised upload is live when the client follows the redirect.
	got := titanSend(t, host, &guest, line("/posts/guest/from-lagrange.gmi", len(article)), article)
	if got != "30 gemini://"+host+"/posts/guest/from-lagrange.gmi" {
		t.Fatalf("upload answered %q", got)
	}
	if h, body := rawGemini(t, s.gemini, "gemini://"+host+"/posts/guest/from-lagrange.gmi\r\n"); !strings.HasPrefix(h, "20 ") || !strings.Contains(body, "Written in Lagrange.") {
		t.Errorf("uploaded article not served: %q\n%s", h, body)
	}
	if _, idx := rawGemini(t, s.gemini, "gemini://"+host+"/\r\n"); !strings.Contains(idx, "2026-11-30 Sent from a client") {
		t.Errorf("uploaded article not on the index:\n%s", idx)
	}

	// Replacing keeps the previous version in the state folder.
	edited := strings.Replace(article, "Written in Lagrange.", "Edited in Lagrange.", 1)
	if got := titanSend(t, host, &guest, line("/posts/guest/from-lagrange.md", len(edited)), edited); !strings.HasPrefix(got, "30 ") {
		t.Fatalf("replace answered %q", got)
	}
	hist := filepath.Join(dir, "state", "history", "posts", "guest", "from-lagrange.md")
	kept, _ := os.ReadDir(hist)
	if len(kept) != 1 {
		t.Fatalf("history holds %d versions, want 1", len(kept))
	}
	if b, _ := os.ReadFile(filepath.Join(hist, kept[0].Name())); string(b) != article {
		t.Errorf("kept version %q", b)
	}
	if _, body := rawGemini(t, s.gemini, "gemini://"+host+"/posts/guest/from-lagrange.gmi\r\n"); !strings.Contains(body, "Edited in Lagrange.") {
		t.Errorf("edit not served:\n%s", body)
	}

	// A zero-size upload deletes, into the history as well.
	if got := titanSend(t, host, &editor, line("/posts/guest/from-lagrange.md", 0), ""); got != "30 gemini://"+host+"/posts/guest/" {
		t.Fatalf("delete answered %q", got)
	}
	if h, _ := rawGemini(t, s.gemini, "gemini://"+host+"/posts/guest/from-lagrange.gmi\r\n"); !strings.HasPrefix(h, "51") {
		t.Errorf("deleted article still served: %q", h)
	}
	if kept, _ := os.ReadDir(hist); len(kept) != 2 {
		t.Errorf("history holds %d versions after the delete, want 2", len(kept))
	}
	if fi, err := os.Stat(filepath.Join(dir, "state")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("state folder: %v %v", fi.Mode(), err)
	}
	for _, want := range []string{`msg="titan upload published" author=Guest file=posts/guest/from-lagrange.md`, `msg="titan upload deleted" author=Editor`, `msg="titan upload refused" author=Guest`} {
		if !strings.Contains(s.log.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}
