package config

import (
	"encoding/hex"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Titan configures uploads by authors from their Gemini clients.
type Titan struct {
	Enabled bool
	MaxSize int64 // bytes an upload may have
	Authors []TitanAuthor
}

// TitanAuthor is one [[titan.authors]] entry.
type TitanAuthor struct {
	Name        string
	Certificate string   // lower-case hex SHA-256 of the client certificate
	Paths       []string // path prefixes they may write; empty: the whole capsule
	Line        int
}

const (
	defaultTitanMax = 1 << 20
	maxTitanMax     = 64 << 20
	defaultState    = "state"
)

type rawTitanRule struct {
	name, cert opt[string]
	paths      opt[[]string]
	line       int
}

var titanAuthorHeader = regexp.MustCompile(`(?m)^[ \t]*\[\[[ \t]*titan[ \t]*\.[ \t]*authors[ \t]*\]\]`)

// titan decodes the [titan] table and its [[titan.authors]].
func (d *decoder) titan(p toml.Primitive, data []byte, v *values) {
	if !d.md.IsDefined("titan") {
		return
	}
	if t := d.md.Type("titan"); t != "Hash" && t != "" {
		d.fail("titan", "want a table, got "+typeName(t))
		return
	}
	var raw map[string]toml.Primitive
	if err := d.md.PrimitiveDecode(p, &raw); err != nil {
		d.fail("titan", err.Error())
		return
	}
	v.titanEnabled = field[bool](d, raw["enabled"], "titan.enabled")
	v.titanMax = sizeField(d, raw["max_size"], "titan.max_size")
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		switch k {
		case "enabled", "max_size", "authors":
		default:
			d.fail("titan."+k, "unknown key (titan has enabled, max_size and [[titan.authors]])")
		}
	}
	ap, ok := raw["authors"]
	if !ok {
		return
	}
	if t := d.md.Type("titan", "authors"); t != "ArrayHash" {
		d.fail("titan.authors", "want [[titan.authors]] tables, got "+typeName(t))
		return
	}
	var authors []map[string]toml.Primitive
	if err := d.md.PrimitiveDecode(ap, &authors); err != nil {
		d.fail("titan.authors", err.Error())
		return
	}
	var lines []int
	for _, m := range titanAuthorHeader.FindAllIndex(data, -1) {
		lines = append(lines, strings.Count(string(data[:m[0]]), "\n")+1)
	}
	for i, a := range authors {
		r := rawTitanRule{}
		if i < len(lines) {
			r.line = lines[i]
		}
		for _, k := range slices.Sorted(maps.Keys(a)) {
			switch k {
			case "name":
				r.name = elem[string](d, a[k], "titan.authors.name", "a string", i, r.line)
			case "certificate":
				r.cert = elem[string](d, a[k], "titan.authors.certificate", "a string", i, r.line)
			case "paths":
				r.paths = elem[[]string](d, a[k], "titan.authors.paths", "a list of paths", i, r.line)
			default:
				d.failAtLine("titan.authors."+k, r.line, fmt.Sprintf("rule %d: unknown key (an author has name, certificate and paths)", i+1))
			}
		}
		v.titanAuthors = append(v.titanAuthors, r)
	}
}

// titan validates the upload settings: every author named, with a
// certificate fingerprint of 64 hex digits given once, and clean path
// prefixes.
func (v *validator) titan(r *values) Titan {
	t := Titan{Enabled: or(r.titanEnabled, false), MaxSize: defaultTitanMax}
	if r.titanMax.set {
		switch b := r.titanMax.v; {
		case b.err != "":
			v.failAt("titan.max_size", r.titanMax.line, "%s", b.err)
		case b.n < 1 || b.n > maxTitanMax:
			v.failAt("titan.max_size", r.titanMax.line, "%d bytes is outside 1 byte to 64MB", b.n)
		default:
			t.MaxSize = b.n
		}
	}
	seen := map[string]int{}
	for i, a := range r.titanAuthors {
		n := i + 1
		if !a.name.set || strings.TrimSpace(a.name.v) == "" {
			v.failAt("titan.authors.name", a.line, "author %d: needs a name (it goes into the log and the history)", n)
			continue
		}
		cert := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(a.cert.v), ":", ""))
		if b, err := hex.DecodeString(cert); !a.cert.set || err != nil || len(b) != 32 {
			v.failAt("titan.authors.certificate", a.line, "author %d (%s): want the SHA-256 of the client certificate as 64 hex digits (openssl x509 -in cert.pem -noout -fingerprint -sha256)", n, a.name.v)
			continue
		}
		if prev, dup := seen[cert]; dup {
			v.failAt("titan.authors.certificate", a.line, "author %d (%s): the same certificate as author %d", n, a.name.v, prev)
			continue
		}
		seen[cert] = n
		author := TitanAuthor{Name: strings.TrimSpace(a.name.v), Certificate: cert, Line: a.line}
		ok := true
		for _, p := range a.paths.v {
			clean := path.Clean(p)
			if strings.HasSuffix(p, "/") && clean != "/" {
				clean += "/"
			}
			if !strings.HasPrefix(p, "/") || clean != p || strings.ContainsAny(p, "\\%?#") {
				v.failAt("titan.authors.paths", a.line, "author %d (%s): %q is not a clean absolute path such as \"/posts/\"", n, author.Name, p)
				ok = false
			}
			author.Paths = append(author.Paths, clean)
		}
		if ok {
			t.Authors = append(t.Authors, author)
		}
	}
	if t.Enabled && len(t.Authors) == 0 && len(r.titanAuthors) == 0 {
		v.failAt("titan.enabled", r.titanEnabled.line, "uploads are enabled but no [[titan.authors]] may upload")
	}
	return t
}
