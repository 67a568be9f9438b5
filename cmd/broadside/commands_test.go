package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name     string
		override string
		info     *debug.BuildInfo
		want     []string // lines 1 and 2
	}{
		{"release override wins", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-2026-abc"}, Settings: vcs("vcs.revision", "abc123")},
			[]string{"broadside v1.2.3", "commit abc123"}},
		{"go build in a checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203061919-c035c323806c+dirty"},
			Settings: vcs("vcs.revision", "c035c323806c", "vcs.time", "2026-12-03T06:19:19Z", "vcs.modified", "true")},
			[]string{"broadside v0.0.0-20261203061919-c035c323806c+dirty", "commit c035c323806c (2026-12-03T06:19:19Z, with uncommitted changes)"}},
		{"tagged module", "", &debug.BuildInfo{Main: debug.Module{Version: "v2.0.0"}}, []string{"broadside v2.0.0", "commit unknown"}},
		{"no version control", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, []string{"broadside devel", "commit unknown"}},
		{"no build info", "", nil, []string{"broadside devel", "commit unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := strings.Split(versionText(tt.override, tt.info), "\n")
			if len(lines) != 4 || lines[0] != tt.want[0] || !strings.HasPrefix(lines[1], tt.want[1]) || !strings.HasPrefix(lines[2], "go") {
				t.Errorf("versionText = %q, want %q", lines, tt.want)
			}
		})
	}
}

// TestVersionBuilt builds the real binary twice: with the release
// override, and as go build does it in a git checkout.
func TestVersionBuilt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "broadside")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "broadside v9.8.7\n") {
		t.Errorf("version of a release build: %v %q", err, out)
	}
}

// withStdin runs f with os.Stdin reading data.
func withStdin(t *testing.T, data []byte, f func()) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.Write(data); w.Close() }()
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old; r.Close() }()
	f()
}

func TestRenderConversionCases(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, src, out, stderr string
		code                   int
	}{
		{"empty-file.md", "", "# Empty file\n", "empty-file.md:1: warning: no title", 0},
		{"front-matter-only.md", "---\ntitle: Only front matter\n---\n", "# Only front matter\n", "", 0},
		{"toml-only.md", "+++\ntitle = \"Only TOML\"\n+++\n", "# Only TOML\n", "", 0},
		{"blank-body.md", "---\ntitle: Blank\n---\n\n\n   \n", "# Blank\n", "", 0},
		{"latin1-front-matter.md", "---\ntitle: \"Caf\xe9\"\n---\nCr\xe8me.\n", "# Caf\ufffd\n\nCr\ufffdme.\n",
			"latin1-front-matter.md:2: warning: not UTF-8, it looks like Latin-1 (ISO 8859-1): invalid bytes on 2 lines", 0},
		{"broken.md", "---\ntitle: \"x\n---\nBody.\n", "# Broken\n\nBody.\n",
			"broken.md:2:8: error: title: unclosed quote opened on line 2", 1},
		{"hand.gmi", "# Hand\n\n=> x.gmi\n", "# Hand\n\n=> x.gmi\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name)
			os.WriteFile(file, []byte(tt.src), 0o644)
			t.Chdir(dir)
			var out, errOut bytes.Buffer
			code := run([]string{"render", tt.name}, &out, &errOut)
			if code != tt.code || out.String() != tt.out {
				t.Errorf("render: exit %d, %q; want %d, %q (stderr %q)", code, out.String(), tt.code, tt.out, errOut.String())
			}
			if !strings.HasPrefix(errOut.String(), tt.stderr) || (tt.stderr == "" && errOut.Len() > 0) {
				t.Errorf("stderr %q, want it to start %q", errOut.String(), tt.stderr)
			}
		})
	}
}

func TestRenderStdin(t *testing.T) {
	var out, errOut bytes.Buffer
	withStdin(t, []byte("---\ntitle: From a pipe\n---\nSee [x](x.md).\n"), func() {
		if code := run([]string{"render", "-"}, &out, &errOut); code != 0 {
			t.Errorf("exit %d: %s", code, errOut.String())
		}
	})
	if out.String() != "# From a pipe\n\nSee x.\n=> /x.gmi x\n" {
		t.Errorf("render - printed %q", out.String())
	}
	out.Reset()
	withStdin(t, []byte("# No title line\x00\n\xff\n"), func() { run([]string{"render", "-"}, &out, &errOut) })
	if !strings.Contains(errOut.String(), "<stdin>:") {
		t.Errorf("problems on standard input are not named <stdin>: %q", errOut.String())
	}
}

func TestRenderRefusesBinary(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "image.md")
	os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"), 0o644)
	var out, errOut bytes.Buffer
	if code := run([]string{"render", png}, &out, &errOut); code != 1 || out.Len() != 0 ||
		!strings.Contains(errOut.String(), "not a text file (it looks like image/png)") {
		t.Errorf("render of a PNG: exit %d, out %q, err %q", code, out.String(), errOut.String())
	}
	withStdin(t, []byte("PK\x03\x04\x14\x00\x00\x00"), func() {
		errOut.Reset()
		if code := run([]string{"render", "-"}, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "<stdin>: not a text file") {
			t.Errorf("render of a zip on stdin: exit %d, %q", code, errOut.String())
		}
	})
	if code := run([]string{"render", dir}, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "is a folder") {
		t.Errorf("render of a folder: exit %d, %q", code, errOut.String())
	}
}

// TestPreviewEndToEnd runs "broadside preview" on the sample capsule with
// a config that listens on every interface for another host name: the
// preview binds loopback only, answers for localhost, shows the draft and
// the scheduled article marked, and reloads when a file changes.
func TestPreviewEndToEnd(t *testing.T) {
	cfg := testSite(t)
	os.WriteFile(cfg, []byte("title = \"Preview\"\nhostname = \"example.org\"\n[gemini]\nlisten = \":0\"\n[gopher]\nlisten = \":0\"\n"), 0o644)
	s := startCommand(t, "preview", cfg)
	defer func() { s.stop(t) }() // the serve started at the end
	for _, addr := range []string{s.gemini, s.gopher} {
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Errorf("preview listens on %s, want loopback", addr)
		}
	}
	get := func(path string) (string, string) {
		return rawGemini(t, s.gemini, "gemini://localhost:"+s.port()+path+"\r\n")
	}
	h, index := get("/")
	if h != "20 text/gemini; charset=utf-8; lang=en" ||
		!strings.Contains(index, "=> /posts/draft-bulletin-48.gmi 2026-11-27 Bulletin #48 (draft) (Draft)\n") ||
		!strings.Contains(index, "=> /posts/2030-01-01-scheduled.gmi 2030-01-01 A scheduled article (Scheduled for 1 January 2030)\n") {
		t.Errorf("preview index: %q\n%s", h, index)
	}
	if _, draft := get("/posts/draft-bulletin-48.gmi"); !strings.HasPrefix(draft, "# Bulletin #48 (draft)\n\nDraft\n") {
		t.Errorf("preview draft page:\n%s", draft)
	}
	if menu := gopherFetch(t, s.gopher, "/"); !strings.Contains(menu, "\t/posts/draft-bulletin-48.gmi\tlocalhost\t") {
		t.Errorf("preview Gopher menu does not lead to this machine:\n%s", menu)
	}
	// Live reload: a new draft shows up.
	capsuleDir := filepath.Join(filepath.Dir(cfg), "capsule")
	os.WriteFile(filepath.Join(capsuleDir, "posts", "2026-12-01-new.md"), []byte("---\ntitle: Fresh draft\ndraft: true\n---\nText.\n"), 0o644)
	waitFor(t, "new draft in the preview", func() bool {
		_, index := get("/")
		return strings.Contains(index, "2026-12-01 Fresh draft (Draft)")
	})
	// serve, on the same capsule, shows neither.
	os.WriteFile(cfg, []byte("title = \"Serve\"\nhostname = \"localhost\"\n[gemini]\nlisten = \"127.0.0.1:0\"\n[gopher]\nlisten = \"127.0.0.1:0\"\n"), 0o644)
	s.stop(t)
	s = startServe(t, cfg)
	_, index = rawGemini(t, s.gemini, "gemini://localhost:"+s.port()+"/\r\n")
	if strings.Contains(index, "draft") || strings.Contains(index, "scheduled") || strings.Contains(index, "Fresh") {
		t.Errorf("serve shows drafts:\n%s", index)
	}
}
