package frontmatter

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// tomlEntries parses a TOML block and returns its top-level table. base is
// the file line of the block's first line. Errors are *Error.
func tomlEntries(file string, data []byte, base, lastLine int) ([]entry, []error) {
	var top map[string]toml.Primitive
	md, err := toml.Decode(string(data), &top)
	if err != nil {
		e := &Error{File: file, Line: base - 1, Msg: "invalid TOML", Err: err}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			if pe.Position.Line > 0 {
				e.Line = clampLine(pe.Position.Line+base-1, base, lastLine)
			}
			// The library counts the line after a newline it stopped at
			// ("[b" then LF is reported on the next line); the byte offset
			// is exact.
			if s := pe.Position.Start; s > 0 && s <= len(data) {
				e.Line = clampLine(bytes.Count(data[:s], []byte("\n"))+base, base, lastLine)
			}
			e.Key = pe.LastKey
			// The library's own text carries a line relative to the block.
			e.Err = &syntaxError{msg: pe.Message, err: err}
		}
		return nil, []error{e}
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
		if !ok || !knownKey(strings.ToLower(name)) {
			continue
		}
		out = append(out, entry{key: name, val: fromTOML(&md, p, base)})
	}
	return out, nil
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

// fromTOML converts a primitive, with the line of its key.
func fromTOML(md *toml.MetaData, p toml.Primitive, base int) value {
	var pr probe
	line := base - 1
	var pe toml.ParseError
	if err := md.PrimitiveDecode(p, &pr); errors.As(err, &pe) && pe.Position.Line > 0 {
		line = pe.Position.Line + base - 1
	}
	if _, isTable := pr.v.(map[string]any); isTable {
		var sub map[string]toml.Primitive
		v := value{line: line, kind: mapKind}
		if err := md.PrimitiveDecode(p, &sub); err == nil {
			for k, sp := range sub {
				v.keys = append(v.keys, entry{key: k, val: fromTOML(md, sp, base)})
			}
		}
		sortEntries(v.keys)
		return v
	}
	return fromTOMLRaw(pr.v, line)
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
