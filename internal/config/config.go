// Package config loads and validates Broadside's config.toml.
//
// The file is decoded into a raw form (every value still a toml.Primitive),
// then each key is decoded and validated into Config. Every problem is
// collected and returned at once as an errors.Join of *Error values, each
// naming its key and line; unknown keys are errors. Every key has a default,
// so a missing or empty file gives a working configuration. See Example for
// every key, documented.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// DefaultFile is the file Load reads when it is given no path.
const DefaultFile = "config.toml"

// Config is a validated configuration. A *Config is never modified after
// Parse returns it, so it is safe to share between goroutines; reloading
// builds a new one.
type Config struct {
	File     string         // absolute path of the file read ("" if none)
	Title    string         // site title: index heading, feed title
	Hostname string         // lower-case DNS name or IP literal; no scheme, port or path
	Capsule  string         // absolute folder of the articles
	Lang     string         // canonical BCP 47 tag
	Author   string         // default feed author; may be ""
	Timezone *time.Location // zone for dates written without one; never nil
	Gemini   Gemini
	Gopher   Gopher
	Log      Log
	Render   Render
	Feed     Feed
	Index    Index
	Limits   Limits   // per-client-address limits and connection timeouts
	Proxy    Proxy    // PROXY protocol senders
	Removed  []string // paths that answer 52 Gone; each starts with "/"
	Robots   string   // body of /robots.txt when the capsule has none; "" = built-in default
	Favicon  string   // body of /favicon.txt: one emoji
	Cache    Cache
	// State is the folder of data Broadside keeps between runs (the
	// search index, metadata, Titan's history), created 0700.
	State string
	Titan Titan
	// Strings are the [strings.LANG] tables: page chrome the site
	// overrides or adds, by language and message id, as decoded from
	// TOML (a string, or a table of plural forms). The i18n catalog
	// checks them.
	Strings map[string]map[string]any
	// Redirects are the [[redirect]] rules, in the file's order.
	Redirects []Redirect

	pos *positions // for StringsLine
}

// Gemini configures the Gemini server.
type Gemini struct {
	Listen        string // host:port to bind; port 0 picks a free one (tests)
	Port          int    // public port in URLs and request checks; 0 = the port actually bound
	Certs         string // absolute certificate folder
	ProxyProtocol bool   // expect a PROXY v1/v2 header from Proxy.Trusted on every connection
	TicketKeys    string // absolute session ticket key file; "" = per-process keys
}

// Gopher configures the Gopher server.
type Gopher struct {
	Listen        string // host:port to bind; "" disables Gopher
	Port          int    // public port written into menus; 0 = the port actually bound
	ProxyProtocol bool   // expect a PROXY v1/v2 header from Proxy.Trusted on every connection
}

// Enabled reports whether Gopher is served.
func (g Gopher) Enabled() bool { return g.Listen != "" }

// Log configures logging.
type Log struct {
	ClientAddr string // "full", "truncated" (IPv4 /24, IPv6 /48) or "none"
	Level      string // "debug", "info", "warn" or "error"
	Format     string // "text" or "json"
}

// SlogLevel returns Level as a slog.Level.
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Render configures Markdown conversion; the values are the names listed
// in Example.
type Render struct {
	Links        string // "block", "end", "numbered" or "off"
	DeepHeadings string // "h3" or "text"
	Emphasis     string // "strip" or "keep"
}

// Feed configures the Atom feeds.
type Feed struct {
	Entries int // entries per feed, 1..1000
	// IDAuthority is the host name in the tag: URIs that identify entries.
	// It defaults to Hostname; set it to the first host name when the
	// capsule moves, so readers' feed readers see no entry as new.
	IDAuthority string
}

// Index configures the home page.
type Index struct {
	Recent   int // articles listed on "/", 1..10000
	PageSize int // articles on one page of a tag, 1..10000
}

// Load reads and parses a config file. With path "", it reads DefaultFile
// in the current folder if there is one and otherwise returns the defaults
// (relative paths then resolve against the current folder). A path that is
// given must exist: a missing -config FILE is an error, not a silent
// default. So main passes the -config flag value as is, "" when unset.
func Load(path string) (*Config, error) {
	explicit := path != ""
	if !explicit {
		path = DefaultFile
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return Parse(nil, "")
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes and validates a config file's contents. file names the file
// in errors and its folder is where relative paths resolve; "" means no
// file (the current folder). On any problem it returns nil and every
// problem joined.
func Parse(data []byte, file string) (*Config, error) {
	base, abs, err := baseDir(file)
	if err != nil {
		return nil, err
	}
	r, errs := decode(data, file)
	if r == nil {
		return nil, errors.Join(errs...)
	}
	v := &validator{file: file, raw: r, base: base}
	c := v.config()
	c.File = abs
	c.pos = &r.pos
	if errs = append(errs, v.errs...); len(errs) > 0 {
		sortByLine(errs)
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// baseDir returns the folder relative paths resolve against, and the
// absolute path of file ("" for no file).
func baseDir(file string) (dir, abs string, err error) {
	if file == "" {
		dir, err = os.Getwd()
		if err != nil {
			return "", "", fmt.Errorf("config: current folder: %w", err)
		}
		return dir, "", nil
	}
	abs, err = filepath.Abs(file)
	if err != nil {
		return "", "", fmt.Errorf("config: %s: %w", file, err)
	}
	return filepath.Dir(abs), abs, nil
}

// sortByLine orders problems as they appear in the file; those without a
// line keep their order, at the end.
func sortByLine(errs []error) {
	line := func(e error) int {
		var ce *Error
		if errors.As(e, &ce) && ce.Line > 0 {
			return ce.Line
		}
		return math.MaxInt
	}
	slices.SortStableFunc(errs, func(a, b error) int { return cmp.Compare(line(a), line(b)) })
}
