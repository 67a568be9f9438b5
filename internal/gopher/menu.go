package gopher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"broadside/internal/termwidth"
)

// DisplayWidth is the most columns a menu display string may take.
const DisplayWidth = 70

// Item types of RFC 1436 and common extensions that Broadside writes.
const (
	TypeText   byte = '0'
	TypeMenu   byte = '1'
	TypeError  byte = '3'
	TypeSearch byte = '7'
	TypeBinary byte = '9'
	TypeGIF    byte = 'g'
	TypeImage  byte = 'I'
	TypeHTML   byte = 'h'
	TypeInfo   byte = 'i'
)

// Item is one menu line. Display and Selector may hold anything: they are
// scrubbed when the item is written.
type Item struct {
	Type     byte
	Display  string
	Selector string
	Host     string
	Port     int
}

// Menu is a Gopher menu (a directory listing) under construction. Host and
// Port are the public ones written into links to the server itself. The zero
// value is an empty menu; a Menu is not safe for concurrent use.
type Menu struct {
	Host string
	Port int
	// ErrorHost is the host field of info and error lines; ""
	// means DefaultErrorHost.
	ErrorHost string
	Items     []Item
}

// Add appends an item as given.
func (m *Menu) Add(it Item) { m.Items = append(m.Items, it) }

// Info appends an informational line. The text is scrubbed and cut to
// DisplayWidth columns: callers wrap long text first.
func (m *Menu) Info(text string) { m.pseudo(TypeInfo, text) }

// Error appends an error line (type 3).
func (m *Menu) Error(msg string) { m.pseudo(TypeError, msg) }

// Link appends a link to selector on the menu's own host and port.
func (m *Menu) Link(typ byte, display, selector string) {
	m.Items = append(m.Items, Item{Type: typ, Display: display, Selector: selector, Host: m.Host, Port: m.Port})
}

func (m *Menu) pseudo(typ byte, text string) {
	host := m.ErrorHost
	if host == "" {
		host = DefaultErrorHost
	}
	m.Items = append(m.Items, Item{Type: typ, Display: text, Host: host, Port: 1})
}

// WriteTo writes the menu: one CRLF-terminated line per item, then ".".
// Display strings are scrubbed and cut to DisplayWidth columns, selectors
// and hosts scrubbed. It writes nothing and reports every bad item if any
// item has a non-printable type, an empty host or a port outside 1-65535.
func (m *Menu) WriteTo(w io.Writer) (int64, error) {
	var errs []error
	for i, it := range m.Items {
		if err := it.check(); err != nil {
			errs = append(errs, fmt.Errorf("gopher: menu item %d: %w", i+1, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriter(cw)
	for _, it := range m.Items {
		it.write(bw)
	}
	bw.WriteString(".\r\n")
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("gopher: write menu: %w", err)
	}
	return cw.n, nil
}

func (it Item) check() error {
	var errs []error
	if it.Type <= ' ' || it.Type >= 0x7f {
		errs = append(errs, fmt.Errorf("type byte %#x is not printable", it.Type))
	}
	if strings.TrimSpace(Scrub(it.Host)) == "" {
		errs = append(errs, errors.New("empty host"))
	}
	if it.Port < 1 || it.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d outside 1-65535", it.Port))
	}
	return errors.Join(errs...)
}

func (it Item) write(bw *bufio.Writer) {
	bw.WriteByte(it.Type)
	bw.WriteString(Display(it.Display))
	bw.WriteByte('\t')
	bw.WriteString(Scrub(it.Selector))
	bw.WriteByte('\t')
	bw.WriteString(Scrub(it.Host))
	bw.WriteByte('\t')
	bw.WriteString(strconv.Itoa(it.Port))
	bw.WriteString("\r\n")
}

// Scrub returns s with TAB, CR, LF, NUL and every other C0 or C1 control
// character (and DEL) replaced by a space, and invalid UTF-8 replaced by
// U+FFFD, so it is safe in a menu field and on a terminal.
func Scrub(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if isControl(r) {
			r = ' '
		}
		b.WriteRune(r) // RuneError from an invalid byte is written as U+FFFD
	}
	return b.String()
}

// Display returns s scrubbed and cut to DisplayWidth columns of terminal
// width on a rune boundary, for a menu's display field.
func Display(s string) string {
	return termwidth.Truncate(Scrub(s), DisplayWidth)
}
