package frontend

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"

	"broadside/internal/gemini"
	"broadside/internal/site"
)

// Gemini serves the live site over Gemini. Logger, if set, receives
// problems met while streaming static files.
type Gemini struct {
	Live   *site.Live
	Logger *slog.Logger
}

// ServeGemini answers a validated Gemini request from the current site.
func (g *Gemini) ServeGemini(w gemini.ResponseWriter, r *gemini.Request) {
	req := &site.Request{Path: r.Path, Proto: site.Gemini, Client: geminiClient(r), Context: r.Context()}
	if u := r.Upload; u != nil {
		req.Proto = site.Titan
		req.Upload = &site.Upload{Mime: u.Mime, Size: u.Size, Token: u.Token, Body: u.Body}
	}
	if r.URL != nil && r.URL.RawQuery != "" {
		q, err := url.PathUnescape(r.URL.RawQuery)
		if err != nil {
			w.WriteHeader(gemini.StatusBadRequest, "malformed query")
			return
		}
		req.Query = q
	}
	s := g.Live.Load()
	var res site.Response
	if s == nil {
		res = g.Live.Serve(req)
	} else {
		res = s.Serve(req)
	}
	switch res.Status {
	case site.Found:
		if res.Page != nil {
			w.WriteHeader(gemini.StatusSuccess, res.Type)
			for _, part := range res.Page.Parts {
				if _, err := w.Write(part); err != nil {
					return
				}
			}
			return
		}
		g.serveFile(w, s, res)
	case site.Redirect:
		status := gemini.StatusPermanentRedirect
		if res.Temporary {
			status = gemini.StatusRedirect
		}
		w.WriteHeader(status, res.Target)
	case site.Input:
		status := gemini.StatusInput
		if res.Sensitive {
			status = gemini.StatusSensitiveInput
		}
		w.WriteHeader(status, res.Prompt)
	case site.Gone:
		// The status names stay as the protocol has them: clients show
		// their own words for 51 and 52.
		w.WriteHeader(gemini.StatusGone, "Gone")
	case site.RateLimited:
		secs := max(1, int(res.RetryAfter.Seconds()+0.5))
		w.WriteHeader(gemini.StatusSlowDown, strconv.Itoa(secs))
	case site.Unavailable:
		w.WriteHeader(gemini.StatusTemporaryFailure, res.Message)
	case site.BadRequest:
		w.WriteHeader(gemini.StatusBadRequest, res.Message)
	case site.CertificateRequired:
		w.WriteHeader(gemini.StatusCertificateRequired, res.Message)
	case site.NotAuthorised:
		w.WriteHeader(gemini.StatusCertificateNotAuthorized, res.Message)
	default:
		w.WriteHeader(gemini.StatusNotFound, "Not found")
	}
}

func (g *Gemini) serveFile(w gemini.ResponseWriter, s *site.Site, res site.Response) {
	f, err := s.Open(res.File)
	if err != nil {
		w.WriteHeader(gemini.StatusNotFound, "Not found")
		return
	}
	defer f.Close()
	w.WriteHeader(gemini.StatusSuccess, res.Type)
	if _, err := io.Copy(w, f); err != nil && g.Logger != nil {
		g.Logger.Debug("writing static file", "file", res.File, "err", err)
	}
}

// geminiClient reads the client's address and certificate from the
// request.
func geminiClient(r *gemini.Request) site.Client {
	var c site.Client
	c.Addr = addrOf(r.RemoteAddr)
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		sum := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
		c.CertSHA256 = hex.EncodeToString(sum[:])
	}
	return c
}

// addrOf extracts the IP address of a network address, unmapping IPv4 in
// IPv6.
func addrOf(a net.Addr) netip.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort().Addr().Unmap()
	}
	if a == nil {
		return netip.Addr{}
	}
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
