package frontend

import (
	"broadside/internal/i18n"
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"broadside/internal/gopher"
	"broadside/internal/site"
)

// MenuSuffix marks the menu view of a document: the selector
// "/posts/x.gmi" is the article's text view (type 0), "/posts/x.gmi;menu"
// the same article as a menu (type 1) whose links can be followed.
const MenuSuffix = ";menu"

// Gopher serves the live site over Gopher: selectors mirror Gemini paths,
// gemtext pages become text views (documents) or menus (folders, index,
// tag pages), other files are sent as they are.
type Gopher struct {
	Live *site.Live
}

// ServeGopher answers one Gopher request from the current site.
func (g *Gopher) ServeGopher(w gopher.ResponseWriter, r *gopher.Request) {
	s := g.Live.Load()
	if s == nil {
		res := g.Live.Serve(&site.Request{Path: "/", Proto: site.Gopher})
		errorMenu(w, gopher.StatusError, res.Message)
		return
	}
	v := view{s: s, opts: s.Options(), loc: s.Locale()}
	v.serve(w, r)
}

// view is one request's look at one site.
type view struct {
	s    *site.Site
	opts site.Options
	loc  *i18n.Locale // the site's language, for messages
}

func errorMenu(w gopher.ResponseWriter, status gopher.Status, msg string) {
	w.SetStatus(status)
	m := gopher.Menu{}
	m.Error(msg)
	m.WriteTo(w)
}

func notFound(w gopher.ResponseWriter, msg string) {
	errorMenu(w, gopher.StatusNotFound, msg)
}

func (v view) serve(w gopher.ResponseWriter, r *gopher.Request) {
	sel := r.Selector
	// "URL:" selectors as menus write them; some clients send "/URL:".
	if target, ok := strings.CutPrefix(strings.TrimPrefix(sel, "/"), gopher.URLPrefix); ok {
		page, err := gopher.RedirectPage(target)
		if err != nil {
			notFound(w, v.loc.T(i18n.ErrorBadLink))
			return
		}
		w.Write(page)
		return
	}
	if sel == "/caps.txt" || sel == "caps.txt" {
		io.WriteString(w, v.caps())
		return
	}
	search := r.Search
	if i := strings.IndexByte(sel, '?'); i >= 0 {
		// A link to a page of search results carries its query the way
		// a URL does: "/search/2?query".
		q, err := url.QueryUnescape(strings.ReplaceAll(sel[i+1:], "+", "%2B"))
		if err != nil {
			notFound(w, v.loc.T(i18n.ErrorNotFound))
			return
		}
		sel = sel[:i]
		if search == "" {
			search = q
		}
	}
	p, menu, ok := selectorPath(sel)
	if !ok {
		notFound(w, v.loc.T(i18n.ErrorNotFound))
		return
	}
	req := &site.Request{Path: p, Query: search, Proto: site.Gopher, Client: site.Client{Addr: addrOf(r.RemoteAddr)}, Context: r.Context()}
	p, res := v.follow(req)
	switch res.Status {
	case site.Found:
	case site.Gone:
		notFound(w, or(res.Message, v.loc.T(i18n.ErrorGone)))
		return
	case site.Input:
		// Gopher asks through a type 7 item pointing back here.
		m := gopher.Menu{Host: v.opts.Hostname, Port: v.opts.GopherPort}
		m.Link(gopher.TypeSearch, res.Prompt, p)
		m.WriteTo(w)
		return
	case site.Redirect:
		// An external redirect target (Gopher has no redirects of its own).
		m := gopher.Menu{Host: v.opts.Hostname, Port: v.opts.GopherPort}
		m.Info("This page has moved to:")
		m.Add(gopher.DefaultItem(res.Target, v.opts.Hostname, v.opts.GopherPort))
		m.WriteTo(w)
		return
	case site.RateLimited:
		secs := max(1, int(res.RetryAfter.Seconds()+0.5))
		errorMenu(w, gopher.StatusError, or(res.Message, v.loc.T(i18n.ErrorRateLimited, i18n.N(secs))))
		return
	case site.Unavailable, site.BadRequest, site.CertificateRequired, site.NotAuthorised:
		errorMenu(w, gopher.StatusError, or(res.Message, res.Status.String()))
		return
	default:
		notFound(w, or(res.Message, v.loc.T(i18n.ErrorNotFound)))
		return
	}
	if res.Page == nil {
		v.copyFile(w, res)
		return
	}
	pg := res.Page
	if !strings.HasPrefix(pg.Type, "text/gemini") {
		// Feeds, robots.txt: plain text with CRLF line ends, no menu.
		w.Write(v.s.Cache().View("gopher-text:"+p, pg, func() []byte {
			var text bytes.Buffer
			gopher.WriteText(&text, pg.Bytes())
			return text.Bytes()
		}))
		return
	}
	if req.Query != "" || menu || strings.HasSuffix(p, "/") {
		w.Write(v.render("gopher-menu:", p, req, pg, v.menuView))
	} else {
		w.Write(v.render("gopher-text:", p, req, pg, v.textView))
	}
}

// render returns a view of pg, from the site's cache (where it stays
// valid for as long as the page does) unless the page answers a query:
// search results are not worth keeping.
func (v view) render(kind, p string, req *site.Request, pg *site.Page, f func(string, *site.Page, bool) []byte) []byte {
	if req.Query != "" {
		return f(p, pg, false)
	}
	// A document (not a folder or generated menu) gets links between its
	// text and menu views.
	doc := !strings.HasSuffix(p, "/")
	return v.s.Cache().View(kind+p, pg, func() []byte { return f(p, pg, doc) })
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

// follow serves req and follows redirects within the site (aliases, .md
// sources, folder slashes) a few steps, since Gopher has no redirects of
// its own; it returns the final path and its response. A redirect to
// another host or scheme is returned as it is.
func (v view) follow(req *site.Request) (string, site.Response) {
	p := req.Path
	res := v.s.Serve(req)
	for i := 0; i < 4 && res.Status == site.Redirect; i++ {
		next, ok := localTarget(res.Target)
		if !ok {
			return p, res
		}
		p = next
		r := *req
		r.Path = p
		res = v.s.Serve(&r)
	}
	return p, res
}

// localTarget reduces a redirect target to a path of this site, if it is
// one (an absolute path rather than a URL).
func localTarget(target string) (string, bool) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
		return "", false
	}
	return u.Path, true
}

func (v view) copyFile(w gopher.ResponseWriter, res site.Response) {
	f, err := v.s.Open(res.File)
	if err != nil {
		notFound(w, v.loc.T(i18n.ErrorNotFound))
		return
	}
	defer f.Close()
	if itemType(res.Type) == gopher.TypeText {
		// Streamed line by line: a slow reader of a large text file
		// costs a buffer, not the file.
		if _, err := gopher.CopyText(w, f); err != nil {
			w.SetStatus(gopher.StatusError)
		}
		return
	}
	if _, err := io.Copy(w, f); err != nil {
		w.SetStatus(gopher.StatusError)
	}
}

func (v view) renderOptions(p string, loc *i18n.Locale) gopher.RenderOptions {
	return gopher.RenderOptions{
		References: loc.T(i18n.GopherReferences),
		Host:       v.opts.Hostname,
		Port:       v.opts.GopherPort,
		Item:       func(u string) gopher.Item { return v.gopherItem(p, u) },
		Resolve:    func(u string) string { return v.gopherURL(p, u) },
	}
}

// textView renders a gemtext page at path p as Gopher text. A document's
// text view ends with a pointer to its menu view, so a reader can switch.
func (v view) textView(p string, pg *site.Page, doc bool) []byte {
	loc := v.pageLocale(pg)
	src := pg.Bytes()
	if doc {
		src = append(append([]byte(nil), src...), "\n=> "+escapePath(p)+MenuSuffix+" "+loc.T(i18n.NavMenuView)+"\n"...)
	}
	var text bytes.Buffer
	gopher.TextView(&text, src, v.renderOptions(p, loc))
	return text.Bytes()
}

// menuView renders a gemtext page at path p as a Gopher menu. A
// document's menu view starts with a pointer to its text view.
func (v view) menuView(p string, pg *site.Page, doc bool) []byte {
	loc := v.pageLocale(pg)
	src := pg.Bytes()
	if doc {
		src = append([]byte("=> "+escapePath(p)+" "+loc.T(i18n.NavTextView)+"\n\n"), src...)
	}
	var menu bytes.Buffer
	gopher.MenuView(&menu, src, v.renderOptions(p, loc))
	return menu.Bytes()
}

// pageLocale is the catalog of the page's language.
func (v view) pageLocale(pg *site.Page) *i18n.Locale {
	if pg.Lang == "" {
		return v.loc
	}
	return v.opts.Catalog.For(pg.Lang)
}

// gopherItem maps a link of the page at base to a menu item: links into
// the capsule by what they lead to, others through the default rules.
func (v view) gopherItem(base, link string) gopher.Item {
	target, ok := v.internal(base, link)
	if !ok {
		return gopher.DefaultItem(link, v.opts.Hostname, v.opts.GopherPort)
	}
	it := gopher.Item{Type: gopher.TypeText, Selector: target, Host: v.opts.Hostname, Port: v.opts.GopherPort}
	if u, err := url.Parse(link); err == nil && u.RawQuery != "" {
		// A page of search results: a menu, its query in the selector.
		it.Type, it.Selector = gopher.TypeMenu, target+"?"+u.RawQuery
		return it
	}
	asked, menu, _ := selectorPath(target)
	p, res := v.follow(&site.Request{Path: asked, Proto: site.Gopher})
	if p != asked { // redirected: link straight to where it leads
		it.Selector = p
	}
	switch {
	case res.Status == site.Input:
		it.Type = gopher.TypeSearch
	case menu || strings.HasSuffix(p, "/"):
		it.Type = gopher.TypeMenu
	case res.Status == site.Found && res.Page == nil:
		it.Type = itemType(res.Type)
	}
	return it
}

// internal resolves link against the page at base and returns the site
// path it names, if it is a link into this capsule.
func (v view) internal(base, link string) (string, bool) {
	u, err := url.Parse(link)
	if err != nil {
		return "", false
	}
	if u.Scheme != "" || u.Host != "" {
		if !strings.EqualFold(u.Scheme, "gemini") || !strings.EqualFold(u.Hostname(), v.opts.Hostname) {
			return "", false
		}
		if port := u.Port(); port != "" && port != strconv.Itoa(v.opts.GeminiPort) {
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
func (v view) gopherURL(base, link string) string {
	if _, ok := v.internal(base, link); !ok {
		return link
	}
	it := v.gopherItem(base, link)
	host := v.opts.Hostname
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("gopher://%s:%d/%c%s", host, v.opts.GopherPort, it.Type, escapePath(it.Selector))
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

// escapePath percent-encodes a path for a link line.
func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// caps is the gopher caps.txt (the Gopher+ era capability file that
// modern clients read for path conventions and server identity).
func (v view) caps() string {
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
		"ServerDescription=" + gopher.Scrub(v.opts.Title),
		"ServerGeolocationString=",
		"DefaultEncoding=UTF-8",
		"",
	}, "\r\n")
}
