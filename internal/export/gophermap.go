package export

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxGophermapLine is the longest gophermap line written, in bytes without
// its CRLF. gophernicus reads a gophermap with fgets into a 1024-byte
// buffer, so it would cut a longer line and read the rest as a line of its
// own, whose first byte could be one of its directives; 1000 leaves room.
const MaxGophermapLine = 1000

// gophermapDirectives are the first bytes that make a gophermap line an
// instruction to gophernicus rather than a menu item: # comment, ! title,
// * and . stop, ~ and % user and host lists, - hide a file, : map a file
// type, = include another gophermap or run a command. None is a Gopher
// item type, but an author's gopher:// link may carry any byte as its
// type, and the live menu passes it on.
const gophermapDirectives = "#!*.~%-:="

// infoTail follows the display of an info line as the live menus write
// it: an empty selector, the error host and port 1.
const infoTail = "\terror.host\t1"

// Gophermap turns a menu, as the live server sends it, into a gophermap in
// the gophernicus/Bucktooth format that such a server sends back as the
// same menu. Every line of a Broadside menu is already an explicit item
// (TYPE DISPLAY TAB SELECTOR TAB HOST TAB PORT) with an absolute selector,
// host and port, so gophernicus prints each one as it is and applies none
// of its own rules to relative selectors or text lines; the map ends with
// the menu's "." line, which stops it reading. An item with an empty
// selector (a link to another server's root) gets "/": gophernicus 3.1.1
// sends it empty, but its later menu.c fills an empty selector with the
// display; this is not reported, as no author can do otherwise. Two kinds of line would not survive and are
// changed, each reported in changes: an item whose
// type byte is a gophernicus directive becomes an info line (type 'i'),
// and a line over MaxGophermapLine bytes has its display cut, or becomes
// an info line holding the cut display when its selector alone is too
// long. Anything after the "." line is dropped.
func Gophermap(menu []byte) (gophermap []byte, changes []string) {
	var out bytes.Buffer
	out.Grow(len(menu))
	n := 0
	for len(menu) > 0 {
		var line []byte
		if i := bytes.IndexByte(menu, '\n'); i >= 0 {
			line, menu = menu[:i], menu[i+1:]
		} else {
			line, menu = menu, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		n++
		if string(line) == "." {
			break
		}
		fixed, why := mapLine(string(line))
		if why != "" {
			changes = append(changes, fmt.Sprintf("line %d: %s", n, why))
		}
		out.WriteString(fixed)
		out.WriteString("\r\n")
	}
	out.WriteString(".\r\n")
	return out.Bytes(), changes
}

// mapLine makes one menu line safe as a gophermap line, saying why it had
// to change it.
func mapLine(line string) (string, string) {
	var why []string
	if strings.ContainsAny(line, "\r\x00") {
		// gophernicus cuts a line at its last CR and C strings at NUL.
		// Live menus never hold either.
		why = append(why, "CR or NUL inside the line; replaced by spaces")
		line = strings.NewReplacer("\r", " ", "\x00", " ").Replace(line)
	}
	head, rest, isItem := strings.Cut(line, "\t")
	var typ byte
	var display string
	if !isItem || head == "" {
		// gophernicus would read a line without an item type as text,
		// directives included. Live menus never hold one.
		why = append(why, "not a menu item; written as an info line")
		typ, display, rest = 'i', strings.ReplaceAll(line, "\t", " "), infoTail
	} else {
		typ, display = head[0], head[1:]
		switch {
		case typ < 0x21 || typ > 0x7e:
			// Not a type at all (it may start a multi-byte character,
			// which stays whole in the display).
			why = append(why, "no printable item type; written as an info line")
			typ, display = 'i', head
		case strings.IndexByte(gophermapDirectives, typ) >= 0:
			why = append(why, fmt.Sprintf("item type %q is a gophernicus directive; written as an info line", typ))
			typ = 'i'
		}
		if typ != 'i' && typ != '3' && strings.HasPrefix(rest, "\t") {
			// Later gophernicus versions would send the display as the
			// selector; "/" asks a server for its root as "" does.
			rest = "/" + rest
		}
	}
	if 1+len(display)+1+len(rest) > MaxGophermapLine {
		if 2+len(rest) > MaxGophermapLine {
			why = append(why, fmt.Sprintf("%d bytes, over %d, with a selector too long to keep; written as an info line", len(line), MaxGophermapLine))
			typ, rest = 'i', infoTail
		} else {
			why = append(why, fmt.Sprintf("%d bytes, over %d; display cut", len(line), MaxGophermapLine))
		}
		display = cutBytes(display, MaxGophermapLine-2-len(rest))
	}
	return string(typ) + display + "\t" + rest, strings.Join(why, "; ")
}

// cutBytes cuts s to at most n bytes on a rune boundary.
func cutBytes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
