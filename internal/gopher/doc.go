// Package gopher serves Broadside over the Gopher protocol (RFC 1436) and
// turns gemtext, the site's hub format, into Gopher menus and wrapped text.
//
// The server is shaped like net/http and go-gemini: a Handler answers a
// Request through a ResponseWriter, and Server.ServeConn serves one
// connection, so tests can drive the real code over net.Pipe. Menus scrub
// every display string and selector themselves, so attacker-controlled
// titles, tags and file names can never inject TAB, CR or LF into a menu.
package gopher
