package config

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every accepted config
// satisfies the invariants the servers rely on, that every problem is an
// *Error pointing into the file, and that results are deterministic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte(Example))
	f.Add([]byte("title = 5\n[gemini]\nlisten = \"x\"\nport = 99999\n[zzz]\na = 1\n"))
	f.Add([]byte("hostname = \"2001:db8::1\"\n[gopher]\nlisten = \"\"\nport = 70\n"))
	f.Add([]byte("gemini = { listen = \"127.0.0.1:0\" }\nrender.links = \"end\"\nTitle = \"x\"\n"))
	f.Add([]byte("[gemini\n"))
	f.Add([]byte("[limits]\nrate = 0.5\nread_timeout = \"1s\"\n[proxy]\ntrusted = [\"::ffff:1.2.3.4/120\"]\n[gopher]\nproxy_protocol = true\n[log]\nclient_addr = false\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, siteFile)
		c2, err2 := Parse(data, siteFile)
		if errString(err) != errString(err2) || (c == nil) != (c2 == nil) {
			t.Fatalf("Parse is not deterministic:\n%v\n---\n%v", err, err2)
		}
		if err != nil {
			if c != nil {
				t.Fatal("a config came back with an error")
			}
			lines := bytes.Count(data, []byte("\n")) + 1
			list := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				list = j.Unwrap()
			}
			for _, e := range list {
				var ce *Error
				if !errors.As(e, &ce) {
					t.Fatalf("%v is not a *Error", e)
				}
				if ce.File != siteFile || ce.Line < 0 || ce.Line > lines {
					t.Errorf("%q: file or line %d outside 0..%d", ce.Error(), ce.Line, lines)
				}
			}
			return
		}
		switch {
		case !filepath.IsAbs(c.Capsule) || !filepath.IsAbs(c.Gemini.Certs):
			t.Errorf("relative path: capsule %q certs %q", c.Capsule, c.Gemini.Certs)
		case c.Hostname == "" || checkHost(c.Hostname) != nil || c.Hostname != strings.ToLower(c.Hostname):
			t.Errorf("bad hostname %q", c.Hostname)
		case c.Gemini.Port < 0 || c.Gemini.Port > 65535 || c.Gopher.Port < 0 || c.Gopher.Port > 65535:
			t.Errorf("port out of range: %d %d", c.Gemini.Port, c.Gopher.Port)
		case c.Gemini.Listen == "":
			t.Error("empty gemini listen address")
		case c.Timezone == nil:
			t.Error("nil timezone")
		case c.Title == "" || c.Lang == "" || c.Favicon == "":
			t.Errorf("empty title %q, lang %q or favicon %q", c.Title, c.Lang, c.Favicon)
		case c.Feed.Entries < 1 || c.Feed.Entries > 1000 || c.Index.Recent < 1 || c.Index.Recent > 10000:
			t.Errorf("entries %d or recent %d out of range", c.Feed.Entries, c.Index.Recent)
		case !slices.Contains([]string{"block", "end", "numbered", "off"}, c.Render.Links),
			!slices.Contains([]string{"h3", "text"}, c.Render.DeepHeadings),
			!slices.Contains([]string{"strip", "keep"}, c.Render.Emphasis),
			!slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level):
			t.Errorf("bad mode in %+v %+v", c.Render, c.Log)
		case c.File != siteFile:
			t.Errorf("File = %q", c.File)
		}
		if _, err := checkListen(c.Gemini.Listen); err != nil {
			t.Errorf("accepted bad gemini listen: %v", err)
		}
		if c.Gopher.Enabled() {
			if _, err := checkListen(c.Gopher.Listen); err != nil {
				t.Errorf("accepted bad gopher listen: %v", err)
			}
		}
		// Network keys: modes known, limits in range, PROXY only with
		// trusted senders.
		switch {
		case !slices.Contains([]string{"full", "truncated", "none"}, c.Log.ClientAddr),
			!slices.Contains([]string{"text", "json"}, c.Log.Format):
			t.Errorf("bad log mode %+v", c.Log)
		case c.Limits.Rate < 0 || c.Limits.Burst < 1 || c.Limits.PerAddress < 0 || c.Limits.Connections < 1,
			c.Limits.ReadTimeout <= 0 || c.Limits.SendTimeout <= 0:
			t.Errorf("limits out of range: %+v", c.Limits)
		case (c.Gemini.ProxyProtocol || c.Gopher.ProxyProtocol) && len(c.Proxy.Trusted) == 0:
			t.Error("PROXY protocol accepted without trusted senders")
		case c.Gemini.TicketKeys != "" && !filepath.IsAbs(c.Gemini.TicketKeys):
			t.Errorf("relative ticket key path %q", c.Gemini.TicketKeys)
		}
		for _, p := range c.Proxy.Trusted {
			if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() {
				t.Errorf("trusted prefix %v not canonical", p)
			}
		}
		for _, p := range c.Removed {
			if !strings.HasPrefix(p, "/") {
				t.Errorf("removed path %q", p)
			}
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
