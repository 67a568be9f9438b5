package netserve

import (
	"fmt"
	"net"
	"net/netip"
)

// AddrMode is how much of a client's address the access log shows. The
// zero value is AddrTruncated: privacy by default.
type AddrMode int

// The address modes.
const (
	// AddrTruncated logs the network, not the reader: the IPv4 /24 or
	// the IPv6 /48 the client is in, e.g. "203.0.113.0/24".
	AddrTruncated AddrMode = iota
	// AddrFull logs the address and port, e.g. "203.0.113.7:51234".
	AddrFull
	// AddrNone leaves the client key out of the access log.
	AddrNone
)

// ParseAddrMode reads "full", "truncated" or "none".
func ParseAddrMode(s string) (AddrMode, error) {
	switch s {
	case "truncated":
		return AddrTruncated, nil
	case "full":
		return AddrFull, nil
	case "none":
		return AddrNone, nil
	}
	return 0, fmt.Errorf("client address mode %q: want full, truncated or none", s)
}

// String returns the mode's name as ParseAddrMode reads it.
func (m AddrMode) String() string {
	switch m {
	case AddrFull:
		return "full"
	case AddrNone:
		return "none"
	}
	return "truncated"
}

// Format shows a client address in this mode; "" for AddrNone or an
// invalid address.
func (m AddrMode) Format(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	switch m {
	case AddrFull:
		return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()).String()
	case AddrNone:
		return ""
	}
	ip := a.Addr().Unmap().WithZone("")
	bits := 24
	if ip.Is6() {
		bits = 48
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// addrPortOf converts a net.Addr to a netip.AddrPort, unmapping IPv4 in
// IPv6; the zero AddrPort if it is not an IP address.
func addrPortOf(a net.Addr) netip.AddrPort {
	switch t := a.(type) {
	case *net.TCPAddr:
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	case nil:
		return netip.AddrPort{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
