package frontmatter

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// simpleYAML reads the front matter almost every file has without yaml.v3,
// which costs ten times more (on a 100,000-article capsule, most of the
// time a start takes): lines of "key: value" at the start of the line,
// where the value is a plain scalar, a quoted string without escapes, or a
// one-line flow list of those; blank lines and comment lines between them.
// It returns the entries yamlEntries would, or false for anything else
// (nested values, block lists, escapes, anchors, comments after values,
// scalars whose type yaml.v3 decides in ways not copied here), and the
// caller parses the block with yaml.v3. FuzzSimpleYAML checks the two
// agree on every block simpleYAML accepts.
func simpleYAML(data []byte, base int) ([]entry, bool) {
	if !simpleChars(data) {
		return nil, false
	}
	var out []entry
	seen := map[string]bool{}
	line := base - 1
	for len(data) > 0 {
		var l []byte
		l, data, _ = bytes.Cut(data, []byte("\n"))
		line++
		if len(l) == 0 || l[0] == '#' {
			continue
		}
		k := 0
		for k < len(l) && keyByte(l[k], k == 0) {
			k++
		}
		if k == 0 || k >= len(l) || l[k] != ':' || (k+1 < len(l) && l[k+1] != ' ') {
			return nil, false
		}
		key := string(l[:k])
		if seen[key] {
			return nil, false
		}
		seen[key] = true
		at := value{line: line, col: 1}
		if _, known := lookup(key); !known {
			out = append(out, entry{key: key, val: at})
			if _, ok := simpleValue(l, k+1, line); !ok {
				return nil, false
			}
			continue
		}
		v, ok := simpleValue(l, k+1, line)
		if !ok {
			return nil, false
		}
		v.line, v.col = at.line, at.col
		out = append(out, entry{key: key, val: v})
	}
	return out, true
}

// simpleChars reports whether data holds only what a simple block may:
// valid UTF-8 without tabs, carriage returns, control characters, byte
// order marks or non-characters (yaml.v3 refuses or treats them apart).
func simpleChars(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || r < 0xa0 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}

func keyByte(c byte, first bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || !first && (c >= '0' && c <= '9' || c == '-')
}

// simpleValue reads the value of line l that starts after the colon at
// byte from: nothing (null), a quoted string, a flow list or a plain
// scalar, with nothing after it.
func simpleValue(l []byte, from, line int) (value, bool) {
	rest := l[from:]
	i := 0
	for i < len(rest) && rest[i] == ' ' {
		i++
	}
	rest = rest[i:]
	col := utf8.RuneCount(l[:from+i]) + 1
	v := value{line: line, col: col}
	if len(rest) == 0 {
		v.tag = nullTag
		return v, true
	}
	if rest[0] == '[' {
		end := len(bytes.TrimRight(rest, " "))
		if rest[end-1] != ']' {
			return value{}, false
		}
		v.kind = listKind
		inner := rest[1 : end-1]
		if len(bytes.TrimLeft(inner, " ")) == 0 {
			return v, true
		}
		off := col + 1 // of inner's first byte
		for item := range bytes.SplitSeq(inner, []byte(",")) {
			lead := len(item) - len(bytes.TrimLeft(item, " "))
			it := bytes.TrimSpace(item)
			s, tg, ok := simpleScalar(it, true)
			if !ok {
				return value{}, false
			}
			v.items = append(v.items, value{line: line, col: off + utf8.RuneCount(item[:lead]), tag: tg, text: s})
			off += utf8.RuneCount(item) + 1
		}
		return v, true
	}
	s, tg, ok := simpleScalar(bytes.TrimRight(rest, " "), false)
	if !ok {
		return value{}, false
	}
	v.text, v.tag = s, tg
	return v, true
}

// simpleScalar reads one scalar, the whole of b: a double- or
// single-quoted string without escapes, or a plain scalar (in a flow list
// when flow is set) that cannot be read as anything yaml.v3 would read
// otherwise. It returns its text and tag.
func simpleScalar(b []byte, flow bool) (string, tag, bool) {
	if len(b) == 0 {
		return "", 0, false
	}
	switch b[0] {
	case '"', '\'':
		q := b[0]
		if len(b) < 2 || b[len(b)-1] != q || bytes.IndexByte(b[1:len(b)-1], q) >= 0 || (q == '"' && bytes.IndexByte(b, '\\') >= 0) {
			return "", 0, false
		}
		return string(b[1 : len(b)-1]), strTag, true
	case '[', ']', '{', '}', ',', '#', '&', '*', '!', '|', '>', '%', '@', '`', '?', ':', '-':
		// Indicators, and "-" (a list item or a negative number).
		return "", 0, false
	}
	s := string(b)
	if strings.Contains(s, " #") || strings.Contains(s, ": ") || strings.HasSuffix(s, ":") ||
		(flow && strings.ContainsAny(s, "[]{},\"'")) {
		return "", 0, false
	}
	tg, ok := plainTag(s)
	return s, tg, ok
}

// plainTag is the tag yaml.v3 gives a plain scalar, for the scalars whose
// tag it can decide as yaml.v3's resolve does: words, the null and boolean
// words, decimal integers and dates. Anything else that yaml.v3 might read
// as a number (a leading sign, a dot, 0x, 1e5, 1_000, ...) reports false.
func plainTag(s string) (tag, bool) {
	switch s {
	case "~", "null", "Null", "NULL":
		return nullTag, true
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return boolTag, true
	}
	switch c := s[0]; {
	case c == '+' || c == '.':
		return 0, false
	case c >= '0' && c <= '9':
		if simpleTimestamp(s) {
			return timeTag, true
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
		}
		if len(s) > 18 || (len(s) > 1 && s[0] == '0') {
			return 0, false // overflow, or a YAML 1.1 octal
		}
		return intTag, true
	}
	return strTag, true
}

// simpleTimestamp reports whether yaml.v3 reads s as a timestamp: its
// parseTimestamp, with the same formats.
func simpleTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"} {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}
