package gopher

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"broadside/internal/gemtext"
	"broadside/internal/termwidth"
)

// Rendering limits.
const (
	DefaultWidth = 70 // wrap width when RenderOptions.Width is zero
	MinWidth     = 20 // narrower widths are raised to this
	DefaultPort  = 70 // RenderOptions.Port when zero
)

// RenderOptions configures TextView and MenuView. The zero value wraps at
// DefaultWidth, prints link URLs as written and links to localhost:70.
type RenderOptions struct {
	// Width is the wrap width in columns; 0 means DefaultWidth, values
	// under MinWidth mean MinWidth. MenuView never exceeds DisplayWidth.
	Width int
	// Resolve maps a gemtext link URL (maybe relative, e.g. "/posts/x.gmi"
	// or "other.gmi") to the absolute URL printed in the text view's
	// References list. nil prints URLs as written.
	Resolve func(url string) string
	// Item maps a gemtext link URL to a menu item (type, selector, host,
	// port) for the menu view; Display is ignored (the link's label is
	// used), a zero Type means TypeText, and an empty Host or zero Port
	// mean Host and Port below. nil means DefaultItem.
	Item func(url string) Item
	// References is the heading of the text view's list of links, in the
	// page's language; "" means "References".
	References string
	// Host and Port are the server's public host and port, for 'h' items
	// and relative links; "" means "localhost", 0 means DefaultPort.
	Host string
	Port int
}

func (o RenderOptions) width() int {
	switch {
	case o.Width == 0:
		return DefaultWidth
	case o.Width < MinWidth:
		return MinWidth
	}
	return o.Width
}

func (o RenderOptions) host() string {
	if o.Host == "" {
		return "localhost"
	}
	return o.Host
}

func (o RenderOptions) port() int {
	if o.Port == 0 {
		return DefaultPort
	}
	return o.Port
}

// TextView writes gemtext src as a Gopher text (type 0) body: headings
// underlined ('=' for #, '-' for ##, '.' for ###), text, list items and
// quotes wrapped at the width by display width, preformatted blocks
// verbatim (alt text dropped), link lines as "[n] label" and a References
// list of "[n] URL" at the end (URLs never wrapped or cut; the same URL
// twice shares a number). Lines end CRLF, runs of blank lines collapse, and
// no line is exactly "." (see WriteText).
func TextView(w io.Writer, src []byte, opt RenderOptions) error {
	bw := bufio.NewWriter(w)
	t := &textSink{bw: bw, opt: opt, width: opt.width(), seen: map[string]int{}, first: bracketedMax(src) + 1}
	walk(src, t.width, t)
	if len(t.refs) > 0 {
		heading := opt.References
		if heading == "" {
			heading = "References"
		}
		t.line("")
		t.line(heading)
		t.line(strings.Repeat("-", max(1, termwidth.String(heading))))
		for i, u := range t.refs {
			t.line("[" + strconv.Itoa(t.first+i) + "] " + u)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gopher: write text view: %w", err)
	}
	return nil
}

// MenuView writes gemtext src as a Gopher menu (type 1) body: the text of
// TextView as info lines (wrapped at the width, at most DisplayWidth), each
// link line as a real item at its place with the label (or the URL) as
// display string, and preformatted lines as info lines with tabs expanded,
// cut to DisplayWidth columns.
func MenuView(w io.Writer, src []byte, opt RenderOptions) error {
	m := &menuSink{opt: opt, menu: Menu{Host: opt.host(), Port: opt.port()}}
	walk(src, min(opt.width(), DisplayWidth), m)
	if _, err := m.menu.WriteTo(w); err != nil {
		return fmt.Errorf("gopher: menu view: %w", err)
	}
	return nil
}

// sink receives the laid-out document. Text lines fit the width; pre lines
// are verbatim but scrubbed (TABs kept).
type sink interface {
	text(line string)
	pre(line string)
	link(url, label string)
}

// walk lays gemtext out as lines for s: the structure common to both views.
func walk(src []byte, width int, s sink) {
	started, blank := false, false
	out := func() {
		if blank {
			s.text("")
		}
		started, blank = true, false
	}
	texts := func(lines []string) {
		out()
		for _, l := range lines {
			s.text(l)
		}
	}
	for _, l := range gemtext.Parse(string(src)) {
		switch l.Kind {
		case gemtext.Text:
			t := Scrub(gemtext.Unescape(l.Text))
			if strings.TrimSpace(t) == "" {
				blank = started
				continue
			}
			texts(wrapIndented(t, width))
		case gemtext.Heading:
			t := strings.TrimSpace(Scrub(l.Text))
			if t == "" {
				continue
			}
			lines := wrap(t, width, "", "")
			u := 0
			for _, hl := range lines {
				u = max(u, termwidth.String(hl))
			}
			texts(append(lines, strings.Repeat(string("=-."[l.Level-1]), max(u, 1))))
		case gemtext.ListItem:
			texts(wrap(Scrub(l.Text), width, "* ", "  "))
		case gemtext.Quote:
			texts(wrap(Scrub(l.Text), width, "> ", "> "))
		case gemtext.Link:
			out()
			s.link(l.URL, strings.TrimSpace(Scrub(l.Text)))
		case gemtext.Preformatted:
			out()
			s.pre(scrubPre(gemtext.Unescape(l.Text)))
		case gemtext.PreToggle:
			// Toggles and alt text are not shown.
		}
	}
}

// scrubPre replaces control characters other than TAB with spaces and
// invalid UTF-8 with U+FFFD, keeping everything else verbatim.
func scrubPre(s string) string {
	if !strings.Contains(s, "\t") {
		return Scrub(s)
	}
	parts := strings.Split(s, "\t")
	for i, p := range parts {
		parts[i] = Scrub(p)
	}
	return strings.Join(parts, "\t")
}

// textSink writes the text view.
type textSink struct {
	bw    *bufio.Writer
	opt   RenderOptions
	width int
	refs  []string       // resolved URLs by number-first
	seen  map[string]int // resolved URL to number
	first int            // number of the first reference
}

// bracketedMax is the largest "[n]" already in the text (footnote
// markers, say), so that reference numbers start above it and a reader
// never meets two different [1]s.
func bracketedMax(src []byte) int {
	most := 0
	for _, l := range gemtext.Parse(string(src)) {
		if l.Kind == gemtext.Link || l.Kind == gemtext.Preformatted || l.Kind == gemtext.PreToggle {
			continue
		}
		s := l.Text
		for {
			i := strings.IndexByte(s, '[')
			if i < 0 {
				break
			}
			s = s[i+1:]
			j := 0
			for j < len(s) && j < 5 && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j > 0 && j < len(s) && s[j] == ']' {
				if n, err := strconv.Atoi(s[:j]); err == nil && n > most {
					most = n
				}
			}
		}
	}
	return most
}

func (t *textSink) line(l string) {
	if l == "." {
		l = " ."
	}
	t.bw.WriteString(l)
	t.bw.WriteString("\r\n")
}

func (t *textSink) text(l string) { t.line(l) }
func (t *textSink) pre(l string)  { t.line(l) }

func (t *textSink) link(rawURL, label string) {
	ref := rawURL
	if t.opt.Resolve != nil {
		ref = t.opt.Resolve(rawURL)
	}
	ref = strings.ReplaceAll(Scrub(ref), " ", "%20")
	n, ok := t.seen[ref]
	if !ok {
		t.refs = append(t.refs, ref)
		n = t.first + len(t.refs) - 1
		t.seen[ref] = n
	}
	if label == "" {
		label = Scrub(rawURL)
	}
	marker := "[" + strconv.Itoa(n) + "] "
	for _, l := range wrap(label, t.width, marker, strings.Repeat(" ", len(marker))) {
		t.line(l)
	}
}

// menuSink builds the menu view.
type menuSink struct {
	opt  RenderOptions
	menu Menu
}

func (m *menuSink) text(l string) { m.menu.Info(l) }
func (m *menuSink) pre(l string)  { m.menu.Info(expandTabs(l)) }

func (m *menuSink) link(rawURL, label string) {
	var it Item
	if m.opt.Item != nil {
		it = m.opt.Item(rawURL)
	} else {
		it = DefaultItem(rawURL, m.opt.host(), m.opt.port())
	}
	if it.Type == 0 {
		it.Type = TypeText
	}
	if it.Host == "" {
		it.Host = m.opt.host()
	}
	if it.Port == 0 {
		it.Port = m.opt.port()
	}
	it.Display = label
	if it.Display == "" {
		it.Display = rawURL
	}
	m.menu.Add(it)
}

// expandTabs replaces TABs with spaces up to the next multiple of eight
// columns, as a terminal would show them.
func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col += termwidth.Rune(r)
	}
	return b.String()
}

// DefaultItem is the menu item for a gemtext link URL when
// RenderOptions.Item is nil. A gopher:// URL becomes its own item per
// RFC 4266 (type from the path's first character, "1" for an empty path;
// percent-decoded selector; port 70 by default). Any other absolute URL,
// and a protocol-relative "//host/path" (taken as gemini://), becomes an
// 'h' item with selector "URL:" + url on host:port. A relative URL becomes
// a '0' item whose selector is the URL as written.
func DefaultItem(rawURL, host string, port int) Item {
	u, err := url.Parse(rawURL)
	switch {
	case err == nil && strings.EqualFold(u.Scheme, "gopher"):
		if it, ok := gopherURLItem(u); ok {
			return it
		}
	case err == nil && u.Scheme == "" && u.Host != "":
		return Item{Type: TypeHTML, Selector: URLPrefix + "gemini:" + rawURL, Host: host, Port: port}
	case err == nil && u.Scheme == "":
		return Item{Type: TypeText, Selector: rawURL, Host: host, Port: port}
	}
	return Item{Type: TypeHTML, Selector: URLPrefix + rawURL, Host: host, Port: port}
}

// linkTypes are the item types a gopher:// link in a document may give its
// item: RFC 1436's and the common later ones (h, i, s, d, p, ...).
const linkTypes = "0123456789+gIThisdpPMc;r"

// gopherURLItem decodes a gopher:// URL (RFC 4266 section 2.1).
func gopherURLItem(u *url.URL) (Item, bool) {
	it := Item{Type: TypeMenu, Host: u.Hostname(), Port: DefaultPort}
	if it.Host == "" {
		return Item{}, false
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Item{}, false
		}
		it.Port = n
	}
	path := strings.TrimPrefix(u.Path, "/")
	if u.RawQuery != "" || u.ForceQuery {
		path += "?" + u.RawQuery
	}
	if path == "" {
		return it, true
	}
	if !strings.ContainsRune(linkTypes, rune(path[0])) {
		// An unknown type byte is the author's (or a hostile capsule's):
		// some servers read their menus as directives ("=" runs a
		// command in a gophernicus gophermap), so such a link goes out
		// as an 'h' item through the URL: redirect page instead.
		return Item{}, false
	}
	it.Type = path[0]
	it.Selector, _, _ = strings.Cut(path[1:], "\t") // drop a %09 search part
	return it, true
}
