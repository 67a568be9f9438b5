package check

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"broadside/internal/config"
	"broadside/internal/diag"
)

// Codes of settings that will surprise.
const (
	CodePublicLocalhost = "config/public-localhost" // listening for other machines with hostname = "localhost"
	CodePrivilegedPort  = "config/privileged-port"  // a port below 1024 this user cannot bind
)

// Settings reports settings that are valid but will surprise: listening
// on a public address while hostname is "localhost" (other machines'
// clients name the server otherwise and get 53, feeds carry localhost
// URLs), and a port below 1024 that bind says cannot be bound (nil bind:
// CanBind). file names the config file and line finds a key's line in it.
func Settings(cfg *config.Config, file string, line func(key string) int, bind func(port int) error) []diag.Diagnostic {
	if bind == nil {
		bind = CanBind
	}
	var out []diag.Diagnostic
	listens := []struct{ key, addr string }{{"gemini.listen", cfg.Gemini.Listen}}
	if cfg.Gopher.Enabled() {
		listens = append(listens, struct{ key, addr string }{"gopher.listen", cfg.Gopher.Listen})
	}
	var public []string
	where := line("hostname")
	for _, l := range listens {
		host, portText, err := net.SplitHostPort(l.addr)
		if err != nil {
			continue // the config loader reports it
		}
		if isLocal(cfg.Hostname) && !isLocal(host) {
			public = append(public, fmt.Sprintf("%s %q", l.key, l.addr))
			if where == 0 {
				where = line(l.key)
			}
		}
		port, err := strconv.Atoi(portText)
		if err != nil || port == 0 || port >= 1024 {
			continue
		}
		if err := bind(port); err != nil {
			out = append(out, diag.Diagnostic{File: file, Line: line(l.key), Severity: diag.Warning, Code: CodePrivilegedPort,
				Message: fmt.Sprintf("%s: port %d is below 1024 and %v: run as a service with CAP_NET_BIND_SERVICE (AmbientCapabilities in systemd), or listen above 1023 and forward the port", l.key, port, err)})
		}
	}
	if len(public) > 0 {
		verb := "accepts"
		if len(public) > 1 {
			verb = "accept"
		}
		out = append(out, diag.Diagnostic{File: file, Line: where, Severity: diag.Warning, Code: CodePublicLocalhost,
			Message: fmt.Sprintf(`hostname is %q but %s %s other machines: their clients get 53 and the feeds link to %s; set hostname to the name readers use, or listen on 127.0.0.1`,
				cfg.Hostname, strings.Join(public, " and "), verb, cfg.Hostname)})
	}
	return out
}

// isLocal reports whether a host name or listen host names this machine
// only: localhost, a loopback address. An empty host (every interface)
// is not local.
func isLocal(host string) bool {
	h := strings.ToLower(strings.Trim(host, "[]"))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// CanBind reports whether this process may bind a port below 1024: as
// root, with CAP_NET_BIND_SERVICE, or when net.ipv4.ip_unprivileged_port_start
// allows the port. The error says why not.
func CanBind(port int) error {
	if os.Geteuid() == 0 {
		return nil
	}
	if capEff()&(1<<10) != 0 { // CAP_NET_BIND_SERVICE
		return nil
	}
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); err == nil {
		start, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err == nil && port >= start {
			return nil
		}
		if err == nil {
			return fmt.Errorf("this user (not root, without CAP_NET_BIND_SERVICE, net.ipv4.ip_unprivileged_port_start = %d) cannot bind it", start)
		}
	}
	return fmt.Errorf("this user (not root, without CAP_NET_BIND_SERVICE) cannot bind it")
}

// capEff returns the effective capability set of this process, 0 if
// unknown.
func capEff() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			v, _ := strconv.ParseUint(strings.TrimSpace(rest), 16, 64)
			return v
		}
	}
	return 0
}
