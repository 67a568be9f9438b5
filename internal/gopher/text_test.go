package gopher

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func TestWriteText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"lf", "a\nb\n", "a\r\nb\r\n"},
		{"crlf kept", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"lone cr", "a\rb", "a\r\nb\r\n"},
		{"final newline added", "a", "a\r\n"},
		{"dot line made safe", "a\n.\nb", "a\r\n .\r\nb\r\n"},
		{"dot after dropped control", ".\x00", " .\r\n"},
		{"dot prefix kept", ".hidden\n..", ".hidden\r\n..\r\n"},
		{"controls dropped, tab kept", "a\x1b[31m\tb\x00\x7f\u0085", "a[31m\tb\r\n"},
		{"blank lines kept", "a\n\n\nb", "a\r\n\r\n\r\nb\r\n"},
		{"latin-1 bytes kept", "caf\xe9", "caf\xe9\r\n"},
		{"dropped control joins no c1 control", "\xc2\x00\x9b[2J", "\xc2\uFFFD\x9b[2J\r\n"},
		{"dropped controls join no character", "\xe2\x01\x82\x01\xac", "\xe2\uFFFD\x82\uFFFD\xac\r\n"},
		{"latin-1 around a dropped control", "\xe9\x00\xe9", "\xe9\xe9\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteText(&buf, []byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("WriteText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteTextError(t *testing.T) {
	if err := WriteText(failWriter{}, []byte("x")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteText error = %v, want the writer's error", err)
	}
}

func TestRedirectPage(t *testing.T) {
	tests := []struct {
		url     string
		wantErr bool
		want    string // substring of the page
	}{
		{"https://example.com/a?b=1&c=2", false, `content="0; url=https://example.com/a?b=1&amp;c=2"`},
		{"http://example.com/\"><script>alert(1)</script>", false, `href="http://example.com/&#34;&gt;&lt;script&gt;`},
		{"gemini://example.org/", false, `<a href="gemini://example.org/">`},
		{"gopher://example.org/1/", false, `gopher://example.org/1/`},
		{"mailto:a@example.org", false, `mailto:a@example.org`},
		{"HTTPS://EXAMPLE.COM/", false, `HTTPS://EXAMPLE.COM/`},
		{"javascript:alert(1)", true, ""},
		{"data:text/html,x", true, ""},
		{"file:///etc/passwd", true, ""},
		{"/relative", true, ""},
		{"https:///nohost", true, ""},
		{"mailto:", true, ""},
		{"https://e.com/a b", true, ""},
		{"https://e.com/\nx", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			page, err := RedirectPage(tt.url)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("RedirectPage(%q) accepted", tt.url)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(page), tt.want) {
				t.Errorf("page lacks %q:\n%s", tt.want, page)
			}
			if strings.Contains(string(page), "<script>") {
				t.Errorf("page contains unescaped markup:\n%s", page)
			}
		})
	}
	if _, err := RedirectPage("javascript:x"); !errors.Is(err, ErrSchemeNotAllowed) {
		t.Errorf("javascript: error %v does not wrap ErrSchemeNotAllowed", err)
	}
}

// referenceWriteText is WriteText as it was before CopyText, converting a
// whole text split into lines, the oracle CopyText must match byte for
// byte; plus the one fix CopyText brought (a U+FFFD where dropping a
// control would join an invalid byte and a stray continuation byte).
func referenceWriteText(w io.Writer, text []byte) {
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
		clean := line[:0:0]
		invalid, dropped := false, false
		for i := 0; i < len(line); {
			r, size := utf8.DecodeRune(line[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				if dropped && line[i]&0xc0 == 0x80 {
					clean = append(clean, "\uFFFD"...)
				}
				clean = append(clean, line[i])
				invalid, dropped = true, false
			case r != '\t' && isControl(r):
				dropped = invalid
			default:
				clean = append(clean, line[i:i+size]...)
				invalid, dropped = false, false
			}
			i += size
		}
		if len(clean) == 1 && clean[0] == '.' {
			clean = []byte(" .")
		}
		bw.Write(clean)
		bw.WriteString("\r\n")
	}
	bw.Flush()
}

// chunkReader returns its data in reads of the given sizes, in turn. A
// size 0 is an empty read, never twice in a row.
type chunkReader struct {
	data  []byte
	sizes []int
	i     int
	empty bool // the last read was empty
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := len(r.data)
	if len(r.sizes) > 0 {
		n = max(r.sizes[r.i%len(r.sizes)], 0)
		r.i++
		if n == 0 && r.empty {
			n = 1
		}
		r.empty = n == 0
	}
	n = min(n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

func TestCopyTextMatchesWriteText(t *testing.T) {
	inputs := []string{
		"", "a", "a\n", "a\r\n", "a\r", "\r", "\n", "\r\r\n\n\r",
		".", ".\n", "..", ". ", " .", ".\x00", "\x00.", ".\x00x", ".\r\n.\r\n",
		"a\x1b[31m\tb\x00\x7f\u0085c", "caf\xe9\n", "\xc2", "\xc2\x85", "\xe2\x82", "\xf0\x9f\x93\xb0 news",
		"日本語\r\nテキスト", "\uFEFFbom", strings.Repeat("x", 40000) + "\n.\n" + strings.Repeat("é", 30000),
	}
	splits := [][]int{nil, {1}, {2}, {3}, {1, 2, 3, 5, 7}, {0, 1}, {textBufSize - 1}, {textBufSize + 1, 1}}
	for _, in := range inputs {
		var want bytes.Buffer
		referenceWriteText(&want, []byte(in))
		for _, sizes := range splits {
			var got bytes.Buffer
			n, err := CopyText(&got, &chunkReader{data: []byte(in), sizes: sizes})
			if err != nil || n != int64(got.Len()) {
				t.Fatalf("CopyText(%.30q, reads %v) = %d, %v; wrote %d", in, sizes, n, err, got.Len())
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("CopyText(%.30q, reads %v) = %.60q, want %.60q", in, sizes, got.Bytes(), want.Bytes())
			}
		}
	}
}

func TestCopyTextErrors(t *testing.T) {
	readErr := errors.New("disk gone")
	n, err := CopyText(io.Discard, io.MultiReader(strings.NewReader("abc\n"), iotest.ErrReader(readErr)))
	if !errors.Is(err, readErr) || n != 5 {
		t.Errorf("read error: %d, %v; want the bytes before it and the error", n, err)
	}
	if _, err := CopyText(failWriter{}, strings.NewReader(strings.Repeat("line\n", 10000))); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error: %v", err)
	}
	// A reader that returns nothing, forever, is given up on.
	if _, err := CopyText(io.Discard, emptyReader{}); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("endless empty reads: %v, want io.ErrNoProgress", err)
	}
}

// emptyReader returns no bytes and no error, forever.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// endlessLine is size bytes of one line without a line break, made as
// they are read.
// Its bytes repeat "ab\xc3\xa9\x00": letters, an é that reads split
// anywhere, and a NUL to drop.
type endlessLine struct{ pos, size int64 }

var endlessPattern = bytes.Repeat([]byte("ab\xc3\xa9\x00"), 13107) // 65535 bytes

func (r *endlessLine) Read(p []byte) (int, error) {
	if r.pos == r.size {
		return 0, io.EOF
	}
	off := int(r.pos % int64(len(endlessPattern)))
	n := copy(p[:min(int64(len(p)), r.size-r.pos)], endlessPattern[off:])
	r.pos += int64(n)
	return n, nil
}

// TestCopyTextBoundedMemory: a 100 MB file that is one single line costs
// CopyText a fixed few buffers, not the line.
func TestCopyTextBoundedMemory(t *testing.T) {
	size := int64(100 << 20)
	if testing.Short() || raceEnabled {
		size = 1 << 20 // the race detector makes 100 MB take minutes
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	src := &endlessLine{size: size}
	n, err := CopyText(io.Discard, src)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// NULs are dropped and a CRLF ends the line.
	if want := size - size/5 + 2; n != want {
		t.Errorf("wrote %d bytes, want %d", n, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("CopyText allocated %d bytes for a %d-byte line", alloc, size)
	}
}

// FuzzCopyText checks CopyText against the line-splitting oracle for any
// text and any pattern of short reads, and the properties a Gopher client
// relies on: every line ends with CRLF, none is exactly ".", no control
// character but TAB survives.
func FuzzCopyText(f *testing.F) {
	f.Add([]byte("a\r\n.\n\rb\x00\xc2\x85\xe9"), []byte{1, 2, 3})
	f.Add([]byte(".\x00"), []byte{})
	f.Add([]byte("\xf0\x9f\x93"), []byte{1})
	f.Fuzz(func(t *testing.T, in []byte, split []byte) {
		sizes := make([]int, len(split))
		for i, b := range split {
			sizes[i] = int(b)
		}
		var got, want bytes.Buffer
		if _, err := CopyText(&got, &chunkReader{data: in, sizes: sizes}); err != nil {
			t.Fatal(err)
		}
		referenceWriteText(&want, in)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("CopyText(%q, reads %v) = %q, want %q", in, sizes, got.Bytes(), want.Bytes())
		}
		out := got.Bytes()
		if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
			t.Errorf("output does not end with CRLF: %q", out)
		}
		for _, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\r\n")), []byte("\r\n")) {
			if len(out) == 0 {
				break
			}
			if string(line) == "." || bytes.ContainsAny(line, "\r\n") {
				t.Errorf("bad line %q in %q", line, out)
			}
			for i := 0; i < len(line); {
				r, size := utf8.DecodeRune(line[i:])
				if !(r == utf8.RuneError && size == 1) && r != '\t' && isControl(r) {
					t.Errorf("control character %U in %q", r, line)
				}
				i += size
			}
		}
	})
}
