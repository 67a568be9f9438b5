package titan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadside/internal/diag"
)

const (
	editorCert = "aa11"
	guestCert  = "bb22"
)

type fixture struct {
	store            *Store
	capsule, history string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	capsule, history := filepath.Join(dir, "capsule"), filepath.Join(dir, "state", "history")
	for _, d := range []string{capsule, history} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(capsule, "about.md"), []byte("# About\n\nOld text.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cr, err := os.OpenRoot(capsule)
	if err != nil {
		t.Fatal(err)
	}
	hr, err := os.OpenRoot(history)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cr.Close(); hr.Close() })
	n := 0
	return &fixture{capsule: capsule, history: history, store: &Store{
		Capsule: cr, History: hr, MaxSize: 1000,
		Authors: []Author{
			{Name: "Editor", Certificate: editorCert},
			{Name: "Guest Writer", Certificate: guestCert, Paths: []string{"/posts/guest/"}},
		},
		Check: func(file string, src []byte) []diag.Diagnostic {
			if strings.Contains(string(src), "title: [") {
				return []diag.Diagnostic{{File: file, Line: 2, Severity: diag.Error, Message: "title: unclosed [ opened here"}}
			}
			return nil
		},
		Now: func() time.Time { n++; return time.Date(2026, 12, 3, 10, 0, n, 0, time.UTC) },
	}}
}

func upload(p, body, cert string) Upload {
	return Upload{Path: p, Mime: "text/markdown", Size: int64(len(body)), Body: strings.NewReader(body), CertSHA256: cert}
}

// files lists every file under dir, relative, with its contents.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return out
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name string
		up   Upload
		code Code
		msg  string
	}{
		{"no certificate", upload("/posts/a.md", "x", ""), CertificateRequired, "certificate is required"},
		{"unknown certificate", upload("/posts/a.md", "x", "cc33"), NotAuthorised, "may not upload"},
		{"outside the author's paths", upload("/posts/a.md", "x", guestCert), NotAuthorised, "Guest Writer may not write /posts/a.md"},
		{"prefix look-alike", upload("/posts/guestbook.md", "x", guestCert), NotAuthorised, "may not write"},
		{"escape", upload("/posts/../../etc/passwd", "x", editorCert), BadRequest, "clean"},
		{"hidden", upload("/.git/config", "x", editorCert), BadRequest, "hidden"},
		{"hidden temp", upload("/posts/x.md.swp", "x", editorCert), BadRequest, "hidden"},
		{"folder", upload("/posts/", "x", editorCert), BadRequest, "name a file"},
		{"control", upload("/posts/a\x1b.md", "x", editorCert), BadRequest, "control"},
		{"too large", Upload{Path: "/a.md", Size: 1001, Body: strings.NewReader(strings.Repeat("x", 1001)), CertSHA256: editorCert}, BadRequest, "over the 1000 byte limit"},
		{"short body", Upload{Path: "/a.md", Size: 100, Body: strings.NewReader("only this"), CertSHA256: editorCert}, BadRequest, "ended after 9 of 100 bytes"},
		{"check fails", upload("/posts/b.md", "---\ntitle: [oops\n---\n", editorCert), BadRequest, "line 2: title: unclosed"},
		{"delete missing", upload("/posts/none.md", "", editorCert), BadRequest, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			before := files(t, f.capsule)
			_, err := f.store.Accept(tt.up)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(e.Msg, tt.msg) {
				t.Fatalf("Accept = %v, want code %d with %q", err, tt.code, tt.msg)
			}
			if after := files(t, f.capsule); len(after) != len(before) || after["about.md"] != before["about.md"] {
				t.Errorf("capsule changed by a refused upload: %v", after)
			}
			if h := files(t, f.history); len(h) != 0 {
				t.Errorf("history written by a refused upload: %v", h)
			}
		})
	}
}

func TestWriteReplaceDelete(t *testing.T) {
	f := newFixture(t)
	s := f.store

	// A new article, sent to its served .gmi path as Markdown.
	res, err := s.Accept(upload("/posts/guest/new.gmi", "# New\n\nHello.\n", guestCert))
	if err != nil {
		t.Fatal(err)
	}
	if res.File != "posts/guest/new.md" || res.Previous != "" || res.Author != "Guest Writer" || res.Bytes != 14 {
		t.Errorf("result = %+v", res)
	}
	if got := files(t, f.capsule)["posts/guest/new.md"]; got != "# New\n\nHello.\n" {
		t.Errorf("written %q", got)
	}

	// Replacing keeps the old version.
	res, err = s.Accept(upload("/about.md", "# About\n\nNew text.\n", editorCert))
	if err != nil {
		t.Fatal(err)
	}
	hist := files(t, f.history)
	if res.Previous == "" || hist[res.Previous] != "# About\n\nOld text.\n" {
		t.Errorf("previous version not kept: %+v, history %v", res, hist)
	}
	if !strings.HasPrefix(res.Previous, "about.md/20261203T100002") || !strings.HasSuffix(res.Previous, "-Editor.md") {
		t.Errorf("history name %q", res.Previous)
	}

	// A zero-size upload deletes, into the history too.
	res, err = s.Accept(upload("/about.md", "", editorCert))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.capsule, "about.md")); !errors.Is(err, fs.ErrNotExist) || !res.Deleted {
		t.Errorf("not deleted: %v %+v", err, res)
	}
	if files(t, f.history)[res.Previous] != "# About\n\nNew text.\n" {
		t.Errorf("deleted version not kept at %q", res.Previous)
	}

	// No temporary file is left anywhere, and the log names each step.
	for name := range files(t, f.capsule) {
		if strings.Contains(name, ".titan-") {
			t.Errorf("temporary file left: %s", name)
		}
	}
	log := files(t, f.history)["log.jsonl"]
	if n := strings.Count(log, "\n"); n != 3 || !strings.Contains(log, `"author":"Guest Writer","op":"write","file":"posts/guest/new.md"`) || !strings.Contains(log, `"op":"delete"`) {
		t.Errorf("log:\n%s", log)
	}
}

func TestTarget(t *testing.T) {
	for _, tt := range []struct{ path, mime, want string }{
		{"/posts/x.gmi", "text/markdown", "/posts/x.md"},
		{"/posts/x.GMI", "text/x-markdown; charset=utf-8", "/posts/x.md"},
		{"/posts/x.gmi", "text/gemini", "/posts/x.gmi"},
		{"/images/a.png", "image/png", "/images/a.png"},
		{"/posts/x.md", "", "/posts/x.md"},
	} {
		if got := Target(tt.path, tt.mime); got != tt.want {
			t.Errorf("Target(%q, %q) = %q, want %q", tt.path, tt.mime, got, tt.want)
		}
	}
}
