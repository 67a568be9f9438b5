package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	if err := os.Mkdir(site, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(site, "broadside.toml")
	if err := os.WriteFile(file, []byte("title = \"Loaded\"\ncapsule = \"articles\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("explicit file, relative paths against its folder", func(t *testing.T) {
		t.Chdir(dir) // a relative path given on the command line
		c, err := Load(filepath.Join("site", "broadside.toml"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Title != "Loaded" || c.File != file || c.Capsule != filepath.Join(site, "articles") ||
			c.Gemini.Certs != filepath.Join(site, "certs") {
			t.Errorf("got title %q file %q capsule %q certs %q", c.Title, c.File, c.Capsule, c.Gemini.Certs)
		}
	})
	t.Run("explicit missing file is an error", func(t *testing.T) {
		_, err := Load(filepath.Join(dir, "nope.toml"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("no path and no config.toml gives defaults", func(t *testing.T) {
		t.Chdir(dir)
		c, err := Load("")
		if err != nil {
			t.Fatal(err)
		}
		if c.File != "" || c.Title != "Broadside" || c.Capsule != filepath.Join(dir, "capsule") {
			t.Errorf("got file %q title %q capsule %q", c.File, c.Title, c.Capsule)
		}
	})
	t.Run("no path reads config.toml in the current folder", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(site, DefaultFile), []byte("title = \"Default file\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(site)
		c, err := Load("")
		if err != nil {
			t.Fatal(err)
		}
		if c.Title != "Default file" || c.File != filepath.Join(site, DefaultFile) {
			t.Errorf("got title %q file %q", c.Title, c.File)
		}
	})
	t.Run("unreadable default file is an error, not defaults", func(t *testing.T) {
		d := filepath.Join(dir, "isdir")
		if err := os.MkdirAll(filepath.Join(d, DefaultFile), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Chdir(d)
		if _, err := Load(""); err == nil {
			t.Error("Load read a folder named config.toml without error")
		}
	})
	t.Run("invalid file reports its path", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.toml")
		if err := os.WriteFile(bad, []byte("[feed]\nentries = 0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(bad)
		var ce *Error
		if !errors.As(err, &ce) || ce.File != bad || ce.Line != 2 || ce.Key != "feed.entries" {
			t.Errorf("err = %v, want *Error at %s:2 for feed.entries", err, bad)
		}
	})
}
