package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// rawConfig is config.toml as written, every value still undecoded so that
// one bad value does not hide the others. The toml tags are the key names.
type rawConfig struct {
	Title    toml.Primitive `toml:"title"`
	Hostname toml.Primitive `toml:"hostname"`
	Capsule  toml.Primitive `toml:"capsule"`
	Lang     toml.Primitive `toml:"lang"`
	Author   toml.Primitive `toml:"author"`
	Timezone toml.Primitive `toml:"timezone"`
	Removed  toml.Primitive `toml:"removed"`
	Robots   toml.Primitive `toml:"robots"`
	Favicon  toml.Primitive `toml:"favicon"`
	Gemini   toml.Primitive `toml:"gemini"`
	Gopher   toml.Primitive `toml:"gopher"`
	Log      toml.Primitive `toml:"log"`
	Render   toml.Primitive `toml:"render"`
	Feed     toml.Primitive `toml:"feed"`
	Index    toml.Primitive `toml:"index"`
	Redirect toml.Primitive `toml:"redirect"`
	Cache    toml.Primitive `toml:"cache"`
	Strings  toml.Primitive `toml:"strings"`
	State    toml.Primitive `toml:"state"`
	Titan    toml.Primitive `toml:"titan"`
	// Network front-ends (netserve): see net.go.
	Limits toml.Primitive `toml:"limits"`
	Proxy  toml.Primitive `toml:"proxy"`
}

type rawGemini struct {
	Listen toml.Primitive `toml:"listen"`
	Port   toml.Primitive `toml:"port"`
	Certs  toml.Primitive `toml:"certs"`
	// Network front-ends (netserve): see net.go.
	ProxyProtocol toml.Primitive `toml:"proxy_protocol"`
	TicketKeys    toml.Primitive `toml:"ticket_keys"`
}

type rawGopher struct {
	Listen toml.Primitive `toml:"listen"`
	Port   toml.Primitive `toml:"port"`
	// Network front-ends (netserve): see net.go.
	ProxyProtocol toml.Primitive `toml:"proxy_protocol"`
}

type rawLog struct {
	ClientAddr toml.Primitive `toml:"client_addr"`
	Level      toml.Primitive `toml:"level"`
	Format     toml.Primitive `toml:"format"`
}

type rawRender struct {
	Links        toml.Primitive `toml:"links"`
	DeepHeadings toml.Primitive `toml:"deep_headings"`
	Emphasis     toml.Primitive `toml:"emphasis"`
}

type rawFeed struct {
	Entries     toml.Primitive `toml:"entries"`
	IDAuthority toml.Primitive `toml:"id_authority"`
}

type rawIndex struct {
	Recent   toml.Primitive `toml:"recent"`
	PageSize toml.Primitive `toml:"page_size"`
}

// opt is a decoded value, set when the file gave it, with its line.
type opt[T any] struct {
	v    T
	set  bool
	line int
}

// values holds every key the file set, decoded to Go types but not yet
// validated.
type values struct {
	title, hostname, capsule, lang, author, timezone, robots, favicon opt[string]
	removed                                                           opt[[]string]
	geminiListen, geminiCerts, gopherListen                           opt[string]
	geminiPort, gopherPort                                            opt[int]
	logLevel, links, deepHeadings, emphasis, idAuthority              opt[string]
	feedEntries, indexRecent, pageSize                                opt[int]
	redirects                                                         []rawRedirectRule
	cacheSize                                                         opt[byteSize]
	strings                                                           map[string]map[string]any
	pos                                                               positions
	state                                                             opt[string]
	titanEnabled                                                      opt[bool]
	titanMax                                                          opt[byteSize]
	titanAuthors                                                      []rawTitanRule
	net                                                               netValues
}

// decoder decodes one file, collecting every problem.
type decoder struct {
	file string
	md   toml.MetaData
	pos  positions
	errs []error
	bad  map[string]bool // keys already reported: nothing under them is reported again
	// opaque keys hold tables checked elsewhere (the [strings] catalog):
	// nothing under them is an unknown key here.
	opaque map[string]bool
}

// decode parses data into values. A syntax error returns nil values and that
// one error; otherwise every type error and unknown key is returned.
func decode(data []byte, file string) (*values, []error) {
	var r rawConfig
	md, err := toml.Decode(string(data), &r)
	if err != nil {
		e := &Error{File: file, Code: CodeSyntax, Msg: "syntax error", Err: err}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			e.Line, e.Key = errLine(data, pe), pe.LastKey
			e.Err = &syntaxError{msg: pe.Message, err: err}
		}
		return nil, []error{e}
	}
	d := &decoder{file: file, md: md, pos: newPositions(data), bad: map[string]bool{}}
	v := &values{pos: d.pos}
	v.title = field[string](d, r.Title, "title")
	v.hostname = field[string](d, r.Hostname, "hostname")
	v.capsule = field[string](d, r.Capsule, "capsule")
	v.lang = field[string](d, r.Lang, "lang")
	v.author = field[string](d, r.Author, "author")
	v.timezone = field[string](d, r.Timezone, "timezone")
	v.removed = field[[]string](d, r.Removed, "removed")
	v.robots = field[string](d, r.Robots, "robots")
	v.favicon = field[string](d, r.Favicon, "favicon")

	var g rawGemini
	if d.table(r.Gemini, "gemini", &g) {
		v.geminiListen = field[string](d, g.Listen, "gemini.listen")
		v.geminiPort = field[int](d, g.Port, "gemini.port")
		v.geminiCerts = field[string](d, g.Certs, "gemini.certs")
		v.net.geminiProxy = field[bool](d, g.ProxyProtocol, "gemini.proxy_protocol")
		v.net.ticketKeys = field[string](d, g.TicketKeys, "gemini.ticket_keys")
	}
	var gg rawGopher
	if d.table(r.Gopher, "gopher", &gg) {
		v.gopherListen = field[string](d, gg.Listen, "gopher.listen")
		v.gopherPort = field[int](d, gg.Port, "gopher.port")
		v.net.gopherProxy = field[bool](d, gg.ProxyProtocol, "gopher.proxy_protocol")
	}
	var l rawLog
	if d.table(r.Log, "log", &l) {
		v.net.clientAddr = clientAddrField(d, l.ClientAddr, "log.client_addr")
		v.logLevel = field[string](d, l.Level, "log.level")
		v.net.logFormat = field[string](d, l.Format, "log.format")
	}
	var rr rawRender
	if d.table(r.Render, "render", &rr) {
		v.links = field[string](d, rr.Links, "render.links")
		v.deepHeadings = field[string](d, rr.DeepHeadings, "render.deep_headings")
		v.emphasis = field[string](d, rr.Emphasis, "render.emphasis")
	}
	var f rawFeed
	if d.table(r.Feed, "feed", &f) {
		v.feedEntries = field[int](d, f.Entries, "feed.entries")
		v.idAuthority = field[string](d, f.IDAuthority, "feed.id_authority")
	}
	var ix rawIndex
	if d.table(r.Index, "index", &ix) {
		v.indexRecent = field[int](d, ix.Recent, "index.recent")
		v.pageSize = field[int](d, ix.PageSize, "index.page_size")
	}
	var rc rawCache
	if d.table(r.Cache, "cache", &rc) {
		v.cacheSize = sizeField(d, rc.Size, "cache.size")
	}
	v.strings = d.stringTables(r.Strings)
	v.state = field[string](d, r.State, "state")
	d.titan(r.Titan, data, v)
	v.redirects = d.redirects(r.Redirect, data)
	v.net.decodeTables(d, r)
	d.unknownKeys()
	return v, d.errs
}

// fail records a problem with key.
func (d *decoder) fail(key, msg string) {
	d.bad[key] = true
	d.errs = append(d.errs, &Error{File: d.file, Line: d.pos.line(key), Key: key, Code: CodeType, Msg: msg})
}

// table decodes a section into dst; false if absent or not a table.
func (d *decoder) table(p toml.Primitive, key string, dst any) bool {
	if !d.md.IsDefined(key) {
		return false
	}
	// Tables made implicitly by dotted keys (render.links = ...) have no type.
	if t := d.md.Type(key); t != "Hash" && t != "" {
		d.fail(key, "want a table, got "+typeName(t))
		return false
	}
	if err := d.md.PrimitiveDecode(p, dst); err != nil {
		d.fail(key, err.Error())
		return false
	}
	return true
}

// field decodes one key into a T after checking its TOML type, so the
// message names the key and both types.
func field[T any](d *decoder, p toml.Primitive, key string) opt[T] {
	path := strings.Split(key, ".")
	if !d.md.IsDefined(path...) {
		return opt[T]{}
	}
	var v T
	want, wantName := tomlTypeOf(any(v))
	if got := d.md.Type(path...); got != want {
		d.fail(key, fmt.Sprintf("want %s, got %s", wantName, typeName(got)))
		return opt[T]{}
	}
	if err := d.md.PrimitiveDecode(p, &v); err != nil {
		// Arrays pass the type check whatever they hold.
		d.fail(key, "want "+wantName)
		return opt[T]{}
	}
	return opt[T]{v: v, set: true, line: d.pos.line(key)}
}

// sizeField decodes a size, written as a string with a unit or an integer.
func sizeField(d *decoder, p toml.Primitive, key string) opt[byteSize] {
	path := strings.Split(key, ".")
	if !d.md.IsDefined(path...) {
		return opt[byteSize]{}
	}
	var b byteSize
	if err := d.md.PrimitiveDecode(p, &b); err != nil {
		d.fail(key, err.Error())
		return opt[byteSize]{}
	}
	return opt[byteSize]{v: b, set: true, line: d.pos.line(key)}
}

// tomlTypeOf names the TOML type that decodes into v's type.
func tomlTypeOf(v any) (typ, name string) {
	switch v.(type) {
	case string:
		return "String", "a string"
	case int:
		return "Integer", "an integer"
	case bool:
		return "Bool", "true or false"
	case []string:
		return "Array", "a list of strings"
	}

	panic(fmt.Sprintf("config: no TOML type for %T", v))
}

// typeName turns a toml.MetaData.Type name into words.
func typeName(t string) string {
	switch t {
	case "String":
		return "a string"
	case "Integer":
		return "an integer"
	case "Float":
		return "a number with a fraction"
	case "Bool":
		return "a boolean"
	case "Array":
		return "a list"
	case "Hash":
		return "a table"
	case "ArrayHash":
		return "an array of tables"
	case "Datetime", "DatetimeLocal", "DateLocal", "TimeLocal":
		return "a date"
	}
	return strings.ToLower(t)
}

// unknownKeys reports keys the file has and Config does not, once per
// unknown table (not again for each key inside it). BurntSushi/toml matches
// struct fields case-insensitively, so keys that were decoded but are not
// spelled in lower case are reported too: TOML keys are case-sensitive and
// "Title" is not "title".
func (d *decoder) unknownKeys() {
	under := func(k toml.Key) bool {
		for i := 1; i <= len(k); i++ {
			if d.bad[k[:i].String()] || d.opaque[k[:i].String()] {
				return true
			}
		}
		return false
	}
	unknown := func(key, msg string) {
		d.bad[key] = true
		d.errs = append(d.errs, &Error{File: d.file, Line: d.pos.line(key), Key: key, Code: CodeUnknownKey, Msg: msg})
	}
	for _, k := range d.md.Keys() {
		if s := k.String(); s != strings.ToLower(s) && !under(k) {
			unknown(s, fmt.Sprintf("unknown key (keys are lower case: %q)", strings.ToLower(s)))
		}
	}
	for _, k := range d.md.Undecoded() {
		if !under(k) {
			unknown(k.String(), unknownKeyMsg(k.String()))
		}
	}
}

// syntaxError rewords the library's syntax error, whose text repeats the
// line, and still unwraps to it.
type syntaxError struct {
	msg string
	err error
}

func (e *syntaxError) Error() string { return e.msg }
func (e *syntaxError) Unwrap() error { return e.err }

// errLine is the line of a syntax error. The library counts the line after
// a newline it stopped at ("[gemini" followed by LF is reported on the next
// line), so the line is recomputed from the error's byte offset.
func errLine(data []byte, pe toml.ParseError) int {
	if pe.Position.Start < 0 || pe.Position.Start > len(data) {
		return pe.Position.Line
	}
	return bytes.Count(data[:pe.Position.Start], []byte("\n")) + 1
}
