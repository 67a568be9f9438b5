package gopher

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// WriteText writes text as a Gopher text (type 0) body: LF, CRLF and lone
// CR line endings all become CRLF, a final line break is added if missing,
// and NUL, DEL and other control characters except TAB are dropped so
// escape sequences never reach a terminal. Invalid UTF-8 bytes pass
// through unchanged (a static file may be in another encoding).
//
// No "." terminator line is written: Broadside closes the connection to end
// a response, which every current client accepts. A line that is exactly
// "." is written as " ." instead, so a client that does wait for the
// RFC 1436 terminator does not stop early; it looks the same on screen,
// where the RFC's ".." dot-stuffing would show a stray dot in the many
// clients that do not undo it.
func WriteText(w io.Writer, text []byte) error {
	bw := bufio.NewWriter(w)
	for len(text) > 0 {
		var line []byte
		i := bytes.IndexAny(text, "\r\n")
		switch {
		case i < 0:
			line, text = text, nil
		case text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n':
			line, text = text[:i], text[i+2:]
		default:
			line, text = text[:i], text[i+1:]
		}
		writeTextLine(bw, line)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gopher: write text: %w", err)
	}
	return nil
}

// writeTextLine writes one line without its ending, made safe, then CRLF.
// The "." check comes after dropping controls: ".\x00" must not become ".".
func writeTextLine(bw *bufio.Writer, line []byte) {
	clean := line[:0:0]
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRune(line[i:])
		if r == utf8.RuneError && size == 1 || r == '\t' || !isControl(r) {
			clean = append(clean, line[i:i+size]...) // invalid bytes kept: foreign encodings stay byte-exact
		}
		i += size
	}
	if len(clean) == 1 && clean[0] == '.' {
		clean = []byte(" .")
	}
	bw.Write(clean)
	bw.WriteString("\r\n")
}
