// Package gemini is Broadside's Gemini protocol front-end: a server written on
// crypto/tls and net that validates every request line before any handler
// sees it, plus the TLS certificate store the server presents.
//
// The shape follows net/http: a Handler answers a Request through a
// ResponseWriter, and Server accepts connections and runs one handler call
// per connection (Gemini is one request per connection). Validation lives in
// ParseRequest so it can be tested alone; the rules are PROTOCOL.md's request
// table.
package gemini
