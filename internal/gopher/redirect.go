package gopher

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
)

// URLPrefix starts the selectors of 'h' items that point at other
// protocols ("URL:https://example.org/"), the convention most clients
// follow by opening the URL directly.
const URLPrefix = "URL:"

// ErrSchemeNotAllowed is returned by RedirectPage for URLs it will not
// redirect to.
var ErrSchemeNotAllowed = errors.New("scheme not allowed")

// redirectSchemes are the only schemes RedirectPage links to: no
// javascript:, data: or file:.
var redirectSchemes = map[string]bool{"http": true, "https": true, "gemini": true, "gopher": true, "mailto": true}

// RedirectPage returns the small HTML page a server sends for a "URL:"
// selector, for clients that fetch it instead of opening the URL: a meta
// refresh and a link to rawURL, HTML-escaped. rawURL must be an absolute
// http, https, gemini, gopher or mailto URL without spaces or control
// characters; anything else is an error wrapping ErrSchemeNotAllowed or
// describing the defect.
func RedirectPage(rawURL string) ([]byte, error) {
	for _, r := range rawURL {
		if r == ' ' || isControl(r) {
			return nil, fmt.Errorf("gopher: redirect url contains space or control character U+%04X", r)
		}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("gopher: redirect url: %w", err)
	}
	scheme := strings.ToLower(u.Scheme)
	if !redirectSchemes[scheme] {
		return nil, fmt.Errorf("gopher: redirect to %q: %w", scheme, ErrSchemeNotAllowed)
	}
	if scheme == "mailto" {
		if u.Opaque == "" {
			return nil, errors.New("gopher: redirect url: mailto without an address")
		}
	} else if u.Host == "" {
		return nil, fmt.Errorf("gopher: redirect url: %s url without a host", scheme)
	}
	e := html.EscapeString(rawURL)
	page := `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=` + e + `">
<title>Redirect</title>
</head>
<body>
<p>This link leaves Gopherspace. Follow it: <a href="` + e + `">` + e + `</a></p>
</body>
</html>
`
	return []byte(page), nil
}
