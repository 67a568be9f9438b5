// Package gophertest checks Gopher menus in tests: every package that
// writes menus lints what it wrote. Only tests import it.
package gophertest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"broadside/internal/termwidth"
)

// displayWidth is gopher.DisplayWidth (a test in package gopher checks
// they agree; this package imports nothing of it, so that gopher's own
// tests can use it).
const displayWidth = 70

// maxLintErrors bounds how many problems LintMenu reports, so a wholly
// wrong body gives a readable error.
const maxLintErrors = 10

// LintMenu checks that b is a well-formed Gopher menu as Broadside writes
// them, and reports every problem (up to ten) with its line number: each
// line ends CRLF and holds a printable type byte and exactly four
// TAB-separated fields (display, selector, host, port), valid UTF-8 with no
// NUL or control character, a display of at most 70 columns, a
// non-empty host and a port in 1-65535; the menu ends with ".\r\n" and
// nothing follows it. It is meant for tests of every package that writes
// menus.
func LintMenu(b []byte) error {
	var errs []error
	add := func(n int, format string, args ...any) {
		if len(errs) < maxLintErrors {
			errs = append(errs, fmt.Errorf("gopher menu line %d: %s", n, fmt.Sprintf(format, args...)))
		}
	}
	n := 0
	terminated := false
	for len(b) > 0 {
		n++
		var line []byte
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			line, b = b, nil
			add(n, "no line feed at end")
		} else {
			line, b = b[:i], b[i+1:]
			if l, ok := bytes.CutSuffix(line, []byte("\r")); ok {
				line = l
			} else {
				add(n, "ends with a bare LF")
			}
		}
		if terminated {
			add(n, "data after the final \".\"")
			break
		}
		if string(line) == "." {
			terminated = true
			continue
		}
		lintLine(n, line, add)
	}
	if !terminated {
		add(n+1, "missing final \".\\r\\n\"")
	}
	return errors.Join(errs...)
}

func lintLine(n int, line []byte, add func(int, string, ...any)) {
	if len(line) == 0 {
		add(n, "empty line")
		return
	}
	if bytes.IndexByte(line, 0) >= 0 {
		add(n, "NUL byte")
	}
	if bytes.IndexByte(line, '\r') >= 0 {
		add(n, "stray CR")
	}
	if !utf8.Valid(line) {
		add(n, "invalid UTF-8")
	}
	if t := line[0]; t <= ' ' || t >= 0x7f {
		add(n, "type byte %#x is not printable", t)
	}
	fields := bytes.Split(line[1:], []byte("\t"))
	if len(fields) != 4 {
		add(n, "%d TAB-separated fields, want 4 (display, selector, host, port)", len(fields))
		return
	}
	display, selector, host, port := string(fields[0]), string(fields[1]), string(fields[2]), string(fields[3])
	for _, f := range [...]struct{ name, s string }{{"display", display}, {"selector", selector}, {"host", host}} {
		for _, r := range f.s {
			if r != 0 && r != '\r' && isControl(r) {
				add(n, "control character U+%04X in %s", r, f.name)
				break
			}
		}
	}
	if w := termwidth.String(display); w > displayWidth {
		add(n, "display is %d columns, over %d", w, displayWidth)
	}
	if host == "" {
		add(n, "empty host")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 || strconv.Itoa(p) != port {
		add(n, "port %q is not a number in 1-65535", port)
	}
}

// isControl reports C0 and C1 controls and DEL.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0)
}
