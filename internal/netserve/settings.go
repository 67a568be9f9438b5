package netserve

import (
	"net/netip"
	"slices"
	"time"
)

// Defaults for zero Settings fields.
const (
	DefaultConnections = 1024
	DefaultReadTimeout = 10 * time.Second
	DefaultSendTimeout = 30 * time.Second
)

// WriteChunk is the most a Conn writes to its socket under one deadline:
// a full TLS record with its overhead fits in one. With SendTimeout 30 s, a
// client must read at least WriteChunk bytes every 30 s (about 600 bytes a
// second) or the response is cut short.
const WriteChunk = 17 << 10

// EvictAge is how long a connection must have waited for its request
// before a new connection may take its place when the server is full.
// Real clients send their request within milliseconds of connecting; a
// connection idle this long is slow or hostile.
const EvictAge = time.Second

// Settings are a Server's connection settings. They can change while the
// server runs (Server.Configure); each connection keeps the settings it
// was accepted with. The zero value means the defaults.
type Settings struct {
	// Connections caps the connections the Server holds at once;
	// DefaultConnections if zero.
	Connections int
	// ReadTimeout bounds everything before the request is complete: the
	// PROXY header, the TLS handshake and the request line, counted from
	// the accept. DefaultReadTimeout if zero.
	ReadTimeout time.Duration
	// SendTimeout is how long a write may wait for the client to make
	// room, for each WriteChunk bytes; a response may take as long as it
	// needs while the client keeps reading. DefaultSendTimeout if zero.
	SendTimeout time.Duration
	// ClientAddr is how the access log shows client addresses.
	ClientAddr AddrMode
	// Proxy requires a PROXY protocol (v1 or v2) header on every
	// connection, from a peer in Trusted; the client address is then the
	// one the header names. Connections from other peers, and
	// connections without a valid header, are closed.
	Proxy bool
	// Trusted are the peers allowed to send PROXY headers.
	Trusted []netip.Prefix
}

func (s *Settings) connections() int {
	if s.Connections > 0 {
		return s.Connections
	}
	return DefaultConnections
}

func (s *Settings) readTimeout() time.Duration {
	if s.ReadTimeout > 0 {
		return s.ReadTimeout
	}
	return DefaultReadTimeout
}

func (s *Settings) sendTimeout() time.Duration {
	if s.SendTimeout > 0 {
		return s.SendTimeout
	}
	return DefaultSendTimeout
}

// trusts reports whether a PROXY header may come from peer.
func (s *Settings) trusts(peer netip.Addr) bool {
	peer = peer.Unmap().WithZone("")
	return slices.ContainsFunc(s.Trusted, func(p netip.Prefix) bool { return p.Contains(peer) })
}
