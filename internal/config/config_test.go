package config

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"broadside/internal/diag"
)

// siteFile is where the test config pretends to live.
var siteFile = filepath.Join(string(filepath.Separator), "srv", "site", "config.toml")

func mustParse(t *testing.T, src string) *Config {
	t.Helper()
	c, err := Parse([]byte(src), siteFile)
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, "")
	want := &Config{
		File:     siteFile,
		Title:    "Broadside",
		Hostname: "localhost",
		Capsule:  filepath.Join(filepath.Dir(siteFile), "capsule"),
		Lang:     "en",
		Timezone: time.UTC,
		Gemini: Gemini{Listen: ":1965", Port: 1965, Certs: filepath.Join(filepath.Dir(siteFile), "certs"),
			TicketKeys: filepath.Join(filepath.Dir(siteFile), "certs", "tickets.key")},
		Gopher: Gopher{Listen: ":7070", Port: 7070},
		Log:    Log{ClientAddr: "truncated", Level: "info", Format: "text"},
		Limits: Limits{Rate: 10, Burst: 60, PerAddress: 16, Connections: 1024,
			ReadTimeout: 10 * time.Second, SendTimeout: 30 * time.Second},
		Render:  Render{Links: "block", DeepHeadings: "h3", Emphasis: "strip"},
		Feed:    Feed{Entries: 20, IDAuthority: "localhost"},
		Index:   Index{Recent: 30, PageSize: 50},
		Favicon: "📰",
		Cache:   Cache{Size: 64 << 20},
		State:   filepath.Join(filepath.Dir(siteFile), "state"),
		Titan:   Titan{MaxSize: 1 << 20},
	}
	c.pos = nil // positions are the file's, not settings
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults\n got %+v\nwant %+v", c, want)
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	c, err := Parse(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "" || c.Capsule != filepath.Join(wd, "capsule") || c.Gemini.Certs != filepath.Join(wd, "certs") {
		t.Errorf("got file %q capsule %q certs %q, want none and paths under %s", c.File, c.Capsule, c.Gemini.Certs, wd)
	}
}

// TestExampleIsDefaults keeps Example, the documentation of every key, in
// step with the code: it must parse, and to exactly the defaults.
func TestExampleIsDefaults(t *testing.T) {
	ex := mustParse(t, Example)
	def := mustParse(t, "")
	ex.pos, def.pos = nil, nil
	if !reflect.DeepEqual(ex, def) {
		t.Errorf("Example differs from the defaults\nexample %+v\ndefault %+v", ex, def)
	}
	for _, key := range []string{"title", "hostname", "capsule", "lang", "author", "timezone", "removed",
		"robots", "favicon", "[gemini]", "listen", "port", "certs", "[gopher]", "[log]", "client_addr",
		"level", "format", "[limits]", "rate", "burst", "per_address", "connections", "read_timeout", "send_timeout",
		"[proxy]", "trusted", "proxy_protocol", "ticket_keys", "[render]", "links", "deep_headings", "emphasis", "[feed]", "entries", "[index]", "recent"} {
		if !strings.Contains(Example, key) {
			t.Errorf("Example does not document %s", key)
		}
	}
}

func TestValid(t *testing.T) {
	dir := filepath.Dir(siteFile)
	tests := []struct {
		name  string
		src   string
		check func(c *Config) bool
	}{
		{"title trimmed", `title = "  My site "`, func(c *Config) bool { return c.Title == "My site" }},
		{"hostname lower-cased", `hostname = "Example.ORG"`, func(c *Config) bool { return c.Hostname == "example.org" }},
		{"hostname ipv4", `hostname = "192.0.2.1"`, func(c *Config) bool { return c.Hostname == "192.0.2.1" }},
		{"hostname ipv6", `hostname = "2001:db8::1"`, func(c *Config) bool { return c.Hostname == "2001:db8::1" }},
		{"hostname punycode", `hostname = "xn--caf-dma.example"`, func(c *Config) bool { return c.Hostname == "xn--caf-dma.example" }},
		{"relative capsule resolves against the file's folder", `capsule = "../content/posts"`,
			func(c *Config) bool { return c.Capsule == filepath.Join(dir, "..", "content", "posts") }},
		{"absolute capsule kept", `capsule = "/var/capsule/"`, func(c *Config) bool { return c.Capsule == "/var/capsule" }},
		{"relative certs resolve", "[gemini]\ncerts = \"tls\"", func(c *Config) bool { return c.Gemini.Certs == filepath.Join(dir, "tls") }},
		{"lang canonicalised", `lang = "pt-br"`, func(c *Config) bool { return c.Lang == "pt-BR" }},
		{"author", `author = "Ann Example"`, func(c *Config) bool { return c.Author == "Ann Example" }},
		{"timezone", `timezone = "Europe/Paris"`, func(c *Config) bool { return c.Timezone.String() == "Europe/Paris" }},
		{"empty timezone is utc", `timezone = ""`, func(c *Config) bool { return c.Timezone == time.UTC }},
		{"removed", `removed = ["/a.gmi", "/old/"]`, func(c *Config) bool { return reflect.DeepEqual(c.Removed, []string{"/a.gmi", "/old/"}) }},
		{"robots", `robots = "User-agent: *\nDisallow: /x\n"`, func(c *Config) bool { return strings.HasPrefix(c.Robots, "User-agent") }},
		{"favicon zwj family", `favicon = "👨‍👩‍👧"`, func(c *Config) bool { return c.Favicon == "👨‍👩‍👧" }},
		{"gemini port defaults to listen port", "[gemini]\nlisten = \"127.0.0.1:11965\"",
			func(c *Config) bool { return c.Gemini.Listen == "127.0.0.1:11965" && c.Gemini.Port == 11965 }},
		{"gemini listen port 0 for tests", "[gemini]\nlisten = \"127.0.0.1:0\"", func(c *Config) bool { return c.Gemini.Port == 0 }},
		{"gemini public port differs", "[gemini]\nlisten = \":11965\"\nport = 1965", func(c *Config) bool { return c.Gemini.Port == 1965 }},
		{"gemini ipv6 listen", "[gemini]\nlisten = \"[::1]:1965\"", func(c *Config) bool { return c.Gemini.Port == 1965 }},
		{"gemini listen host name", "[gemini]\nlisten = \"localhost:1965\"", func(c *Config) bool { return c.Gemini.Listen == "localhost:1965" }},
		{"gopher disabled", "[gopher]\nlisten = \"\"", func(c *Config) bool { return !c.Gopher.Enabled() && c.Gopher.Port == 0 }},
		{"gopher public port behind nat", "[gopher]\nlisten = \":7000\"\nport = 70", func(c *Config) bool { return c.Gopher.Port == 70 }},
		{"gopher port defaults to listen port", "[gopher]\nlisten = \":70\"", func(c *Config) bool { return c.Gopher.Enabled() && c.Gopher.Port == 70 }},
		{"both on port 0", "[gemini]\nlisten = \":0\"\n[gopher]\nlisten = \":0\"", func(c *Config) bool { return c.Gopher.Port == 0 }},
		{"same port, different hosts", "[gemini]\nlisten = \"127.0.0.1:1965\"\n[gopher]\nlisten = \"127.0.0.2:1965\"", func(c *Config) bool { return c.Gopher.Listen == "127.0.0.2:1965" && c.Gopher.Port == 1965 }},
		{"log", "[log]\nclient_addr = \"full\"\nlevel = \"debug\"\nformat = \"json\"",
			func(c *Config) bool {
				return c.Log.ClientAddr == "full" && c.Log.Level == "debug" && c.Log.SlogLevel().String() == "DEBUG" && c.Log.Format == "json"
			}},
		{"log client_addr false is none", "[log]\nclient_addr = false", func(c *Config) bool { return c.Log.ClientAddr == "none" }},
		{"log client_addr true is full", "[log]\nclient_addr = true", func(c *Config) bool { return c.Log.ClientAddr == "full" }},
		{"log client_addr none", "[log]\nclient_addr = \"none\"", func(c *Config) bool { return c.Log.ClientAddr == "none" }},
		{"limits", "[limits]\nrate = 2.5\nburst = 5\nper_address = 0\nconnections = 10\nread_timeout = \"5s\"\nsend_timeout = \"1m\"",
			func(c *Config) bool {
				return c.Limits == Limits{Rate: 2.5, Burst: 5, PerAddress: 0, Connections: 10, ReadTimeout: 5 * time.Second, SendTimeout: time.Minute}
			}},
		{"rate as an integer, or off", "[limits]\nrate = 0", func(c *Config) bool { return c.Limits.Rate == 0 }},
		{"proxy", "[proxy]\ntrusted = [\"10.0.0.5\", \"192.168.0.0/16\", \"2001:db8::/32\", \"::ffff:10.1.0.0/112\"]\n[gemini]\nproxy_protocol = true\n[gopher]\nproxy_protocol = true",
			func(c *Config) bool {
				want := []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32"), netip.MustParsePrefix("192.168.0.0/16"),
					netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("10.1.0.0/16")}
				return c.Gemini.ProxyProtocol && c.Gopher.ProxyProtocol && reflect.DeepEqual(c.Proxy.Trusted, want)
			}},
		{"ticket keys follow the certs folder", "[gemini]\ncerts = \"/etc/tls\"", func(c *Config) bool { return c.Gemini.TicketKeys == "/etc/tls/tickets.key" }},
		{"ticket keys elsewhere", "[gemini]\nticket_keys = \"shared/t.key\"", func(c *Config) bool { return c.Gemini.TicketKeys == filepath.Join(dir, "shared", "t.key") }},
		{"ticket keys off", "[gemini]\nticket_keys = \"\"", func(c *Config) bool { return c.Gemini.TicketKeys == "" }},
		{"render", "[render]\nlinks = \"numbered\"\ndeep_headings = \"text\"\nemphasis = \"keep\"",
			func(c *Config) bool {
				return c.Render == Render{Links: "numbered", DeepHeadings: "text", Emphasis: "keep"}
			}},
		{"feed and index bounds", "[feed]\nentries = 1000\n[index]\nrecent = 1", func(c *Config) bool { return c.Feed.Entries == 1000 && c.Index.Recent == 1 }},
		{"dotted keys", "title = \"T\"\nrender.links = \"end\"", func(c *Config) bool { return c.Render.Links == "end" }},
		{"inline tables", `gemini = { listen = ":2000" }`, func(c *Config) bool { return c.Gemini.Port == 2000 }},
		{"crlf file", "title = \"T\"\r\n[feed]\r\nentries = 5\r\n", func(c *Config) bool { return c.Title == "T" && c.Feed.Entries == 5 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.src)
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
		})
	}
}

// problem is an expected *Error.
type problem struct {
	key  string
	line int
	text string
}

// problems unpacks a Parse error into its *Error values.
func problems(t *testing.T, err error) []*Error {
	t.Helper()
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []*Error
	for _, e := range list {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("%v is not a *Error", e)
		}
		out = append(out, ce)
	}
	return out
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []problem
	}{
		// hostname
		{"hostname with scheme", `hostname = "gemini://example.org"`, []problem{{"hostname", 1, "without a scheme"}}},
		{"hostname with port", `hostname = "example.org:1965"`, []problem{{"hostname", 1, "without a port"}}},
		{"hostname with path", `hostname = "example.org/blog"`, []problem{{"hostname", 1, "without a path"}}},
		{"hostname with space", `hostname = "example org"`, []problem{{"hostname", 1, "not allowed"}}},
		{"hostname empty", `hostname = ""`, []problem{{"hostname", 1, "must not be empty"}}},
		{"hostname bracketed ipv6", `hostname = "[::1]"`, []problem{{"hostname", 1, "without brackets"}}},
		{"hostname double dot", `hostname = "a..b"`, []problem{{"hostname", 1, "empty label"}}},
		{"hostname trailing dot", `hostname = "example.org."`, []problem{{"hostname", 1, "empty label"}}},
		{"hostname hyphen edge", `hostname = "-a.org"`, []problem{{"hostname", 1, "hyphen"}}},
		{"hostname underscore", `hostname = "a_b.org"`, []problem{{"hostname", 1, "not allowed"}}},
		{"hostname unicode", `hostname = "café.example"`, []problem{{"hostname", 1, "punycode"}}},
		{"hostname long label", `hostname = "` + strings.Repeat("a", 64) + `.org"`, []problem{{"hostname", 1, "63"}}},
		{"hostname too long", `hostname = "` + strings.Repeat("a.", 127) + `ab"`, []problem{{"hostname", 1, "253"}}},
		// title, author
		{"title empty", `title = " "`, []problem{{"title", 1, "must not be empty"}}},
		{"title two lines", `title = "a\nb"`, []problem{{"title", 1, "one line"}}},
		{"author two lines", `author = "a\nb"`, []problem{{"author", 1, "one line"}}},
		// paths
		{"capsule empty", `capsule = ""`, []problem{{"capsule", 1, "must not be empty"}}},
		{"certs empty", "[gemini]\ncerts = \"\"", []problem{{"gemini.certs", 2, "must not be empty"}}},
		// lang, timezone
		{"bad lang", `lang = "english please"`, []problem{{"lang", 1, "BCP 47"}}},
		{"empty lang", `lang = ""`, []problem{{"lang", 1, "BCP 47"}}},
		{"bad timezone", `timezone = "Mars/Olympus"`, []problem{{"timezone", 1, "IANA"}}},
		// removed, favicon
		{"removed path without slash", `removed = ["/ok", "old.gmi"]`, []problem{{"removed", 1, `"old.gmi" must start with /`}}},
		{"removed path with space", `removed = ["/a b"]`, []problem{{"removed", 1, "white space"}}},
		{"favicon empty", `favicon = ""`, []problem{{"favicon", 1, "must not be empty"}}},
		{"favicon with space", `favicon = "📰 "`, []problem{{"favicon", 1, "white space"}}},
		{"favicon a sentence", `favicon = "my lovely site"`, []problem{{"favicon", 1, "one emoji"}}},
		// listen and ports
		{"gemini listen without port", "[gemini]\nlisten = \"localhost\"", []problem{{"gemini.listen", 2, "host:port"}}},
		{"gemini listen empty", "[gemini]\nlisten = \"\"", []problem{{"gemini.listen", 2, "host:port"}}},
		{"gemini listen port out of range", "[gemini]\nlisten = \":70000\"", []problem{{"gemini.listen", 2, "0..65535"}}},
		{"gemini listen named port", "[gemini]\nlisten = \":gemini\"", []problem{{"gemini.listen", 2, "0..65535"}}},
		{"gemini listen negative port", "[gemini]\nlisten = \":-1\"", []problem{{"gemini.listen", 2, "0..65535"}}},
		{"gemini listen bad host", "[gemini]\nlisten = \"a b:1965\"", []problem{{"gemini.listen", 2, "bad host"}}},
		{"gemini port too big", "[gemini]\nport = 65536", []problem{{"gemini.port", 2, "out of range"}}},
		{"gemini port negative", "\n[gemini]\nport = -1", []problem{{"gemini.port", 3, "out of range"}}},
		{"gopher listen bad", "[gopher]\nlisten = \"7070\"", []problem{{"gopher.listen", 2, "host:port"}}},
		{"gopher port too big", "[gopher]\nport = 100000", []problem{{"gopher.port", 2, "out of range"}}},
		{"gopher on gemini's address", "[gemini]\nlisten = \":1965\"\n[gopher]\nlisten = \"127.0.0.1:1965\"",
			[]problem{{"gopher.listen", 4, "also gemini.listen"}}},
		// enumerations and ranges
		{"bad log level", "[log]\nlevel = \"verbose\"", []problem{{"log.level", 2, "debug, info, warn, error"}}},
		{"bad links mode", "[render]\nlinks = \"inline\"", []problem{{"render.links", 2, "block, end, numbered, off"}}},
		{"bad deep headings", "[render]\ndeep_headings = \"h4\"", []problem{{"render.deep_headings", 2, "h3, text"}}},
		{"bad value in a dotted key", "title = \"T\"\nrender.links = \"x\"", []problem{{"render.links", 2, "want one of"}}},
		{"bad emphasis", "[render]\nemphasis = \"bold\"", []problem{{"render.emphasis", 2, "strip, keep"}}},
		{"feed entries zero", "[feed]\nentries = 0", []problem{{"feed.entries", 2, "1..1000"}}},
		{"feed entries too many", "[feed]\nentries = 1001", []problem{{"feed.entries", 2, "1..1000"}}},
		{"feed id authority with scheme", "[feed]\nid_authority = \"https://example.org\"", []problem{{"feed.id_authority", 2, ""}}},
		{"index recent zero", "[index]\nrecent = 0", []problem{{"index.recent", 2, "1..10000"}}},
		{"index recent too many", "[index]\nrecent = 10001", []problem{{"index.recent", 2, "1..10000"}}},
		// unknown keys
		{"unknown top-level key", "title = \"a\"\ntitel = \"b\"", []problem{{"titel", 2, "unknown key"}}},
		{"unknown key in a table", "[gemini]\nlisten = \":1965\"\nlisten_addr = \":1\"", []problem{{"gemini.listen_addr", 3, "unknown key"}}},
		{"unknown table reported once", "[http]\nlisten = \":80\"\nroot = \"/\"", []problem{{"http", 1, "unknown key"}}},
		{"unknown dotted key", "render.colour = \"red\"", []problem{{"render.colour", 1, "unknown key"}}},
		{"key in wrong case", "Title = \"a\"", []problem{{"Title", 1, "lower case"}}},
		{"table in wrong case", "[Gemini]\nlisten = \":1\"", []problem{{"Gemini", 1, "lower case"}}},
		// wrong types
		{"title is a number", "title = 5", []problem{{"title", 1, "want a string, got an integer"}}},
		{"port is a string", "[gemini]\nport = \"1965\"", []problem{{"gemini.port", 2, "want an integer, got a string"}}},
		{"client_addr is another word", "[log]\nclient_addr = \"yes\"", []problem{{"log.client_addr", 2, "want one of full, truncated, none"}}},
		{"client_addr is a number", "[log]\nclient_addr = 24", []problem{{"log.client_addr", 2, "got an integer"}}},
		{"bad log format", "[log]\nformat = \"xml\"", []problem{{"log.format", 2, "text, json"}}},
		{"rate negative", "[limits]\nrate = -1", []problem{{"limits.rate", 2, "out of range"}}},
		{"rate a string", "[limits]\nrate = \"10/s\"", []problem{{"limits.rate", 2, "want a number, got a string"}}},
		{"burst zero", "[limits]\nburst = 0", []problem{{"limits.burst", 2, "1..1000000"}}},
		{"per_address negative", "[limits]\nper_address = -1", []problem{{"limits.per_address", 2, "0..1000000"}}},
		{"connections zero", "[limits]\nconnections = 0", []problem{{"limits.connections", 2, "1..1000000"}}},
		{"read timeout not a duration", "[limits]\nread_timeout = \"10\"", []problem{{"limits.read_timeout", 2, "not a duration"}}},
		{"read timeout a number", "[limits]\nread_timeout = 10", []problem{{"limits.read_timeout", 2, "want a string, got an integer"}}},
		{"send timeout too long", "[limits]\nsend_timeout = \"2h\"", []problem{{"limits.send_timeout", 2, "out of range"}}},
		{"unknown limits key", "[limits]\nrps = 5", []problem{{"limits.rps", 2, "unknown key"}}},
		{"bad trusted entry", "[proxy]\ntrusted = [\"10.0.0.0/8\", \"lb.example\"]", []problem{{"proxy.trusted", 2, "not an address or CIDR"}}},
		{"bad trusted cidr", "[proxy]\ntrusted = [\"10.0.0.0/33\"]", []problem{{"proxy.trusted", 2, "not an address or CIDR"}}},
		{"proxy protocol without trusted", "[gemini]\nproxy_protocol = true", []problem{{"gemini.proxy_protocol", 2, "proxy.trusted is empty"}}},
		{"gopher proxy protocol without trusted", "[gopher]\nproxy_protocol = true", []problem{{"gopher.proxy_protocol", 2, "proxy.trusted is empty"}}},
		{"proxy protocol a string", "[gemini]\nproxy_protocol = \"yes\"", []problem{{"gemini.proxy_protocol", 2, "want true or false"}}},
		{"removed is a string", `removed = "/a"`, []problem{{"removed", 1, "want a list of strings, got a string"}}},
		{"removed holds numbers", `removed = [1, 2]`, []problem{{"removed", 1, "want a list of strings"}}},
		{"entries is a float", "[feed]\nentries = 2.5", []problem{{"feed.entries", 2, "want an integer, got a number with a fraction"}}},
		{"gemini is a string", `gemini = ":1965"`, []problem{{"gemini", 1, "want a table, got a string"}}},
		{"gemini is an array of tables", "[[gemini]]\nlisten = \":1\"", []problem{{"gemini", 1, "want a table, got an array of tables"}}},
		{"timezone is a date", "timezone = 2022-01-01", []problem{{"timezone", 1, "got a date"}}},
		// syntax
		{"syntax error names the line", "title = \"a\"\n\nhostname = \n", []problem{{"hostname", 3, "syntax error"}}},
		{"unclosed table header", "title = \"a\"\n[gemini\n", []problem{{"", 2, "syntax error"}}},
		{"duplicate key", "title = \"a\"\ntitle = \"b\"\n", []problem{{"title", 2, "already been defined"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.src), siteFile)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", c)
			}
			if c != nil {
				t.Errorf("Parse returned a config with an error")
			}
			got := problems(t, err)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(tt.want), err)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Key != w.key || g.Line != w.line || g.File != siteFile || !strings.Contains(g.Error(), w.text) {
					t.Errorf("problem %q (key %q line %d), want key %q line %d containing %q",
						g.Error(), g.Key, g.Line, w.key, w.line, w.text)
				}
				if w.key != "" && !strings.Contains(g.Error(), w.key) {
					t.Errorf("problem %q does not name its key %q", g.Error(), w.key)
				}
			}
		})
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	src := `title = 5
hostname = "gemini://x"
lang = "??"
colour = "red"

[gemini]
listen = "nope"
port = "1965"

[render]
links = "inline"
fonts = "serif"

[feed]
entries = 0
`
	_, err := Parse([]byte(src), siteFile)
	got := problems(t, err)
	want := []string{"title", "hostname", "lang", "colour", "gemini.listen", "gemini.port", "render.links", "render.fonts", "feed.entries"}
	var keys []string
	for _, g := range got {
		keys = append(keys, g.Key)
	}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("got problems for %q, want %q:\n%v", keys, want, err)
	}
}

func TestDiagnostics(t *testing.T) {
	_, err := Parse([]byte("titel = \"x\"\n[gemini]\nlisten = 42\n\n[gemini.x\n"), "c.toml")
	ds := Diagnostics(err, "c.toml")
	if len(ds) != 1 || ds[0].Code != CodeSyntax || ds[0].Line != 5 || ds[0].File != "c.toml" || ds[0].Severity != diag.Error {
		t.Errorf("syntax error: %v", ds)
	}
	_, err = Parse([]byte("titel = \"x\"\n[gemini]\nlisten = 42\n[log]\nlevel = \"loud\"\n"), "c.toml")
	ds = Diagnostics(err, "c.toml")
	want := []string{
		"c.toml:1: error: titel: unknown key, did you mean title? [config/unknown-key]",
		"c.toml:3: error: gemini.listen: want a string, got an integer [config/type]",
		"c.toml:5: error: log.level: \"loud\": want one of debug, info, warn, error [config/value]",
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.String()+" ["+d.Code+"]")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	_, err = Load(filepath.Join(t.TempDir(), "missing.toml"))
	if ds := Diagnostics(err, "missing.toml"); len(ds) != 1 || ds[0].Code != CodeRead || ds[0].File != "missing.toml" {
		t.Errorf("unreadable file: %v", ds)
	}
	if ds := Diagnostics(nil, "x"); ds != nil {
		t.Errorf("no error: %v", ds)
	}
}

func TestKnownKeysCoverExample(t *testing.T) {
	keys := knownKeys()
	for _, want := range []string{"title", "gemini.listen", "gemini.port", "gopher.port", "feed.id_authority", "redirect.from", "render.links"} {
		if !slices.Contains(keys, want) {
			t.Errorf("known keys %v lack %s", keys, want)
		}
	}
	// Every key a full example file sets is known.
	var all map[string]any
	md, err := toml.Decode(Example, &all)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range md.Keys() {
		if !slices.Contains(keys, k.String()) {
			t.Errorf("Example sets %s, which knownKeys misses", k)
		}
	}
}

func TestKeyLines(t *testing.T) {
	line := KeyLines([]byte("title = \"x\"\n\n[gopher]\nlisten = \":70\"\n"))
	if line("gopher.listen") != 4 || line("title") != 1 || line("hostname") != 0 {
		t.Errorf("lines: %d %d %d", line("gopher.listen"), line("title"), line("hostname"))
	}
	if line := KeyLines([]byte("not [ toml")); line("title") != 0 {
		t.Errorf("a broken file gives line %d", line("title"))
	}
}
