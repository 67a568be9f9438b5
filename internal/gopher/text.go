package gopher

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// WriteText writes text as a Gopher text (type 0) body: LF, CRLF and lone
// CR line endings all become CRLF, a final line break is added if missing,
// and NUL, DEL and other control characters except TAB are dropped so
// escape sequences never reach a terminal. Invalid UTF-8 bytes pass
// through unchanged (a static file may be in another encoding), except
// that a control dropped between an invalid byte and a stray UTF-8
// continuation byte becomes U+FFFD: dropping it would join them into a
// character, such as "\xc2\x00\x9b" into U+009B, the C1 CSI.
//
// No "." terminator line is written: Broadside closes the connection to end
// a response, which every current client accepts. A line that is exactly
// "." is written as " ." instead, so a client that does wait for the
// RFC 1436 terminator does not stop early; it looks the same on screen,
// where the RFC's ".." dot-stuffing would show a stray dot in the many
// clients that do not undo it.
//
// For a file, use CopyText: it writes the same bytes without holding the
// whole text in memory.
func WriteText(w io.Writer, text []byte) error {
	if _, err := CopyText(w, bytes.NewReader(text)); err != nil {
		return fmt.Errorf("gopher: write text: %w", err)
	}
	return nil
}

// textBufSize is the read buffer of CopyText, and the size of its write
// buffer: what a reader of a text file costs the server, however large
// the file or its lines.
const textBufSize = 16 << 10

// CopyText writes what it reads from src to dst exactly as WriteText
// would write it, byte for byte, streaming: it holds one read buffer and
// one write buffer whatever the size of the text or of its longest line
// (a 100 MB file with no line break costs the same 32 KB). It returns the
// number of bytes written to dst and the first read or write error; io.EOF
// from src is not an error.
func CopyText(dst io.Writer, src io.Reader) (int64, error) {
	cw := &countWriter{w: dst}
	t := &textCopier{bw: bufio.NewWriterSize(cw, textBufSize)}
	buf := make([]byte, textBufSize+utf8.UTFMax)
	carry := 0 // bytes of an incomplete rune kept at the start of buf
	empty := 0 // reads in a row that returned nothing
	for {
		n, rerr := src.Read(buf[carry : carry+textBufSize])
		if n == 0 && rerr == nil {
			if empty++; empty < 100 { // then give up, as bufio.Reader does
				continue
			}
			rerr = io.ErrNoProgress
		}
		empty = 0
		end := carry + n
		atEOF := rerr != nil
		carry = t.write(buf[:end], atEOF)
		copy(buf, buf[end-carry:end])
		if t.err != nil {
			return cw.n, t.err
		}
		if rerr != nil {
			eof := errors.Is(rerr, io.EOF)
			if eof && t.open {
				t.endLine()
			}
			if t.err == nil {
				t.err = t.bw.Flush()
			}
			if t.err != nil {
				return cw.n, t.err
			}
			if eof {
				return cw.n, nil
			}
			return cw.n, fmt.Errorf("read text: %w", rerr)
		}
	}
}

// textCopier is CopyText's state between reads: where the current line
// stands.
type textCopier struct {
	bw      *bufio.Writer
	err     error // first write error
	afterCR bool  // the last byte was a CR: an LF now belongs to it
	open    bool  // bytes of the current line were read (it needs its CRLF)
	written int   // bytes of the current line written
	dot     bool  // the line so far is exactly ".", held back
	invalid bool  // the last byte written was an invalid UTF-8 byte
	dropped bool  // ... and controls were dropped after it
}

// write converts b. Unless atEOF, a rune split at the end of b is left
// unconverted; write returns its length, for the caller to carry over.
func (t *textCopier) write(b []byte, atEOF bool) (carry int) {
	i := 0
	for i < len(b) && t.err == nil {
		ch := b[i]
		if t.afterCR {
			t.afterCR = false
			if ch == '\n' {
				i++
				continue
			}
		}
		switch {
		case ch == '\r' || ch == '\n':
			t.endLine()
			t.afterCR = ch == '\r'
			i++
			continue
		case ch >= 0x20 && ch < 0x7f || ch == '\t':
			j := i + 1
			for j < len(b) && (b[j] >= 0x20 && b[j] < 0x7f || b[j] == '\t') {
				j++
			}
			t.open = true
			t.emit(b[i:j], false)
			i = j
			continue
		case ch < utf8.RuneSelf: // C0 control or DEL: dropped
			t.open = true
			t.dropped = t.invalid
			i++
			continue
		}
		if !atEOF && !utf8.FullRune(b[i:]) {
			return len(b) - i
		}
		r, size := utf8.DecodeRune(b[i:])
		t.open = true
		switch {
		case r == utf8.RuneError && size == 1:
			t.emit(b[i:i+1], true) // invalid bytes kept: foreign encodings stay byte-exact
		case isControl(r):
			t.dropped = t.invalid
		default:
			t.emit(b[i:i+size], false)
		}
		i += size
	}
	return 0
}

// emit writes part of the current line, holding back a line that is so
// far exactly ".": only its end decides whether it becomes " .". invalid
// says p is one invalid UTF-8 byte.
func (t *textCopier) emit(p []byte, invalid bool) {
	if t.dropped && invalid && p[0]&0xc0 == 0x80 {
		t.put([]byte("\uFFFD")) // keep apart what a dropped control separated
	}
	t.invalid, t.dropped = invalid, false
	if t.written == 0 && !t.dot && len(p) == 1 && p[0] == '.' {
		t.dot = true
		return
	}
	if t.dot {
		t.dot = false
		t.put([]byte{'.'})
	}
	t.put(p)
}

// endLine ends the current line with CRLF.
func (t *textCopier) endLine() {
	if t.dot {
		t.put([]byte(" ."))
	}
	t.put([]byte("\r\n"))
	t.open, t.written, t.dot, t.invalid, t.dropped = false, 0, false, false, false
}

func (t *textCopier) put(p []byte) {
	if t.err != nil {
		return
	}
	n, err := t.bw.Write(p)
	t.written += n
	t.err = err
}
