package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gemclient "git.sr.ht/~adnano/go-gemini"

	"broadside/internal/check"
	"broadside/internal/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkNow is the moment the golden check runs at.
var checkNow = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)

// refuseLowPorts stands in for a user who may not bind ports below 1024.
func refuseLowPorts(int) error { return errors.New("this user cannot bind it") }

// golden compares got with testdata/NAME, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update after checking):\n%s", file, got)
	}
}

// writeCert writes a self-signed pair for host into dir, valid between
// the two times.
func writeCert(t *testing.T, dir, host string, notBefore, notAfter time.Time) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if dir != "" {
		os.MkdirAll(dir, 0o700)
		os.WriteFile(filepath.Join(dir, host+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
		os.WriteFile(filepath.Join(dir, host+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// checkSite copies testdata/check into a temporary folder with an expired
// certificate, and moves into it, as an author runs check next to the
// config.
func checkSite(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "check"))); err != nil {
		t.Fatal(err)
	}
	writeCert(t, filepath.Join(dir, "certs"), "localhost", checkNow.AddDate(-2, 0, 0), checkNow.AddDate(0, 0, -1))
	t.Chdir(dir)
}

// TestCheckGolden runs check on a site with one problem of each kind and
// compares the text and the JSON output with the golden files.
func TestCheckGolden(t *testing.T) {
	wd, _ := os.Getwd()
	var out, errOut bytes.Buffer
	checkSite(t)
	env := checkEnv{now: checkNow, bind: refuseLowPorts}
	if err := runCheck(nil, &out, &errOut, env); !errors.Is(err, errFound) {
		t.Errorf("check returned %v, want errFound (exit 1)", err)
	}
	var jsonOut bytes.Buffer
	runCheck([]string{"-json"}, &jsonOut, io.Discard, env)
	os.Chdir(wd) // golden files are read and written from the package folder
	golden(t, "check.golden", out.Bytes())
	golden(t, "check.json.golden", jsonOut.Bytes())
	if !strings.HasSuffix(errOut.String(), "11 errors, 22 warnings\n") {
		t.Errorf("summary on stderr: %q", errOut.String())
	}

	// The JSON holds the same problems as the text, with every field.
	var ds []diag.Diagnostic
	if err := json.Unmarshal(jsonOut.Bytes(), &ds); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range ds {
		if d.Code == "" || d.File == "" || d.Message == "" {
			t.Errorf("JSON diagnostic lacks a field: %+v", d)
		}
		lines = append(lines, d.String())
	}
	if strings.Join(lines, "\n")+"\n" != out.String() {
		t.Errorf("JSON and text outputs differ")
	}
	// Every problem kind the site was built to show is there.
	codes := map[string]bool{}
	for _, d := range ds {
		codes[d.Code] = true
	}
	for _, code := range []string{
		"config/public-localhost", "config/privileged-port", "config/redirect-shadows", "cert/expired",
		"frontmatter/unknown-key", "frontmatter/type", "frontmatter/date", "frontmatter/syntax", "frontmatter/unclosed",
		"frontmatter/draft-fallback", "frontmatter/tags", "capsule/encoding", "capsule/no-title", "capsule/tag-spelling",
		"capsule/alias", "capsule/slug", "capsule/path-taken", "capsule/unpublished", "capsule/link-outside",
		"link/missing", "link/draft", "link/scheduled",
	} {
		if !codes[code] {
			t.Errorf("no %s problem in the output", code)
		}
	}
}

// TestCheckConfigErrors: a config that does not load is reported, every
// problem at its line, and nothing else is checked.
func TestCheckConfigErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("config.toml", []byte("titel = \"x\"\n[gemini]\nlisten = 42\ncert = \"c\"\n"), 0o644)
	var out bytes.Buffer
	if err := runCheck(nil, &out, io.Discard, checkEnv{now: checkNow}); !errors.Is(err, errFound) {
		t.Errorf("check returned %v, want errFound", err)
	}
	want := "config.toml:1: error: titel: unknown key, did you mean title?\n" +
		"config.toml:3: error: gemini.listen: want a string, got an integer\n" +
		"config.toml:4: error: gemini.cert: unknown key, did you mean gemini.certs?\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	if code := run([]string{"check", "-config", "missing.toml"}, &out, io.Discard); code != 1 || !strings.HasPrefix(out.String(), "missing.toml: error: read config") {
		t.Errorf("missing config: exit %d, %q", code, out.String())
	}
}

// TestCheckSample: the sample capsule checks clean and silent.
func TestCheckSample(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"check", "-config", "../../config.toml"}, &out, &errOut)
	if code != 0 || out.Len() != 0 || errOut.Len() != 0 {
		t.Errorf("check on the sample exited %d, printed:\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	run([]string{"check", "-json", "-config", "../../config.toml"}, &out, &errOut)
	if out.String() != "[]\n" {
		t.Errorf("check -json on the sample: %q", out.String())
	}
}

// TestCheckExternal runs check -external against a go-gemini server on
// loopback: a broken link is an error at its line, the summary goes to
// stderr, and links that work say nothing.
func TestCheckExternal(t *testing.T) {
	cert := writeCert(t, "", "127.0.0.1", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	mux := &gemclient.Mux{}
	mux.HandleFunc("/ok", func(ctx context.Context, w gemclient.ResponseWriter, r *gemclient.Request) {
		io.WriteString(w, "# ok\n")
	})
	mux.HandleFunc("/old", func(ctx context.Context, w gemclient.ResponseWriter, r *gemclient.Request) {
		w.WriteHeader(gemclient.StatusPermanentRedirect, "/ok")
	})
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &gemclient.Server{Handler: mux, ErrorLog: log.New(io.Discard, "", 0)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		srv.Serve(ctx, tls.NewListener(raw, &tls.Config{Certificates: []tls.Certificate{*cert}}))
		close(done)
	}()
	defer func() { cancel(); srv.Close(); <-done }()
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()

	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("config.toml", []byte("[gemini]\nlisten = \"127.0.0.1:1965\"\n[gopher]\nlisten = \"\"\n"), 0o644)
	os.MkdirAll("capsule", 0o755)
	base := "gemini://" + raw.Addr().String()
	os.WriteFile(filepath.Join("capsule", "links.gmi"), []byte("# Links\n=> "+base+"/ok fine\n=> "+base+"/old moved\n=> "+
		base+"/nope missing\n=> gemini://"+deadAddr+"/ down\n"), 0o644)
	var out, errOut bytes.Buffer
	err = runCheck([]string{"-external"}, &out, &errOut, checkEnv{now: time.Now(), ext: check.ExternalOptions{Timeout: 5 * time.Second}})
	if !errors.Is(err, errFound) {
		t.Errorf("check -external returned %v, want errFound", err)
	}
	want := "capsule/links.gmi:4:4: error: link " + base + "/nope: answers 51 Not found\n" +
		"capsule/links.gmi:5:4: warning: link gemini://" + deadAddr + "/: dial tcp " + deadAddr + ": connect: connection refused\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant\n%s", out.String(), want)
	}
	if !strings.Contains(errOut.String(), "external links: 4 checked, 2 fine, 1 failed (5x), 0 temporary failures (4x), 1 unreachable ("+deadAddr+")") {
		t.Errorf("summary: %q", errOut.String())
	}
	// Without -external nothing is requested and the capsule is clean.
	out.Reset()
	if err := runCheck(nil, &out, io.Discard, checkEnv{now: time.Now()}); err != nil || out.Len() != 0 {
		t.Errorf("check without -external: %v, %q", err, out.String())
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"posts/a.md:1: error: fine", "posts/a.md:1: error: fine"},
		{"posts/\x1b[31mred.md: warning: x", `posts/\x1b[31mred.md: warning: x`},
		{"a\u0085b\tc", `a\x85b\x09c`},
		{"é 日本", "é 日本"},
	}
	for _, tt := range tests {
		if got := printable(tt.in); got != tt.want {
			t.Errorf("printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
