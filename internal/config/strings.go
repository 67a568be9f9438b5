package config

import (
	"errors"

	"github.com/BurntSushi/toml"
)

// stringTables decodes [strings.LANG] tables: the page chrome a site
// overrides or adds per language. Their contents are checked by the i18n
// catalog, which knows the message ids; here only the shape is: each
// language must be a table.
func (d *decoder) stringTables(p toml.Primitive) map[string]map[string]any {
	if !d.md.IsDefined("strings") {
		return nil
	}
	if t := d.md.Type("strings"); t != "Hash" && t != "" {
		d.fail("strings", "want tables such as [strings.fr], got "+typeName(t))
		return nil
	}
	var langs map[string]toml.Primitive
	if err := d.md.PrimitiveDecode(p, &langs); err != nil {
		d.fail("strings", err.Error())
		return nil
	}
	d.opaque = map[string]bool{"strings": true}
	out := make(map[string]map[string]any, len(langs))
	for lang, lp := range langs {
		key := "strings." + lang
		var vals map[string]any
		if t := d.md.Type("strings", lang); (t != "Hash" && t != "") || d.md.PrimitiveDecode(lp, &vals) != nil {
			d.bad[key] = true
			d.errs = append(d.errs, &Error{File: d.file, Line: d.pos.linePath([]string{"strings", lang}), Key: key, Msg: "want a table of messages, such as [strings." + lang + "]"})
			continue
		}
		out[lang] = vals
	}
	return out
}

// StringsLine returns the line of a key under [strings], given as the
// path of TOML keys (["strings", "fr", "index.recent"]; a quoted key is
// one element), or 0 when it cannot be found.
func (c *Config) StringsLine(path []string) int {
	if c.pos == nil {
		return 0
	}
	return c.pos.linePath(path)
}

// linePath is line for a key given as its path of TOML keys, so that keys
// holding dots ("index.recent" in quotes) are found too.
func (p positions) linePath(path []string) int {
	if len(path) == 0 {
		return 0
	}
	prim, ok := p.top[path[0]]
	for _, k := range path[1:] {
		if !ok {
			return 0
		}
		var sub map[string]toml.Primitive
		if err := p.md.PrimitiveDecode(prim, &sub); err != nil {
			return 0
		}
		prim, ok = sub[k]
	}
	if !ok {
		return 0
	}
	var pe toml.ParseError
	if err := p.md.PrimitiveDecode(prim, &probe{}); errors.As(err, &pe) {
		return pe.Position.Line
	}
	return 0
}
