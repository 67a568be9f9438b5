package check

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"

	"broadside/internal/config"
)

func TestSettings(t *testing.T) {
	refuse := func(port int) error { return errors.New("this user cannot bind it") }
	allow := func(port int) error { return nil }
	tests := []struct {
		name string
		toml string
		bind func(int) error
		want []string
	}{
		{"loopback with localhost", "[gemini]\nlisten = \"127.0.0.1:1965\"\n[gopher]\nlisten = \"[::1]:7070\"\n", refuse, nil},
		{"public with a real name", "hostname = \"example.org\"\n[gemini]\nlisten = \":1965\"\n[gopher]\nlisten = \"0.0.0.0:7070\"\n", refuse, nil},
		{"public with localhost", "hostname = \"localhost\"\n\n[gemini]\nlisten = \":1965\"\n[gopher]\nlisten = \"\"\n", refuse,
			[]string{`c.toml:1: warning: hostname is "localhost" but gemini.listen ":1965" accepts other machines`}},
		{"both public with localhost: one warning", "hostname = \"127.0.0.1\"\n[gemini]\nlisten = \":1965\"\n[gopher]\nlisten = \"[::]:7070\"\n", refuse,
			[]string{`c.toml:1: warning: hostname is "127.0.0.1" but gemini.listen ":1965" and gopher.listen "[::]:7070" accept other machines`}},
		{"public with the default hostname: at the listen line", "[gemini]\nlisten = \"127.0.0.1:1965\"\n[gopher]\nlisten = \"192.0.2.1:7070\"\n", refuse,
			[]string{`c.toml:4: warning: hostname is "localhost" but gopher.listen "192.0.2.1:7070" accepts other machines`}},
		{"port 70 refused", "hostname = \"example.org\"\n[gopher]\nlisten = \":70\"\n", refuse,
			[]string{"c.toml:3: warning: gopher.listen: port 70 is below 1024 and this user cannot bind it"}},
		{"port 70 allowed", "hostname = \"example.org\"\n[gopher]\nlisten = \":70\"\n", allow, nil},
		{"port 0 picks a free port", "[gemini]\nlisten = \"127.0.0.1:0\"\n[gopher]\nlisten = \"127.0.0.1:0\"\n", refuse, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.toml), "c.toml")
			if err != nil {
				t.Fatal(err)
			}
			ds := Settings(cfg, "c.toml", config.KeyLines([]byte(tt.toml)), tt.bind)
			if len(ds) != len(tt.want) {
				t.Fatalf("got %v, want %q", ds, tt.want)
			}
			for i, d := range ds {
				if !strings.HasPrefix(d.String(), tt.want[i]) {
					t.Errorf("got %s, want it to start %s", d, tt.want[i])
				}
			}
		})
	}
}

// TestCanBind checks CanBind against the kernel: whatever this machine
// and user allow, the answer must agree with really binding the port.
func TestCanBind(t *testing.T) {
	const port = 1
	predicted := CanBind(port)
	ln, err := net.Listen("tcp", "127.0.0.1:1")
	if err == nil {
		ln.Close()
	}
	t.Logf("CanBind(%d) = %v; listening gave %v", port, predicted, err)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		t.Skip("port 1 is in use")
	case predicted == nil && err != nil:
		t.Errorf("CanBind said yes, but binding failed: %v", err)
	case predicted != nil && err == nil:
		t.Errorf("CanBind said %v, but binding worked", predicted)
	case predicted != nil && !strings.Contains(predicted.Error(), "cannot bind it"):
		t.Errorf("CanBind error %q does not say what is wrong", predicted)
	}
}
