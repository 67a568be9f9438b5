package main

import (
	"io"
	"net"
	"slices"

	"broadside/internal/config"
	"broadside/internal/site"
)

// serveMode says how serve runs: as itself, or as "broadside preview".
// The zero value is serve.
type serveMode struct{ preview bool }

// preview serves the capsule for its author: on loopback only, drafts and
// scheduled articles shown and marked, reloading as files change.
func preview(args []string, _, stderr io.Writer) error {
	return serve(args, stderr, serveMode{preview: true})
}

func (m serveMode) name() string {
	if m.preview {
		return "preview"
	}
	return "serve"
}

// config returns cfg as this mode serves it: a preview listens on
// loopback only, whatever the config says, and changes nothing else (the
// certificates and feed ids stay the site's).
func (m serveMode) config(cfg *config.Config) *config.Config {
	if !m.preview {
		return cfg
	}
	c := *cfg
	c.Gemini.Listen = loopback(c.Gemini.Listen)
	if c.Gopher.Enabled() {
		c.Gopher.Listen = loopback(c.Gopher.Listen)
	}
	return &c
}

// loopback keeps the port of a listen address and replaces any host that
// is not a loopback address: "[::1]" stays, IPv6 wildcards become "::1",
// everything else "127.0.0.1".
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr // the config loader refused it already
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return net.JoinHostPort("::1", port)
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// host is the host name the servers' log lines and a preview's links
// name: the author reads a preview on this machine.
func (m serveMode) host(cfg *config.Config) string {
	if m.preview {
		return "localhost"
	}
	return cfg.Hostname
}

// hostnames are the names the Gemini server answers for: a preview also
// answers for this machine's names, so that gemini://localhost/ works
// whatever hostname says.
func (m serveMode) hostnames(cfg *config.Config) []string {
	names := []string{cfg.Hostname}
	if m.preview {
		for _, n := range []string{"localhost", "127.0.0.1", "::1"} {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// site adjusts the site options: a preview shows and marks what serve
// holds back, and its links (Gopher menus, feeds) lead to this machine.
func (m serveMode) site(o *site.Options) {
	if !m.preview {
		return
	}
	o.Preview, o.Hostname = true, "localhost"
}
