package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"

	"broadside/internal/capsule"
	"broadside/internal/config"
	"broadside/internal/diag"
	"broadside/internal/publish"
	"broadside/internal/site"
	"broadside/internal/titan"
)

// uploader publishes Titan uploads into the capsule: the titan package
// decides and writes, the publisher makes the result live before the
// client is sent to it.
type uploader struct {
	store    *titan.Store
	pub      *publish.Publisher
	live     *site.Live
	logger   *slog.Logger
	capsule  *os.Root
	history  *os.Root
	copts    capsule.Options
	hostname string
}

// newUploader opens the capsule and the history folder (state/history,
// created 0700) for uploads; nil when uploads are off.
func newUploader(cfg *config.Config, copts capsule.Options, pub *publish.Publisher, live *site.Live, logger *slog.Logger) (*uploader, error) {
	if !cfg.Titan.Enabled {
		return nil, nil
	}
	dir := filepath.Join(cfg.State, "history")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("titan: history folder: %w", err)
	}
	if err := os.Chmod(cfg.State, 0o700); err != nil {
		return nil, fmt.Errorf("titan: state folder: %w", err)
	}
	hist, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("titan: history folder: %w", err)
	}
	root, err := os.OpenRoot(cfg.Capsule)
	if err != nil {
		hist.Close()
		return nil, fmt.Errorf("titan: capsule: %w", err)
	}
	u := &uploader{pub: pub, live: live, logger: logger, capsule: root, history: hist, copts: copts, hostname: cfg.Hostname}
	u.store = &titan.Store{Capsule: root, History: hist, MaxSize: cfg.Titan.MaxSize, Check: u.check, Logger: logger}
	for _, a := range cfg.Titan.Authors {
		u.store.Authors = append(u.store.Authors, titan.Author{Name: a.Name, Certificate: a.Certificate, Paths: a.Paths})
	}
	return u, nil
}

// Close releases the folders.
func (u *uploader) Close() error {
	return errors.Join(u.capsule.Close(), u.history.Close())
}

// check vets a document as the capsule loader will read it: an error
// (a front matter that does not parse, a wrong type) refuses the upload,
// so what an author sends from a client is never published broken.
func (u *uploader) check(file string, src []byte) []diag.Diagnostic {
	return capsule.Parse(file, src, u.copts).Problems
}

// serve answers one upload: 30 to what was published, or the refusal.
func (u *uploader) serve(r *site.Request) site.Response {
	res, err := u.store.Accept(titan.Upload{
		Path: r.Path, Mime: r.Upload.Mime, Size: r.Upload.Size, Token: r.Upload.Token,
		Body: r.Upload.Body, CertSHA256: r.Client.CertSHA256,
	})
	if err != nil {
		var te *titan.Error
		if !errors.As(err, &te) {
			return site.Response{Status: site.Unavailable, Message: "the upload could not be saved"}
		}
		u.logger.Warn("titan upload refused", "author", res.Author, "path", r.Path, "size", r.Upload.Size, "reason", te.Msg, "err", te.Err)
		status := map[titan.Code]site.Status{
			titan.CertificateRequired: site.CertificateRequired,
			titan.NotAuthorised:       site.NotAuthorised,
			titan.BadRequest:          site.BadRequest,
		}[te.Code]
		if status == 0 {
			status = site.Unavailable
		}
		return site.Response{Status: status, Message: te.Msg}
	}
	op := "published"
	if res.Deleted {
		op = "deleted"
	}
	u.logger.Info("titan upload "+op, "author", res.Author, "file", res.File, "bytes", res.Bytes, "previous", res.Previous)
	// Reload now, so the redirect leads to the new version, not to what
	// the watcher has yet to see: that file only, not the whole capsule.
	if err := u.pub.Update(res.File); err != nil {
		u.logger.Error("reloading after an upload", "err", err)
	}
	target := capsule.ServedPath(res.File)
	if res.Deleted {
		target = path.Dir(target)
		if !strings.HasSuffix(target, "/") {
			target += "/"
		}
	}
	if s := u.live.Load(); s != nil {
		target = s.URL(target)
	}
	return site.Response{Status: site.Redirect, Temporary: true, Target: target}
}
