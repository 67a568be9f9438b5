package config

// Keys of the network front-ends (internal/netserve, gemini, gopher):
// [limits], [proxy], gemini.proxy_protocol, gemini.ticket_keys,
// gopher.proxy_protocol, log.format and log.client_addr. Kept apart from the
// other keys so that sections added by others merge without conflicts.

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Limits are the per-client-address limits and the connection timeouts,
// applied to Gemini and Gopher alike (IPv6 clients are limited per /64).
// All of them change on SIGHUP.
type Limits struct {
	Rate        float64       // connections (= requests) per second per address; 0 = no rate limit
	Burst       int           // connections an address may open at once above Rate
	PerAddress  int           // connections an address may hold open at once; 0 = no cap
	Connections int           // connections each server holds at once
	ReadTimeout time.Duration // from accept to a complete request line (PROXY header, TLS handshake included)
	SendTimeout time.Duration // longest wait for a client to take the next piece of a response
}

// Proxy configures the PROXY protocol senders (load balancers).
type Proxy struct {
	// Trusted are the peers allowed to send PROXY headers; connections
	// from others are closed on a listener with proxy_protocol = true.
	Trusted []netip.Prefix
}

// Defaults of the network keys; see Example.
const (
	defaultRate        = 10
	defaultBurst       = 60
	defaultPerAddress  = 16
	defaultConnections = 1024
	defaultReadTimeout = 10 * time.Second
	defaultSendTimeout = 30 * time.Second
	defaultClientAddr  = "truncated"
	defaultLogFormat   = "text"
	defaultTicketKeys  = "tickets.key" // in the certificate folder
)

type rawLimits struct {
	Rate        toml.Primitive `toml:"rate"`
	Burst       toml.Primitive `toml:"burst"`
	PerAddress  toml.Primitive `toml:"per_address"`
	Connections toml.Primitive `toml:"connections"`
	ReadTimeout toml.Primitive `toml:"read_timeout"`
	SendTimeout toml.Primitive `toml:"send_timeout"`
}

type rawProxy struct {
	Trusted toml.Primitive `toml:"trusted"`
}

// netValues holds the network keys the file set, decoded but not yet
// validated.
type netValues struct {
	geminiProxy, gopherProxy opt[bool]
	ticketKeys               opt[string]
	clientAddr               opt[string] // a bool is turned into "full" or "none"
	logFormat                opt[string]
	rate                     opt[float64]
	burst, perAddress, conns opt[int]
	readTimeout, sendTimeout opt[string]
	trusted                  opt[[]string]
}

// decodeTables decodes the [limits] and [proxy] tables.
func (n *netValues) decodeTables(d *decoder, r rawConfig) {
	var l rawLimits
	if d.table(r.Limits, "limits", &l) {
		n.rate = numberField(d, l.Rate, "limits.rate")
		n.burst = field[int](d, l.Burst, "limits.burst")
		n.perAddress = field[int](d, l.PerAddress, "limits.per_address")
		n.conns = field[int](d, l.Connections, "limits.connections")
		n.readTimeout = field[string](d, l.ReadTimeout, "limits.read_timeout")
		n.sendTimeout = field[string](d, l.SendTimeout, "limits.send_timeout")
	}
	var p rawProxy
	if d.table(r.Proxy, "proxy", &p) {
		n.trusted = field[[]string](d, p.Trusted, "proxy.trusted")
	}
}

// numberField decodes an integer or a float as a float64.
func numberField(d *decoder, p toml.Primitive, key string) opt[float64] {
	path := strings.Split(key, ".")
	if !d.md.IsDefined(path...) {
		return opt[float64]{}
	}
	var v float64
	switch got := d.md.Type(path...); got {
	case "Integer":
		var i int64
		if err := d.md.PrimitiveDecode(p, &i); err != nil {
			d.fail(key, "want a number")
			return opt[float64]{}
		}
		v = float64(i)
	case "Float":
		if err := d.md.PrimitiveDecode(p, &v); err != nil {
			d.fail(key, "want a number")
			return opt[float64]{}
		}
	default:
		d.fail(key, "want a number, got "+typeName(got))
		return opt[float64]{}
	}
	return opt[float64]{v: v, set: true, line: d.pos.line(key)}
}

// clientAddrField decodes log.client_addr: a mode name, or true and false
// as they were written before the modes existed (full and none).
func clientAddrField(d *decoder, p toml.Primitive, key string) opt[string] {
	path := strings.Split(key, ".")
	if d.md.IsDefined(path...) && d.md.Type(path...) == "Bool" {
		b := field[bool](d, p, key)
		mode := "none"
		if b.v {
			mode = "full"
		}
		return opt[string]{v: mode, set: b.set, line: b.line}
	}
	if t := d.md.Type(path...); d.md.IsDefined(path...) && t != "String" {
		d.fail(key, `want "full", "truncated" or "none", got `+typeName(t))
		return opt[string]{}
	}
	return field[string](d, p, key)
}

// net validates the network keys into c.
func (v *validator) net(c *Config) {
	n := v.raw.net
	c.Gemini.ProxyProtocol = or(n.geminiProxy, false)
	c.Gopher.ProxyProtocol = or(n.gopherProxy, false)
	switch {
	case !n.ticketKeys.set:
		c.Gemini.TicketKeys = filepath.Join(c.Gemini.Certs, defaultTicketKeys)
	case n.ticketKeys.v == "":
		c.Gemini.TicketKeys = "" // per-process keys: no resumption across instances
	default:
		c.Gemini.TicketKeys = v.path("gemini.ticket_keys", n.ticketKeys, "")
	}
	c.Log.ClientAddr = v.oneOf("log.client_addr", n.clientAddr, defaultClientAddr, "full", "truncated", "none")
	c.Log.Format = v.oneOf("log.format", n.logFormat, defaultLogFormat, "text", "json")

	c.Limits.Rate = defaultRate
	if n.rate.set {
		if n.rate.v < 0 || n.rate.v > 1e6 {
			v.failAt("limits.rate", n.rate.line, "%g out of range 0..1000000 (0 turns the rate limit off)", n.rate.v)
		}
		c.Limits.Rate = n.rate.v
	}
	c.Limits.Burst = v.intRange("limits.burst", n.burst, defaultBurst, 1, 1_000_000)
	c.Limits.PerAddress = v.intRange("limits.per_address", n.perAddress, defaultPerAddress, 0, 1_000_000)
	c.Limits.Connections = v.intRange("limits.connections", n.conns, defaultConnections, 1, 1_000_000)
	c.Limits.ReadTimeout = v.duration("limits.read_timeout", n.readTimeout, defaultReadTimeout, 100*time.Millisecond, 10*time.Minute)
	c.Limits.SendTimeout = v.duration("limits.send_timeout", n.sendTimeout, defaultSendTimeout, 100*time.Millisecond, time.Hour)

	for _, s := range n.trusted.v {
		p, err := parsePrefix(s)
		if err != nil {
			v.failAt("proxy.trusted", n.trusted.line, "%v", err)
			continue
		}
		c.Proxy.Trusted = append(c.Proxy.Trusted, p)
	}
	if len(c.Proxy.Trusted) == 0 {
		if c.Gemini.ProxyProtocol {
			v.failAt("gemini.proxy_protocol", n.geminiProxy.line, "is true but proxy.trusted is empty: list the load balancers' addresses")
		}
		if c.Gopher.ProxyProtocol {
			v.failAt("gopher.proxy_protocol", n.gopherProxy.line, "is true but proxy.trusted is empty: list the load balancers' addresses")
		}
	}
}

// duration validates a duration written as a string ("10s", "1m30s").
func (v *validator) duration(key string, o opt[string], def, lo, hi time.Duration) time.Duration {
	if !o.set {
		return def
	}
	d, err := time.ParseDuration(o.v)
	if err != nil {
		v.failAt(key, o.line, "%q is not a duration (e.g. \"10s\", \"1m30s\")", o.v)
		return def
	}
	if d < lo || d > hi {
		v.failAt(key, o.line, "%v out of range %v..%v", d, lo, hi)
	}
	return d
}

// parsePrefix reads an IP address (a single host) or a CIDR block.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an address or CIDR block (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32)", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or CIDR block (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32)", s)
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}
