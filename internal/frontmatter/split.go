package frontmatter

import "bytes"

// bom is the UTF-8 byte order mark, ignored before the opening delimiter.
var bom = []byte("\xef\xbb\xbf")

// block is the result of splitting a file: where the front matter is, and
// where the body starts. Offsets index the BOM-stripped input.
type block struct {
	format    Format
	data      []byte // between the delimiter lines, or nil
	dataLine  int    // 1-based file line of data's first line
	body      []byte // suffix of the input
	bodyLine  int    // 1-based file line where body starts
	unclosed  bool   // a delimiter opened line 1 and never closed
	openDelim string
}

// split finds the front matter of src (already BOM-stripped). A block
// exists only when line 1 is a delimiter line ("---" for YAML, "+++" for
// TOML) and a later line is the same delimiter. A delimiter line may end in
// CR (CRLF files) and in trailing spaces or tabs, which editors leave behind
// invisibly; nothing may precede the delimiter. Lines are separated by LF
// only: a file with lone-CR line ends has no front matter.
func split(src []byte) block {
	first, rest, ok := bytes.Cut(src, []byte("\n"))
	if !ok {
		// A one-line file cannot hold a closed block.
		rest = nil
	}
	var format Format
	switch string(trimDelimLine(first)) {
	case "---":
		format = YAML
	case "+++":
		format = TOML
	default:
		return block{body: src, bodyLine: 1}
	}
	delim := string(trimDelimLine(first))
	start := len(src) - len(rest)
	line := 2
	for off := start; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		next := len(src)
		if end >= 0 {
			end += off
			next = end + 1
		} else {
			end = len(src)
		}
		if string(trimDelimLine(src[off:end])) == delim {
			bodyLine := line + 1
			if next == len(src) && end == len(src) {
				bodyLine = line // no LF after the closing line: the body is empty, on that line
			}
			return block{
				format:    format,
				data:      src[start:off],
				dataLine:  2,
				body:      src[next:],
				bodyLine:  bodyLine,
				openDelim: delim,
			}
		}
		off = next
		line++
	}
	return block{body: src, bodyLine: 1, unclosed: true, openDelim: delim}
}

// trimDelimLine drops a trailing CR and trailing spaces and tabs.
func trimDelimLine(l []byte) []byte {
	return bytes.TrimRight(l, " \t\r")
}
