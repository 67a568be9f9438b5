package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildSite writes the sample capsule and a config whose servers listen on
// free loopback ports but publish fixed ports, so that "serve" and "build"
// write the same URLs and menus.
func buildSite(t *testing.T, extra string) string {
	t.Helper()
	cfg := testSite(t)
	body := `title = "E2E"
hostname = "localhost"
author = "Tester"
removed = ["/posts/gone.gmi"]

[gemini]
listen = "127.0.0.1:0"
port = 1965

[gopher]
listen = "127.0.0.1:0"
port = 7070
` + extra
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func runBuild(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"build"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestBuildEqualsServe builds the sample site and fetches URLs from a real
// "broadside serve" of the same config over TCP and TLS: the files hold
// what the server sends.
func TestBuildEqualsServe(t *testing.T) {
	cfg := buildSite(t, "")
	dir := filepath.Join(t.TempDir(), "site")
	code, out, errOut := runBuild(t, "-config", cfg, dir)
	if code != 0 {
		t.Fatalf("build exited %d:\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "Gemini files") || !strings.Contains(out, "Gopher files") {
		t.Errorf("summary = %q", out)
	}
	srv := startServe(t, cfg)
	defer srv.stop(t)
	for _, c := range []struct{ path, file string }{
		{"/", "gemini/index.gmi"},
		{"/tags/fran%C3%A7ais/", "gemini/tags/français/index.gmi"},
		{"/posts/2026-11-20-bulletin-47.gmi", "gemini/posts/2026-11-20-bulletin-47.gmi"},
		{"/atom.xml", "gemini/atom.xml"},
		{"/images/mirrors.png", "gemini/images/mirrors.png"},
	} {
		header, body := rawGemini(t, srv.gemini, "gemini://localhost"+c.path+"\r\n")
		file, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(header, "20 ") || body != string(file) {
			t.Errorf("%s: serve answers %q with %d bytes; %s has %d bytes", c.path, header, len(body), c.file, len(file))
		}
	}
	for _, c := range []struct{ selector, file string }{
		{"/", "gopher/gophermap"},
		{"/tags/censorship/", "gopher/tags/censorship/gophermap"},
		{"/posts/2026-11-20-bulletin-47.gmi", "gopher/posts/2026-11-20-bulletin-47.gmi"},
		{"/posts/2026-11-20-bulletin-47.gmi;menu", "gopher/posts/2026-11-20-bulletin-47.gmi;menu/gophermap"},
		{"/bulletins/46.gmi", "gopher/bulletins/46.gmi"},
	} {
		live := gopherFetch(t, srv.gopher, c.selector)
		file, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		if live != string(file) {
			t.Errorf("%s: serve sends %d bytes, %s has %d", c.selector, len(live), c.file, len(file))
		}
	}
	list, err := os.ReadFile(filepath.Join(dir, "redirects.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(list), "\n52 /posts/gone.gmi\n") || !strings.Contains(string(list), "\n31 /tags /tags/\n") {
		t.Errorf("redirects.txt lacks the removed path or /tags:\n%s", list)
	}

	// A second build replaces the first.
	if code, out, errOut := runBuild(t, "-config", cfg, dir); code != 0 {
		t.Fatalf("second build exited %d:\n%s%s", code, out, errOut)
	}
}

func TestBuildRefuses(t *testing.T) {
	cfg := buildSite(t, "")
	capsuleDir := filepath.Join(filepath.Dir(cfg), "capsule")
	full := filepath.Join(t.TempDir(), "full")
	if err := os.MkdirAll(full, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "precious.txt"), []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no folder", []string{"-config", cfg}, 2, "give one folder"},
		{"two folders", []string{"-config", cfg, "a", "b"}, 2, "give one folder"},
		{"not an export", []string{"-config", cfg, full}, 1, "refusing to replace it"},
		{"inside the capsule", []string{"-config", cfg, filepath.Join(capsuleDir, "out")}, 1, "inside the capsule"},
		{"around the capsule", []string{"-config", cfg, filepath.Dir(cfg)}, 1, "is inside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runBuild(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(full, "precious.txt")); err != nil || string(b) != "keep me" {
		t.Errorf("a refused build touched the folder: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(capsuleDir, "out")); err == nil {
		t.Error("a refused build wrote into the capsule")
	}
}

func TestBuildPorts(t *testing.T) {
	t.Run("listen port 0 needs a public port", func(t *testing.T) {
		cfg := buildSite(t, "")
		body, _ := os.ReadFile(cfg)
		body = bytes.Replace(body, []byte("port = 1965\n"), nil, 1)
		os.WriteFile(cfg, body, 0o644)
		code, _, errOut := runBuild(t, "-config", cfg, filepath.Join(t.TempDir(), "x"))
		if code != 1 || !strings.Contains(errOut, "set [gemini] port") {
			t.Errorf("exit %d:\n%s", code, errOut)
		}
	})
	t.Run("no gopher", func(t *testing.T) {
		cfg := buildSite(t, "")
		body, _ := os.ReadFile(cfg)
		body = bytes.Replace(body, []byte("[gopher]\nlisten = \"127.0.0.1:0\"\nport = 7070\n"), []byte("[gopher]\nlisten = \"\"\n"), 1)
		os.WriteFile(cfg, body, 0o644)
		dir := filepath.Join(t.TempDir(), "x")
		code, out, errOut := runBuild(t, "-config", cfg, dir)
		if code != 0 || !strings.Contains(out, "no Gopher") {
			t.Fatalf("exit %d:\n%s%s", code, out, errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "gopher")); err == nil {
			t.Error("gopher/ written with Gopher disabled")
		}
		if _, err := os.Stat(filepath.Join(dir, "gemini", "index.gmi")); err != nil {
			t.Error(err)
		}
	})
}
