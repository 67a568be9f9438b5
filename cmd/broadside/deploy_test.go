package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"broadside/internal/config"
)

// TestDeployFiles checks the files in deploy/: the instance config is
// valid, HAProxy accepts its config, and systemd accepts the unit (with
// the binary path pointed at a real build) and it keeps its hardening.
func TestDeployFiles(t *testing.T) {
	if _, err := config.Load("../../deploy/broadside.toml"); err != nil {
		t.Errorf("deploy/broadside.toml: %v", err)
	}
	unit, err := os.ReadFile("../../deploy/broadside.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"User=broadside", "AmbientCapabilities=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
		"NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
		"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "ReadWritePaths=", "ExecReload=/bin/kill -HUP $MAINPID",
		"SystemCallFilter=@system-service",
	} {
		if !strings.Contains(string(unit), "\n"+want) {
			t.Errorf("deploy/broadside.service lacks %s", want)
		}
	}
	if haproxy, err := exec.LookPath("haproxy"); err == nil {
		if out, err := exec.Command(haproxy, "-c", "-f", "../../deploy/haproxy.cfg").CombinedOutput(); err != nil {
			t.Errorf("haproxy -c deploy/haproxy.cfg: %v\n%s", err, out)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil || testing.Short() {
		return
	}
	bin := buildBroadside(t)
	tmp := filepath.Join(t.TempDir(), "broadside.service")
	os.WriteFile(tmp, []byte(strings.ReplaceAll(string(unit), "/usr/local/bin/broadside", bin)), 0o644)
	if out, err := exec.Command(analyze, "verify", tmp).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
