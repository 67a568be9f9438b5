// Package titan publishes uploads that authors send from their Gemini
// clients with the Titan protocol: it decides who may write where, checks
// what they send, writes it into the capsule atomically and keeps every
// version it replaces or deletes in a history folder, so that nothing an
// author publishes is ever lost.
//
// It knows nothing of the wire: the Gemini server parses the titan://
// request and hands the body over as an io.Reader.
package titan

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"broadside/internal/diag"
)

// Author is an author allowed to upload, known by the SHA-256 of the client
// certificate they present.
type Author struct {
	Name        string
	Certificate string   // lower-case hex SHA-256 of the DER certificate
	Paths       []string // path prefixes they may write ("/posts/"); none: the whole capsule
}

// may reports whether the author may write the capsule path p.
func (a *Author) may(p string) bool {
	if len(a.Paths) == 0 {
		return true
	}
	for _, prefix := range a.Paths {
		if p == prefix || strings.HasPrefix(p, prefix) && (strings.HasSuffix(prefix, "/") || p[len(prefix)] == '/') {
			return true
		}
	}
	return false
}

// Upload is one Titan request: Size bytes of Mime for Path.
type Upload struct {
	Path  string // the unescaped path of the titan:// URL, starting with "/"
	Mime  string // media type parameter; "" when not given
	Size  int64
	Token string
	// Body yields the uploaded bytes; Accept reads at most Size of them.
	Body io.Reader
	// CertSHA256 identifies the client certificate, "" if none was sent.
	CertSHA256 string
}

// Code classifies a refusal, for the front-end's status line.
type Code int

const (
	// CertificateRequired: no client certificate (Gemini 60).
	CertificateRequired Code = iota + 1
	// NotAuthorised: unknown certificate, or a path the author may not
	// write (Gemini 61).
	NotAuthorised
	// BadRequest: the path, size or contents cannot be accepted (Gemini
	// 59).
	BadRequest
	// Failed: the server could not write (Gemini 40).
	Failed
)

// Error is a refused upload. Its message is safe to show to the client.
type Error struct {
	Code Code
	Msg  string
	Err  error // the cause, for the server log only
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

func refuse(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Result says what an accepted upload did.
type Result struct {
	Author  string
	File    string // the capsule file written or deleted, e.g. "posts/x.md"
	Deleted bool
	// Previous is where the version it replaced or deleted was kept,
	// relative to the history folder; "" when the file is new.
	Previous string
	Bytes    int64
}

// Checker reports the problems of a Markdown or gemtext document about to
// be published; any Error refuses the upload. file is its capsule path.
type Checker func(file string, src []byte) []diag.Diagnostic

// Store writes uploads into a capsule. Its methods are safe for concurrent
// use; uploads are written one at a time.
type Store struct {
	// Capsule is the capsule folder; History the folder where replaced
	// and deleted versions go (inside the state folder, never inside the
	// capsule).
	Capsule, History *os.Root
	MaxSize          int64
	Authors          []Author
	// Check, if set, vets Markdown and gemtext before they are published.
	Check  Checker
	Logger *slog.Logger
	// Now returns the time used to name history entries; nil: time.Now.
	Now func() time.Time

	mu sync.Mutex
}

// MaxPathLength bounds the path of an upload in bytes.
const MaxPathLength = 512

// Author returns the author whose certificate fingerprint is sha, or nil.
func (s *Store) Author(sha string) *Author {
	for i := range s.Authors {
		if sha != "" && strings.EqualFold(s.Authors[i].Certificate, sha) {
			return &s.Authors[i]
		}
	}
	return nil
}

// Target maps an upload to the capsule file it writes: the path as given,
// except that Markdown sent to an article's served ".gmi" path writes its
// ".md" source, so an author can edit a page at the URL they read it at.
func Target(p, mime string) string {
	mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(mime)), ";")
	if (mt == "text/markdown" || mt == "text/x-markdown") && strings.HasSuffix(strings.ToLower(p), ".gmi") {
		return p[:len(p)-len(".gmi")] + ".md"
	}
	return p
}

// Accept checks an upload and, if it may be published, writes it. Nothing
// is written unless every check passes and all Size bytes arrived.
func (s *Store) Accept(up Upload) (Result, error) {
	if up.CertSHA256 == "" {
		return Result{}, refuse(CertificateRequired, "a client certificate is required to upload")
	}
	author := s.Author(up.CertSHA256)
	if author == nil {
		return Result{}, refuse(NotAuthorised, "this certificate may not upload here")
	}
	p := Target(up.Path, up.Mime)
	file, err := checkPath(p)
	if err != nil {
		return Result{Author: author.Name}, err
	}
	if !author.may(p) {
		return Result{Author: author.Name}, refuse(NotAuthorised, "%s may not write %s", author.Name, p)
	}
	switch {
	case up.Size < 0:
		return Result{Author: author.Name}, refuse(BadRequest, "size must be given")
	case up.Size > s.MaxSize:
		return Result{Author: author.Name}, refuse(BadRequest, "%d bytes is over the %d byte limit", up.Size, s.MaxSize)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if up.Size == 0 {
		return s.delete(author, file)
	}
	return s.write(author, file, up)
}

// checkPath turns an upload path into a capsule file name, refusing paths
// that would be hidden, leave the capsule, or name a folder.
func checkPath(p string) (string, error) {
	switch {
	case len(p) > MaxPathLength:
		return "", refuse(BadRequest, "path is longer than %d bytes", MaxPathLength)
	case !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/"):
		return "", refuse(BadRequest, "path must name a file")
	case !utf8.ValidString(p) || strings.ContainsFunc(p, func(r rune) bool { return unicode.IsControl(r) || r == '\\' }):
		return "", refuse(BadRequest, "path has control characters")
	}
	file := strings.TrimPrefix(p, "/")
	for seg := range strings.SplitSeq(file, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", refuse(BadRequest, "path must be clean")
		}
	}
	if hidden(file) {
		return "", refuse(BadRequest, "hidden and temporary files cannot be uploaded")
	}
	return file, nil
}

// hidden mirrors the capsule loader's rule: dot files and editors'
// temporary files are never served, so they are never written either.
func hidden(file string) bool {
	for seg := range strings.SplitSeq(file, "/") {
		if strings.HasPrefix(seg, ".") || strings.HasSuffix(seg, "~") ||
			(strings.HasPrefix(seg, "#") && strings.HasSuffix(seg, "#")) {
			return true
		}
	}
	switch strings.ToLower(path.Ext(file)) {
	case ".swp", ".swx", ".tmp", ".bak":
		return true
	}
	return false
}

func isDocument(file string) bool {
	switch strings.ToLower(path.Ext(file)) {
	case ".md", ".markdown", ".gmi":
		return true
	}
	return false
}

// write streams the body into a hidden temporary file beside the target,
// checks it, keeps the previous version, and renames it into place.
func (s *Store) write(author *Author, file string, up Upload) (Result, error) {
	res := Result{Author: author.Name, File: file}
	dir := path.Dir(file)
	if err := s.Capsule.MkdirAll(dir, 0o755); err != nil {
		return res, s.failed("creating the folder", err)
	}
	tmp := path.Join(dir, ".titan-"+randomName()+".tmp")
	f, err := s.Capsule.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return res, s.failed("creating a temporary file", err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			s.Capsule.Remove(tmp)
		}
	}()
	n, err := io.Copy(f, io.LimitReader(up.Body, up.Size))
	res.Bytes = n
	if err != nil || n < up.Size {
		return res, &Error{Code: BadRequest, Msg: fmt.Sprintf("upload ended after %d of %d bytes; nothing was written", n, up.Size), Err: err}
	}
	if err := f.Sync(); err != nil {
		return res, s.failed("writing", err)
	}
	if err := f.Close(); err != nil {
		return res, s.failed("writing", err)
	}
	if isDocument(file) && s.Check != nil {
		src, err := s.Capsule.ReadFile(tmp)
		if err != nil {
			return res, s.failed("reading back", err)
		}
		for _, d := range s.Check(file, src) {
			if d.Severity == diag.Error {
				return res, refuse(BadRequest, "%s", firstProblem(d))
			}
		}
	}
	prev, err := s.keep(file, author)
	if err != nil {
		return res, err
	}
	res.Previous = prev
	if err := s.Capsule.Rename(tmp, file); err != nil {
		return res, s.failed("publishing", err)
	}
	committed = true
	syncDir(s.Capsule, dir)
	s.record(author, file, "write", prev, n)
	return res, nil
}

// firstProblem is the diagnostic as the meta line shows it: line and
// message, within the 1024 bytes a header allows.
func firstProblem(d diag.Diagnostic) string {
	msg := d.Message
	if d.Line > 0 {
		msg = fmt.Sprintf("line %d: %s", d.Line, msg)
	}
	if len(msg) > 900 {
		cut := 900
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// delete moves a file into the history.
func (s *Store) delete(author *Author, file string) (Result, error) {
	res := Result{Author: author.Name, File: file, Deleted: true}
	fi, err := s.Capsule.Lstat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return res, refuse(BadRequest, "%s does not exist; nothing to delete", "/"+file)
	}
	if err != nil || !fi.Mode().IsRegular() {
		return res, refuse(BadRequest, "only regular files can be deleted")
	}
	prev, err := s.keep(file, author)
	if err != nil {
		return res, err
	}
	if err := s.Capsule.Remove(file); err != nil {
		return res, s.failed("deleting", err)
	}
	syncDir(s.Capsule, path.Dir(file))
	res.Previous = prev
	s.record(author, file, "delete", prev, 0)
	return res, nil
}

// keep copies the current version of file, if any, into the history, and
// returns its name there.
func (s *Store) keep(file string, author *Author) (string, error) {
	src, err := s.Capsule.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", s.failed("reading the current version", err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return "", s.failed("reading the current version", err)
	}
	if fi.IsDir() {
		return "", refuse(BadRequest, "/%s is a folder", file)
	}
	if !fi.Mode().IsRegular() {
		return "", refuse(BadRequest, "/%s is not a regular file", file)
	}
	stamp := s.now().UTC().Format("20060102T150405.000000000Z")
	name := path.Join(file, stamp+"-"+safeName(author.Name)+path.Ext(file))
	if err := s.History.MkdirAll(path.Dir(name), 0o700); err != nil {
		return "", s.failed("creating the history folder", err)
	}
	dst, err := s.History.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", s.failed("keeping the previous version", err)
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.History.Remove(name)
		return "", s.failed("keeping the previous version", err)
	}
	return name, nil
}

// record appends one line to the history's log, so an operator can see
// who changed what.
func (s *Store) record(author *Author, file, op, prev string, n int64) {
	line, _ := json.Marshal(struct {
		Time     string `json:"time"`
		Author   string `json:"author"`
		Op       string `json:"op"`
		File     string `json:"file"`
		Bytes    int64  `json:"bytes"`
		Previous string `json:"previous,omitempty"`
	}{s.now().UTC().Format(time.RFC3339Nano), author.Name, op, file, n, prev})
	f, err := s.History.OpenFile("log.jsonl", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err == nil {
		_, err = f.Write(append(line, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		s.logger().Warn("titan: writing the history log", "err", err)
	}
}

func (s *Store) failed(what string, err error) *Error {
	s.logger().Error("titan: upload failed", "step", what, "err", err)
	return &Error{Code: Failed, Msg: "the upload could not be saved", Err: err}
}

func (s *Store) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// syncDir flushes a folder's entries, so a rename survives a crash.
func syncDir(root *os.Root, dir string) {
	if d, err := root.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func randomName() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// safeName keeps letters, digits, '-' and '_' of an author's name for a
// file name.
func safeName(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)), r == '-', r == '_':
			return r
		case unicode.IsSpace(r):
			return '_'
		}
		return -1
	}, name)
	if s == "" {
		return "author"
	}
	return s
}
