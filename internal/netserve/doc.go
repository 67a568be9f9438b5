// Package netserve is the connection core under Broadside's Gemini and
// Gopher servers: one accept loop, connection caps, per-address limits,
// the PROXY protocol, deadlines that measure progress, graceful shutdown and
// the access log. A protocol plugs in as a Handler that reads one request
// from a *Conn and answers it; everything that is not protocol-specific is
// written here once, so a limit or a fix applies to both protocols.
//
// The life of a connection:
//
//  1. Serve accepts it. Over Settings.Connections, the oldest connection
//     still waiting for its request (idle for at least EvictAge) is closed
//     to make room, or else the new one is refused (Handler.Refuse with
//     Busy set, for a one-line answer where the protocol makes that cheap).
//  2. With Settings.Proxy, a PROXY v1 or v2 header is read from a trusted
//     peer, and the client address becomes the one it names. A peer that
//     is not trusted, or a missing or malformed header, closes the
//     connection.
//  3. The Limiter admits the client address (IPv4 per address, IPv6 per
//     /64): over its concurrent-connection cap, or far over its request
//     rate, the connection is closed at once; a little over its rate, the
//     Handler's Refuse answers "slow down" (Gemini 44, a Gopher error item).
//  4. The Handler serves the request. The whole request (PROXY header, TLS
//     handshake and request line) must arrive within Settings.ReadTimeout;
//     the response may take as long as it needs while every write makes
//     progress within Settings.SendTimeout.
//  5. One access log record is written: proto, client, request, status,
//     bytes, duration and, when the response was cut short, error.
//
// Shutdown closes listeners and idle connections at once, drains requests
// in flight, and closes what remains when its context ends.
package netserve
