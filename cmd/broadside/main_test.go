package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gemclient "git.sr.ht/~adnano/go-gemini"

	"broadside/internal/frontmatter"
	"broadside/internal/gopher/gophertest"
)

// syncBuffer is a bytes.Buffer safe for the server's logger and the test
// reading it at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testSite writes a config and copies the sample capsule into a temporary
// folder, returning the config path.
func testSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "capsule"), os.DirFS("../../capsule")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.toml")
	body := `title = "E2E"
hostname = "localhost"
author = "Tester"
removed = ["/posts/gone.gmi"]

[gemini]
listen = "127.0.0.1:0"

[gopher]
listen = "127.0.0.1:0"
`
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

var addrRE = regexp.MustCompile(`msg="serving (gemini|gopher)" addr=(\S+)`)

type server struct {
	gemini, gopher string // bound addresses
	log            *syncBuffer
	done           chan int
}

// startServe runs "broadside serve" in-process on loopback ports and waits
// until both servers listen.
func startServe(t *testing.T, cfg string) *server {
	t.Helper()
	return startCommand(t, "serve", cfg)
}

// startCommand runs serve or preview in-process and waits until both
// servers listen.
func startCommand(t *testing.T, cmd, cfg string) *server {
	t.Helper()
	s := &server{log: &syncBuffer{}, done: make(chan int, 1)}
	go func() { s.done <- run([]string{cmd, "-config", cfg}, io.Discard, s.log) }()
	deadline := time.Now().Add(10 * time.Second)
	for s.gemini == "" || s.gopher == "" {
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d:\n%s", code, s.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", s.log)
		}
		for _, m := range addrRE.FindAllStringSubmatch(s.log.String(), -1) {
			if m[1] == "gemini" {
				s.gemini = m[2]
			} else {
				s.gopher = m[2]
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// stop sends SIGTERM, as an operator would, and checks the clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("serve exited %d after SIGTERM:\n%s", code, s.log)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("serve did not stop after SIGTERM:\n%s", s.log)
	}
}

func (s *server) port() string {
	_, p, _ := net.SplitHostPort(s.gemini)
	return p
}

// rawGemini sends line over TLS without SNI and returns the header and
// body, checking that the server ended with close_notify.
func rawGemini(t *testing.T, addr, line string) (string, string) {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.WriteString(conn, line); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(conn) // io.EOF only after close_notify
	if err != nil {
		t.Fatalf("%q: reading response: %v (no close_notify?)", line, err)
	}
	header, body, _ := strings.Cut(string(b), "\r\n")
	return header, body
}

func TestServeEndToEnd(t *testing.T) {
	cfg := testSite(t)
	s := startServe(t, cfg)
	host := "localhost:" + s.port()

	// A real client: go-gemini's, trusting on first use as clients do.
	var seen *x509.Certificate
	client := &gemclient.Client{TrustCertificate: func(_ string, c *x509.Certificate) error { seen = c; return nil }}
	client.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, s.gemini)
	}
	for _, tt := range []struct {
		path   string
		status gemclient.Status
		meta   string
		body   string
	}{
		{"/", 20, "text/gemini; charset=utf-8; lang=en", "=> /posts/2026-11-20-bulletin-47.gmi 2026-11-20 Bulletin #47: when the mirrors go dark\n"},
		{"/posts/2026-09-25-bienvenue.gmi", 20, "text/gemini; charset=utf-8; lang=fr", "Le texte brut"},
		{"/tags/small-web/", 20, "text/gemini; charset=utf-8; lang=en", "# small-web\n"},
		{"/atom.xml", 20, "application/atom+xml", "<feed"},
		{"/images/mirrors.png", 20, "image/png", "\x89PNG"},
		{"/notes.gmi", 20, "text/gemini; charset=utf-8; lang=en", "# Editor's notes"},
		{"/bulletins/46.gmi", 31, "/posts/2026-11-13-bulletin-46.gmi", ""},
		{"/posts/draft-bulletin-48.gmi", 51, "Not found", ""},
		{"/posts/gone.gmi", 52, "Gone", ""},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp, err := client.Get(ctx, "gemini://"+host+tt.path)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if err != nil {
			t.Errorf("%s: body: %v", tt.path, err)
		}
		if resp.Status != tt.status || resp.Meta != tt.meta {
			t.Errorf("%s: %d %q, want %d %q", tt.path, resp.Status, resp.Meta, tt.status, tt.meta)
		}
		if !strings.Contains(string(body), tt.body) {
			t.Errorf("%s: body lacks %q", tt.path, tt.body)
		}
		if tt.path == "/atom.xml" {
			if err := xml.Unmarshal(body, new(struct{})); err != nil {
				t.Errorf("feed is not XML: %v", err)
			}
		}
	}
	if seen == nil || seen.PublicKeyAlgorithm != x509.ECDSA || len(seen.DNSNames) != 1 || seen.DNSNames[0] != "localhost" {
		t.Errorf("certificate: %+v", seen)
	}

	// The same server answers Gopher: a menu that lints, an article.
	menu := gopherFetch(t, s.gopher, "/")
	if err := gophertest.LintMenu([]byte(menu)); err != nil {
		t.Errorf("root menu: %v\n%s", err, menu)
	}
	if !strings.Contains(menu, "02026-11-20 Bulletin #47: when the mirrors go dark\t/posts/2026-11-20-bulletin-47.gmi\tlocalhost\t") {
		t.Errorf("root menu lacks the newest article:\n%s", menu)
	}
	text := gopherFetch(t, s.gopher, "/posts/2026-11-20-bulletin-47.gmi")
	if !strings.HasPrefix(text, "Bulletin #47: when the mirrors go dark\r\n=====") {
		t.Errorf("article text view:\n%s", text)
	}

	// The access log has one structured line per request.
	s.stop(t)
	log := s.log.String()
	for _, want := range []string{`msg=request`, `proto=gemini`, `request=gemini://localhost:` + s.port() + `/tags/small-web/`, `status=20`, `bytes=`, `duration=`} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %q", want)
		}
	}
	fingerprint := regexp.MustCompile(`cert_sha256=(\w+)`).FindStringSubmatch(log)

	// The certificate was made on first start with private modes, and a
	// restart reuses it.
	certs := filepath.Join(filepath.Dir(cfg), "certs")
	if fi, err := os.Stat(certs); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("certs folder: %v %v", fi, err)
	}
	if fi, err := os.Stat(filepath.Join(certs, "localhost.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi, err)
	}
	s2 := startServe(t, cfg)
	defer s2.stop(t)
	again := regexp.MustCompile(`cert_sha256=(\w+)`).FindStringSubmatch(s2.log.String())
	if fingerprint == nil || again == nil || fingerprint[1] != again[1] {
		t.Errorf("certificate changed across restarts: %v then %v", fingerprint, again)
	}
	if strings.Contains(s2.log.String(), "created self-signed certificate") {
		t.Error("second start created a new certificate")
	}
}

// TestProtocolRequestTable runs every request row of PROTOCOL.md against
// the full server (site behind the real Gemini front-end) over a real TLS
// socket without SNI, asserting the exact header.
func TestProtocolRequestTable(t *testing.T) {
	s := startServe(t, testSite(t))
	defer s.stop(t)
	port := s.port()
	h := "localhost:" + port
	long := func(n int) string {
		base := "gemini://" + h + "/"
		return base + strings.Repeat("a", n-len(base))
	}
	rows := []struct{ name, line, header string }{
		{"root", "gemini://" + h + "/\r\n", "20 text/gemini; charset=utf-8; lang=en"},
		{"empty path", "gemini://" + h + "\r\n", "20 text/gemini; charset=utf-8; lang=en"},
		{"exactly 1024 bytes", long(1024) + "\r\n", "51 Not found"},
		{"1025 bytes", long(1025) + "\r\n", "59 request too long"},
		{"empty line", "\r\n", "59"},
		{"relative", "/\r\n", "59"},
		{"no scheme", "//" + h + "/\r\n", "59"},
		{"not a URL", "Hello Gemini!\r\n", "59"},
		{"userinfo", "gemini://user@" + h + "/\r\n", "59"},
		{"fragment", "gemini://" + h + "/#x\r\n", "59"},
		{"empty fragment", "gemini://" + h + "/#\r\n", "59"},
		{"invalid UTF-8", "gemini://" + h + "/\xff\r\n", "59"},
		{"BOM", "\ufeffgemini://" + h + "/\r\n", "59"},
		{"NUL", "gemini://" + h + "/\x00\r\n", "59"},
		{"control byte", "gemini://" + h + "/\x1b[2J\r\n", "59"},
		{"dot dot", "gemini://" + h + "/../../\r\n", "59"},
		{"escaped dot dot", "gemini://" + h + "/%2e%2e/%2e%2e/etc/passwd\r\n", "59"},
		{"other host", "gemini://example.com:" + port + "/\r\n", "53"},
		{"other port", "gemini://localhost:1/\r\n", "53"},
		{"http", "http://" + h + "/\r\n", "53"},
		{"https", "https://" + h + "/\r\n", "53"},
		{"gopher", "gopher://" + h + "/\r\n", "53"},
		{"titan", "titan://" + h + "/\r\n", "53"},
		{"LF only", "gemini://" + h + "/\n", "59"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			header, body := rawGemini(t, s.gemini, r.line)
			t.Logf("%q -> %q", r.line, header)
			if header != r.header && !(len(r.header) == 2 && strings.HasPrefix(header, r.header+" ")) {
				t.Errorf("header = %q, want %q", header, r.header)
			}
			if !strings.HasPrefix(header, "20") && body != "" {
				t.Errorf("non-20 response with a body: %q", body)
			}
		})
	}
	t.Run("nothing sent", func(t *testing.T) {
		conn, err := tls.Dial("tcp", s.gemini, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		b, err := io.ReadAll(conn)
		if err != nil || len(b) != 0 {
			t.Errorf("silent client: got %q, %v; want a clean close with no response", b, err)
		}
	})
}

func gopherFetch(t *testing.T, addr, selector string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "%s\r\n", selector)
	b, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServeBadConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte("hostname = \"gemini://x\"\nlang = \"not a tag!\"\n"), 0o644)
	var errOut bytes.Buffer
	if code := run([]string{"serve", "-config", cfg}, io.Discard, &errOut); code != 1 {
		t.Errorf("serve with a bad config exited %d, want 1", code)
	}
	for _, want := range []string{"hostname", "lang"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("error output lacks %q:\n%s", want, errOut.String())
		}
	}
	if code := run([]string{"serve", "-config", filepath.Join(dir, "missing.toml")}, io.Discard, &errOut); code != 1 {
		t.Errorf("serve with a missing config exited %d, want 1", code)
	}
}

func TestRenderEveryGoldenInput(t *testing.T) {
	files, _ := filepath.Glob("../../internal/gemtext/testdata/*.md")
	if len(files) < 18 {
		t.Fatalf("only %d inputs found", len(files))
	}
	for _, f := range files {
		for _, format := range []string{"gemini", "gopher"} {
			var out, errOut bytes.Buffer
			if code := run([]string{"render", "-format", format, f}, &out, &errOut); code != 0 {
				t.Errorf("render -format %s %s exited %d: %s", format, f, code, errOut.String())
			}
			if out.Len() == 0 {
				t.Errorf("render -format %s %s printed nothing", format, f)
			}
			// Rule 18 holds for the whole document, title included: one
			// final newline, no blank line at the end, none right after
			// the title either (gemtext here; Gopher ends with CRLF).
			if format == "gemini" {
				o := out.String()
				if !strings.HasSuffix(o, "\n") || strings.HasSuffix(o, "\n\n") || strings.HasPrefix(o[strings.IndexByte(o, '\n'):], "\n\n\n") {
					t.Errorf("render %s breaks rule 18 at its ends: %q", f, o)
				}
			}
		}
	}
}

func TestRender(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"render", "../../capsule/posts/2026-11-20-bulletin-47.md"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "# Bulletin #47: when the mirrors go dark\n\n") || strings.Count(out.String(), "# Bulletin #47") != 1 {
		t.Errorf("render output:\n%s", out.String())
	}
	out.Reset()
	run([]string{"render", "-format", "gopher", "../../capsule/posts/2026-11-20-bulletin-47.md"}, &out, &errOut)
	if !strings.Contains(out.String(), "\r\nReferences\r\n") {
		t.Errorf("gopher render:\n%s", out.String())
	}
	errOut.Reset()
	if code := run([]string{"render", "no/such/file.md"}, &out, &errOut); code != 1 {
		t.Errorf("missing file exited %d, want 1", code)
	}
	if msg := errOut.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "no/such/file.md") {
		t.Errorf("missing file error is not one line naming the file: %q", msg)
	}
	if code := run([]string{"render", "-format", "html", "x.md"}, &out, &errOut); code != 2 {
		t.Errorf("bad format exited %d, want 2", code)
	}
}

func TestNew(t *testing.T) {
	cfg := testSite(t)
	title := `Quotes "and" \ backslashes: a report`
	var out, errOut bytes.Buffer
	if code := run([]string{"new", "-config", cfg, "-tags", "press, Europe", title}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	path := strings.TrimSpace(out.String())
	if !filepath.IsAbs(path) {
		path = filepath.Join(mustGetwd(t), path)
	}
	if !strings.HasSuffix(path, "-quotes-and-backslashes-a-report.md") {
		t.Errorf("path %q", path)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := frontmatter.Parse(path, src, nil)
	if err != nil {
		t.Fatalf("new article's front matter does not parse: %v\n%s", err, src)
	}
	m := doc.Meta
	if m.Title != title || !m.Draft || m.Date.IsZero() || len(m.Tags) != 2 || !strings.HasPrefix(m.ID, "tag:localhost,") {
		t.Errorf("front matter: %+v", m)
	}
	// Never overwrite: the same title again makes a second file.
	os.WriteFile(path, []byte("edited by the author"), 0o644)
	out.Reset()
	run([]string{"new", "-config", cfg, title}, &out, &errOut)
	second := strings.TrimSpace(out.String())
	if !strings.HasSuffix(second, "-2.md") {
		t.Errorf("second article path %q", second)
	}
	if b, _ := os.ReadFile(path); string(b) != "edited by the author" {
		t.Error("new overwrote an existing article")
	}
	if code := run([]string{"new", "-config", cfg, "-dir", "../outside", "x"}, &out, &errOut); code != 1 {
		t.Errorf("-dir outside the capsule exited %d, want 1", code)
	}
}

func TestNewFlags(t *testing.T) {
	cfg := testSite(t)
	capsuleDir := filepath.Join(filepath.Dir(cfg), "capsule")
	var out, errOut bytes.Buffer
	code := run([]string{"new", "-config", cfg, "-dir", "essays/2026", "-author", "Mara  Ilić", "-summary", "A line\nand more",
		"-tags", "C#, press", "A test"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	path := strings.TrimSpace(out.String())
	if !filepath.IsAbs(path) {
		path = filepath.Join(mustGetwd(t), path)
	}
	if filepath.Dir(path) != filepath.Join(capsuleDir, "essays", "2026") {
		t.Errorf("created in %s, want capsule/essays/2026", path)
	}
	src, _ := os.ReadFile(path)
	doc, err := frontmatter.Parse(path, src, nil)
	if err != nil || len(doc.Diagnostics) != 0 {
		t.Fatalf("front matter has problems: %v %v\n%s", err, doc.Diagnostics, src)
	}
	m := doc.Meta
	if len(m.Authors) != 1 || m.Authors[0] != "Mara Ilić" || m.Summary != "A line and more" || strings.Join(m.Tags, ",") != "C#,press" || !m.Draft {
		t.Errorf("front matter: %+v", m)
	}
	// A symbolic link cannot take the article out of the capsule.
	outside := t.TempDir()
	os.Symlink(outside, filepath.Join(capsuleDir, "escape"))
	for _, dir := range []string{"/etc", "../x", "a/../../x", ".hidden", "posts/.git", "escape", "escape/sub"} {
		errOut.Reset()
		if code := run([]string{"new", "-config", cfg, "-dir", dir, "x"}, io.Discard, &errOut); code != 1 {
			t.Errorf("-dir %q exited %d, want 1", dir, code)
		}
		if !strings.Contains(errOut.String(), "-dir") {
			t.Errorf("-dir %q: error does not name the flag: %q", dir, errOut.String())
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("new wrote outside the capsule: %v", entries)
	}
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestVersionAndUsage(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"version"}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "go1.") {
		t.Errorf("version: %d %q", code, out.String())
	}
	var errOut bytes.Buffer
	if code := run([]string{"chek"}, io.Discard, &errOut); code != 2 || !strings.Contains(errOut.String(), `unknown command "chek"; did you mean check?`) ||
		!strings.Contains(errOut.String(), "  preview ") {
		t.Errorf("unknown command exited %d, said %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"serve", "-nope"}, io.Discard, &errOut); code != 2 || !strings.Contains(errOut.String(), "-nope") ||
		!strings.Contains(errOut.String(), "-config") {
		t.Errorf("unknown flag exited %d, said %q", code, errOut.String())
	}
	// -h, help and help COMMAND list every command with one line each;
	// a command's help lists its flags.
	for _, args := range [][]string{{"-h"}, {"help"}, {"--help"}, {"help", "help"}} {
		out.Reset()
		if code := run(args, &out, io.Discard); code != 0 {
			t.Errorf("%v exited %d", args, code)
		}
		for _, c := range commands() {
			if n := strings.Count(out.String(), "\n  "+c.name+" "); n != 1 {
				t.Errorf("%v lists %s %d times:\n%s", args, c.name, n, out.String())
			}
		}
	}
	for _, c := range commands() {
		if c.name == "help" {
			continue
		}
		var a, b bytes.Buffer
		if code := run([]string{c.name, "-h"}, io.Discard, &a); code != 0 || !strings.HasPrefix(a.String(), "Usage: broadside "+c.name) {
			t.Errorf("%s -h: exit %d, %q", c.name, code, a.String())
		}
		if code := run([]string{"help", c.name}, &b, io.Discard); code != 0 || b.String() != a.String() {
			t.Errorf("help %s: exit %d, %q; want what %s -h says", c.name, code, b.String(), c.name)
		}
	}
	out.Reset()
	run([]string{"help", "check"}, &out, io.Discard)
	for _, flag := range []string{"-config", "-json", "-external"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("help check lacks %s:\n%s", flag, out.String())
		}
	}
	if code := run([]string{"help", "nope"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("help nope exited %d, want 2", code)
	}
}

// TestSIGHUP reloads the config on SIGHUP, and keeps the running one when
// the new file is broken.
func TestSIGHUP(t *testing.T) {
	cfg := testSite(t)
	s := startServe(t, cfg)
	defer s.stop(t)
	index := func() string {
		_, body := rawGemini(t, s.gemini, "gemini://localhost:"+s.port()+"/\r\n")
		return body
	}
	if !strings.HasPrefix(index(), "# E2E\n") {
		t.Fatalf("index before reload:\n%s", index())
	}
	orig, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(orig), `title = "E2E"`, `title = "Renamed"`, 1)), 0o644)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "new title after SIGHUP", func() bool { return strings.HasPrefix(index(), "# Renamed\n") })

	os.WriteFile(cfg, []byte("title = 42\n"), 0o644)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "reload failure logged", func() bool { return strings.Contains(s.log.String(), "config reload failed") })
	if !strings.HasPrefix(index(), "# Renamed\n") {
		t.Errorf("a broken config replaced the running one:\n%s", index())
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
