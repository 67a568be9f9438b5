// Package frontend adapts the protocol-neutral site to the protocol
// servers: Gemini maps a site.Response to a status line and body, Gopher
// maps it to menus, text views and error items. The site knows neither
// protocol; the servers know nothing of the site.
package frontend
