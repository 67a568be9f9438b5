package frontmatter

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"broadside/internal/diag"
)

// tomlEntries parses a TOML block and returns its top-level table. base is
// the file line of the block's first line.
func tomlEntries(file string, data []byte, base, lastLine int) ([]entry, []*Error) {
	var top map[string]toml.Primitive
	md, err := toml.Decode(string(data), &top)
	if err != nil {
		e := &Error{File: file, Line: base - 1, Code: CodeSyntax, Severity: diag.Error, Msg: "invalid TOML", Err: err}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			p, code := explainTOML(data, pe)
			e.Line, e.Col, e.Key, e.Code = clampLine(p.line+base, base, lastLine), p.col, p.key, code
			e.Msg, e.Err = "", &syntaxError{msg: p.at(base), err: err}
		}
		return nil, []*Error{e}
	}
	// Map iteration order is random; report in document order.
	// Keys() lists "taxonomies.tags = [...]" only as the full dotted key,
	// never the implicit "taxonomies" table, so go by first component.
	var out []entry
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		name := k[0]
		if seen[name] {
			continue
		}
		seen[name] = true
		p, ok := top[name]
		if !ok {
			continue
		}
		if _, known := lookup(name); !known {
			line, col, _ := tomlPos(&md, p, base)
			out = append(out, entry{key: name, val: value{line: line, col: col}}) // position only
			continue
		}
		out = append(out, entry{key: name, val: fromTOML(&md, p, base)})
	}
	sortEntries(out)
	keyColumns(out, data, base)
	return out, nil
}

// keyColumns points each entry at its key rather than its value: the
// library reports only the value's position.
func keyColumns(es []entry, data []byte, base int) {
	lines := strings.Split(string(data), "\n")
	for i := range es {
		l := es[i].val.line - base
		if l < 0 || l >= len(lines) {
			continue
		}
		line := lines[l]
		if j := strings.Index(line, es[i].key); j >= 0 && strings.TrimSpace(line[:j]) == "" {
			es[i].val.col = j + 1
		} else if j := strings.Index(line, "["+es[i].key); j >= 0 {
			es[i].val.col = j + 1 // a [table] header
		}
	}
}

// errProbe is returned by probe so that the library reports the position of
// the key being decoded; BurntSushi/toml keeps key positions private and only
// exposes them through ParseError.
var errProbe = errors.New("probe")

// probe captures a raw TOML value.
type probe struct{ v any }

// UnmarshalTOML implements toml.Unmarshaler.
func (p *probe) UnmarshalTOML(v any) error {
	p.v = v
	return errProbe
}

// tomlPos returns the position of a primitive's key and its raw value.
func tomlPos(md *toml.MetaData, p toml.Primitive, base int) (line, col int, pr probe) {
	line = base - 1
	var pe toml.ParseError
	if err := md.PrimitiveDecode(p, &pr); errors.As(err, &pe) && pe.Position.Line > 0 {
		line, col = pe.Position.Line+base-1, pe.Position.Col
	}
	return line, col, pr
}

// fromTOML converts a primitive, with the line of its key.
func fromTOML(md *toml.MetaData, p toml.Primitive, base int) value {
	line, col, pr := tomlPos(md, p, base)
	if _, isTable := pr.v.(map[string]any); isTable {
		var sub map[string]toml.Primitive
		v := value{line: line, col: col, kind: mapKind}
		if err := md.PrimitiveDecode(p, &sub); err == nil {
			for k, sp := range sub {
				v.keys = append(v.keys, entry{key: k, val: fromTOML(md, sp, base)})
			}
		}
		sortEntries(v.keys)
		return v
	}
	v := fromTOMLRaw(pr.v, line)
	v.col = col
	return v
}

// fromTOMLRaw converts a decoded TOML value; nested values share line.
func fromTOMLRaw(x any, line int) value {
	v := value{line: line}
	switch x := x.(type) {
	case string:
		v.text = x
	case bool:
		v.tag, v.text = boolTag, strconv.FormatBool(x)
	case int64:
		v.tag, v.text = intTag, strconv.FormatInt(x, 10)
	case float64:
		v.tag, v.text = floatTag, strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		v.tag, v.tm, v.hasTm = timeTag, x, true
		switch x.Location().String() {
		case "datetime-local":
			v.local = localDatetime
		case "date-local":
			v.local = localDate
		case "time-local":
			v.local = localTime
		}
		v.text = x.Format(time.RFC3339Nano)
	case []any:
		v.kind = listKind
		for _, e := range x {
			v.items = append(v.items, fromTOMLRaw(e, line))
		}
	case []map[string]any:
		v.kind = listKind
		for _, e := range x {
			v.items = append(v.items, fromTOMLRaw(e, line))
		}
	case map[string]any:
		v.kind = mapKind
		for k, e := range x {
			v.keys = append(v.keys, entry{key: k, val: fromTOMLRaw(e, line)})
		}
		sortEntries(v.keys)
	default:
		v.text = fmt.Sprint(x)
	}
	return v
}

// sortEntries orders a table's keys by line, then name, so output does not
// depend on map order.
func sortEntries(es []entry) {
	slices.SortFunc(es, func(a, b entry) int {
		if c := cmp.Compare(a.val.line, b.val.line); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
}
