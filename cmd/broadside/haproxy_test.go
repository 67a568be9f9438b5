package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// haproxyConfig is deploy/haproxy.cfg for two instances on loopback: the
// same directives, with the test's addresses.
const haproxyConfig = `global
    maxconn 1000

defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout check 5s

frontend gemini
    bind 127.0.0.1:{{.GeminiPort}}
    default_backend broadside_gemini

backend broadside_gemini
    balance roundrobin
    option tcp-check
    tcp-check connect default ssl
    tcp-check send "gemini://localhost:{{.GeminiPort}}/\r\n"
    tcp-check expect rstring "^20 "
    default-server check inter 1s fall 2 rise 1 verify none send-proxy-v2
{{- range $i, $a := .Gemini}}
    server b{{$i}} {{$a}}
{{- end}}

frontend gopher
    bind 127.0.0.1:{{.GopherPort}}
    default_backend broadside_gopher

backend broadside_gopher
    balance roundrobin
    option tcp-check
    tcp-check send "/caps.txt\r\n"
    tcp-check expect string "CAPS"
    default-server check inter 1s fall 2 rise 1 send-proxy
{{- range $i, $a := .Gopher}}
    server b{{$i}} {{$a}}
{{- end}}
`

// process is a child process whose output is kept.
type process struct {
	cmd *exec.Cmd
	out *syncBuffer
}

func start(t *testing.T, name string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(name, args...), out: &syncBuffer{}}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Stop by PID, as an operator would: TERM, then KILL if ignored.
		p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	})
	return p
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// buildBroadside builds the real binary into the test's temporary folder.
func buildBroadside(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "broadside")
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = "/usr/local/go/bin/go"
	}
	out, err := exec.Command(goCmd, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestHAProxy runs a real HAProxy in TCP mode in front of two instances of
// the real binary, as deploy/haproxy.cfg does: round robin over both, the
// client's address from PROXY v2 (Gemini) and v1 (Gopher) in both
// instances' logs, TLS sessions resumed across instances (shared
// certificate and ticket key file), and direct connections without a
// PROXY header refused.
func TestHAProxy(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy is not installed (apt-get install haproxy); skipping the load balancer test")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs three processes")
	}
	bin := buildBroadside(t)
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "capsule"), os.DirFS("../../capsule")); err != nil {
		t.Fatal(err)
	}
	gemPort, gopPort := freePort(t), freePort(t)
	type instance struct {
		name           string
		proc           *process
		gemini, gopher string
	}
	var instances []*instance
	for _, name := range []string{"A", "B"} {
		cfg := filepath.Join(dir, name+".toml")
		body := fmt.Sprintf(`title = "Instance %s"
hostname = "localhost"
capsule = "capsule"

[gemini]
listen = "127.0.0.1:0"
port = %d
certs = "certs"
proxy_protocol = true

[gopher]
listen = "127.0.0.1:0"
port = %d
proxy_protocol = true

[proxy]
trusted = ["127.0.0.1"]

[log]
client_addr = "full"
`, name, gemPort, gopPort)
		if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		in := &instance{name: name, proc: start(t, bin, "serve", "-config", cfg)}
		// One at a time: the first start makes the shared certificate.
		waitFor(t, "instance "+name+" serving", func() bool {
			for _, m := range addrRE.FindAllStringSubmatch(in.proc.out.String(), -1) {
				if m[1] == "gemini" {
					in.gemini = m[2]
				} else {
					in.gopher = m[2]
				}
			}
			return in.gemini != "" && in.gopher != ""
		})
		instances = append(instances, in)
	}
	var cfg bytes.Buffer
	template.Must(template.New("").Parse(haproxyConfig)).Execute(&cfg, map[string]any{
		"GeminiPort": gemPort, "GopherPort": gopPort,
		"Gemini": []string{instances[0].gemini, instances[1].gemini},
		"Gopher": []string{instances[0].gopher, instances[1].gopher},
	})
	hcfg := filepath.Join(dir, "haproxy.cfg")
	os.WriteFile(hcfg, cfg.Bytes(), 0o644)
	if out, err := exec.Command(haproxy, "-c", "-f", hcfg).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	hp := start(t, haproxy, "-db", "-f", hcfg)
	gemFront := fmt.Sprintf("127.0.0.1:%d", gemPort)
	gopFront := fmt.Sprintf("127.0.0.1:%d", gopPort)

	// The reader comes from 127.0.0.2; HAProxy connects from 127.0.0.1.
	cache := tls.NewLRUClientSessionCache(16)
	get := func() (title string, resumed bool, err error) {
		d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
		c, err := tls.DialWithDialer(d, "tcp", gemFront, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", ClientSessionCache: cache})
		if err != nil {
			return "", false, err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "gemini://localhost:%d/\r\n", gemPort)
		b, err := io.ReadAll(c)
		if err != nil {
			return "", false, err
		}
		m := regexp.MustCompile(`\r\n# (Instance \w)\n`).FindSubmatch(b)
		if m == nil {
			return "", false, fmt.Errorf("no instance title in %q", b)
		}
		return string(m[1]), c.ConnectionState().DidResume, nil
	}
	// HAProxy is ready when it answers through the frontend.
	waitFor(t, "haproxy serving", func() bool { _, _, err := get(); return err == nil })
	titles := map[string]int{}
	resumedOnOther := false
	prev := ""
	for range 6 {
		title, resumed, err := get()
		if err != nil {
			t.Fatalf("through haproxy: %v\nhaproxy:\n%s", err, hp.out)
		}
		titles[title]++
		if resumed && prev != "" && prev != title {
			resumedOnOther = true
		}
		prev = title
	}
	if titles["Instance A"] == 0 || titles["Instance B"] == 0 {
		t.Errorf("Gemini round robin: %v, want both instances", titles)
	}
	if !resumedOnOther {
		t.Error("no TLS session resumed on the other instance: ticket keys not shared")
	}

	gopTitles := map[string]int{}
	for range 4 {
		c, err := (&net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).Dial("tcp", gopFront)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "/\r\n")
		b, _ := io.ReadAll(c)
		c.Close()
		if m := regexp.MustCompile(`Instance \w`).Find(b); m != nil {
			gopTitles[string(m)]++
		} else {
			t.Errorf("gopher menu through haproxy: %q", b)
		}
	}
	if gopTitles["Instance A"] == 0 || gopTitles["Instance B"] == 0 {
		t.Errorf("Gopher round robin: %v, want both instances", gopTitles)
	}

	// Both instances log the reader's address, from the PROXY headers.
	for _, in := range instances {
		for _, proto := range []string{"gemini", "gopher"} {
			want := "msg=request proto=" + proto + " client=127.0.0.2:"
			waitFor(t, in.name+" logs "+proto+" clients", func() bool { return strings.Contains(in.proc.out.String(), want) })
		}
	}

	// Direct connections, without a header, are refused.
	for _, in := range instances {
		if c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", in.gemini, &tls.Config{InsecureSkipVerify: true}); err == nil {
			c.Close()
			t.Errorf("instance %s: a direct TLS connection was accepted", in.name)
		}
		if got := gopherFetch(t, in.gopher, "/"); got != "" {
			t.Errorf("instance %s: a direct Gopher request got %q", in.name, got)
		}
	}
	if t.Failed() || os.Getenv("HAPROXY_TEST_LOGS") != "" {
		for _, in := range instances {
			t.Logf("instance %s log:\n%s", in.name, in.proc.out)
		}
		t.Logf("haproxy:\n%s", hp.out)
	}
}
