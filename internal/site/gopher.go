package site

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"broadside/internal/gopher"
)

// MenuSuffix marks the menu view of a document: the selector
// "/posts/x.gmi" is the article's text view (type 0), "/posts/x.gmi;menu"
// the same article as a menu (type 1) whose links can be followed.
const MenuSuffix = ";menu"

// gopherViews are a page's Gopher renderings, kept in the site's
// viewCache.
type gopherViews struct {
	text, menu []byte
}

// GopherHandler returns the Gopher front-end of l: selectors mirror Gemini
// paths, gemtext pages become text views (documents) or menus (folders,
// index, tag pages), other files are sent as they are.
func (l *Live) GopherHandler() gopher.Handler {
	return gopher.HandlerFunc(func(w gopher.ResponseWriter, r *gopher.Request) {
		s := l.Load()
		if s == nil {
			notFound(w, "The server is starting up; try again.")
			return
		}
		s.serveGopher(w, r)
	})
}

func notFound(w gopher.ResponseWriter, msg string) {
	w.SetStatus(gopher.StatusNotFound)
	m := gopher.Menu{}
	m.Error(msg)
	m.WriteTo(w)
}

func (s *Site) serveGopher(w gopher.ResponseWriter, r *gopher.Request) {
	sel := r.Selector
	// "URL:" selectors as menus write them; some clients send "/URL:".
	if target, ok := strings.CutPrefix(strings.TrimPrefix(sel, "/"), gopher.URLPrefix); ok {
		page, err := gopher.RedirectPage(target)
		if err != nil {
			notFound(w, "That link cannot be followed.")
			return
		}
		w.Write(page)
		return
	}
	if sel == "/caps.txt" || sel == "caps.txt" {
		io.WriteString(w, s.caps())
		return
	}
	p, menu, ok := selectorPath(sel)
	if !ok {
		notFound(w, "Not found.")
		return
	}
	p, res := s.follow(p)
	switch res.Status {
	case Found:
	case Gone:
		notFound(w, "This page has been removed.")
		return
	default:
		notFound(w, "Not found.")
		return
	}
	if res.Page == nil {
		s.copyFile(w, res)
		return
	}
	pg := res.Page
	views := s.gopherCache.get(p, func() gopherViews { return s.renderGopher(p, pg) })
	if views.menu != nil && (menu || strings.HasSuffix(p, "/")) {
		w.Write(views.menu)
	} else {
		w.Write(views.text)
	}
}

// selectorPath turns a selector into a site path, reporting whether the
// menu view was asked for. Percent-escapes are decoded (some clients send
// them); dot segments and hidden names are refused.
func selectorPath(sel string) (p string, menu bool, ok bool) {
	sel, menu = strings.CutSuffix(sel, MenuSuffix)
	if strings.Contains(sel, "%") {
		u, err := url.PathUnescape(sel)
		if err != nil {
			return "", false, false
		}
		sel = u
	}
	if !strings.HasPrefix(sel, "/") {
		sel = "/" + sel
	}
	for seg := range strings.SplitSeq(sel, "/") {
		if seg == "." || seg == ".." || strings.HasPrefix(seg, ".") || strings.ContainsAny(seg, "\\\x00") {
			return "", false, false
		}
	}
	return sel, menu, true
}

// follow looks p up and follows redirects (aliases, .md sources, folder
// slashes) a few steps, since Gopher has no redirects of its own; it
// returns the final path and its resource.
func (s *Site) follow(p string) (string, Resource) {
	res := s.Lookup(p)
	for i := 0; i < 4 && res.Status == Redirect; i++ {
		p = pathOf(res.Target)
		res = s.Lookup(p)
	}
	return p, res
}

// pathOf reduces a redirect target (an escaped absolute path) to a path.
func pathOf(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.Path == "" {
		return target
	}
	return u.Path
}

func (s *Site) copyFile(w gopher.ResponseWriter, res Resource) {
	f, err := s.opts.Static.Open(res.File)
	if err != nil {
		notFound(w, "Not found.")
		return
	}
	defer f.Close()
	if itemType(res.Type) == gopher.TypeText {
		b, err := io.ReadAll(f)
		if err == nil {
			err = gopher.WriteText(w, b)
		}
		if err != nil {
			w.SetStatus(gopher.StatusError)
		}
		return
	}
	if _, err := io.Copy(w, f); err != nil {
		w.SetStatus(gopher.StatusError)
	}
}

// renderGopher makes both views of a gemtext page at path p (only the
// text view of other pages). The text
// view ends with a pointer to the menu view and the menu view starts with
// one to the text view, so a reader can switch.
func (s *Site) renderGopher(p string, pg *Page) gopherViews {
	if !strings.HasPrefix(pg.Type, "text/gemini") {
		// Feeds, robots.txt: plain text with CRLF line ends, no menu.
		var text bytes.Buffer
		gopher.WriteText(&text, pg.Bytes())
		return gopherViews{text: text.Bytes()}
	}
	opt := gopher.RenderOptions{
		Host:    s.opts.Hostname,
		Port:    s.opts.GopherPort,
		Item:    func(u string) gopher.Item { return s.gopherItem(p, u) },
		Resolve: func(u string) string { return s.gopherURL(p, u) },
	}
	src := pg.Bytes()
	var text, menu bytes.Buffer
	textSrc := src
	if !strings.HasSuffix(p, "/") {
		textSrc = append(append([]byte(nil), src...), "\n=> "+escapePath(p)+MenuSuffix+" Menu view of this page, with links to follow\n"...)
	}
	gopher.TextView(&text, textSrc, opt)
	menuSrc := src
	if !strings.HasSuffix(p, "/") {
		menuSrc = append([]byte("=> "+escapePath(p)+" Text view of this page, for reading and saving\n\n"), src...)
	}
	gopher.MenuView(&menu, menuSrc, opt)
	return gopherViews{text: text.Bytes(), menu: menu.Bytes()}
}

// gopherItem maps a link of the page at base to a menu item: links into
// the capsule by what they lead to, others through the default rules.
func (s *Site) gopherItem(base, link string) gopher.Item {
	target, ok := s.internal(base, link)
	if !ok {
		return gopher.DefaultItem(link, s.opts.Hostname, s.opts.GopherPort)
	}
	it := gopher.Item{Type: gopher.TypeText, Selector: target, Host: s.opts.Hostname, Port: s.opts.GopherPort}
	asked, menu, _ := selectorPath(target)
	p, res := s.follow(asked)
	if p != asked { // redirected: link straight to where it leads
		it.Selector = p
	}
	switch {
	case menu || strings.HasSuffix(p, "/"):
		it.Type = gopher.TypeMenu
	case res.Status == Found && res.Page == nil:
		it.Type = itemType(res.Type)
	}
	return it
}

// internal resolves link against the page at base and returns the site
// path it names, if it is a link into this capsule.
func (s *Site) internal(base, link string) (string, bool) {
	u, err := url.Parse(link)
	if err != nil {
		return "", false
	}
	if u.Scheme != "" || u.Host != "" {
		if !strings.EqualFold(u.Scheme, "gemini") || !strings.EqualFold(u.Hostname(), s.opts.Hostname) {
			return "", false
		}
		if port := u.Port(); port != "" && port != strconv.Itoa(s.opts.GeminiPort) {
			return "", false
		}
	}
	ref := (&url.URL{Path: base}).ResolveReference(&url.URL{Path: u.Path})
	p := ref.Path
	if p == "" {
		p = "/"
	}
	if strings.HasSuffix(u.Path, "/") && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p, true
}

// gopherURL is the full URL printed in a text view's references: links
// into the capsule become gopher:// URLs of this server.
func (s *Site) gopherURL(base, link string) string {
	if _, ok := s.internal(base, link); !ok {
		return link
	}
	it := s.gopherItem(base, link)
	host := s.opts.Hostname
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("gopher://%s:%d/%c%s", host, s.opts.GopherPort, it.Type, escapePath(it.Selector))
}

// itemType picks the Gopher item type for a media type.
func itemType(mediaType string) byte {
	t, _, _ := strings.Cut(mediaType, ";")
	switch {
	case strings.HasPrefix(t, "text/html"):
		return gopher.TypeHTML
	case strings.HasPrefix(t, "text/"), t == "application/atom+xml", t == "application/xml", t == "application/json":
		return gopher.TypeText
	case t == "image/gif":
		return gopher.TypeGIF
	case strings.HasPrefix(t, "image/"):
		return gopher.TypeImage
	}
	return gopher.TypeBinary
}

// caps is the gopher caps.txt (the Gopher+ era capability file that
// modern clients read for path conventions and server identity).
func (s *Site) caps() string {
	return strings.Join([]string{
		"CAPS",
		"",
		"CapsVersion=1",
		"ExpireCapsAfter=3600",
		"",
		"PathDelimeter=/",
		"PathIdentity=.",
		"PathParent=..",
		"PathParentDouble=FALSE",
		"PathEscapeCharacter=\\",
		"PathKeepPreDelimeter=FALSE",
		"",
		"ServerSoftware=Broadside",
		"ServerDescription=" + gopher.Scrub(s.opts.Title),
		"ServerGeolocationString=",
		"DefaultEncoding=UTF-8",
		"",
	}, "\r\n")
}
