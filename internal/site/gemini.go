package site

import (
	"io"
	"log/slog"

	"broadside/internal/gemini"
)

// ServeGemini answers a validated Gemini request from the current site.
func (l *Live) ServeGemini(w gemini.ResponseWriter, r *gemini.Request) {
	s := l.Load()
	if s == nil {
		w.WriteHeader(gemini.StatusTemporaryFailure, "Starting up")
		return
	}
	res := s.Lookup(r.Path)
	switch res.Status {
	case Found:
		if res.Page != nil {
			w.WriteHeader(gemini.StatusSuccess, res.Type)
			for _, part := range res.Page.Parts {
				if _, err := w.Write(part); err != nil {
					return
				}
			}
			return
		}
		s.serveFile(w, res)
	case Redirect:
		w.WriteHeader(gemini.StatusPermanentRedirect, res.Target)
	case Gone:
		w.WriteHeader(gemini.StatusGone, "Gone")
	default:
		w.WriteHeader(gemini.StatusNotFound, "Not found")
	}
}

func (s *Site) serveFile(w gemini.ResponseWriter, res Resource) {
	f, err := s.opts.Static.Open(res.File)
	if err != nil {
		w.WriteHeader(gemini.StatusNotFound, "Not found")
		return
	}
	defer f.Close()
	w.WriteHeader(gemini.StatusSuccess, res.Type)
	if _, err := io.Copy(w, f); err != nil {
		slog.Debug("writing static file", "file", res.File, "err", err)
	}
}
