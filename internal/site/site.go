// Package site turns a capsule snapshot into what readers request: a map
// from paths to resources (articles, pages, the index, the archive, tag
// pages, feeds, robots.txt and favicon.txt) plus the capsule's static
// files, and serves them through thin Gemini and Gopher adapters.
//
// A Site is built once per snapshot and never modified, so every request
// costs a map lookup; Live swaps sites atomically when the capsule changes.
package site

import (
	"broadside/internal/i18n"
	"io/fs"
	"maps"
	"mime"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadside/internal/capsule"
)

// Options describes the site around the capsule. Zero values get defaults
// in Build.
type Options struct {
	Title       string
	Hostname    string
	Lang        string // default language, sent with text/gemini
	Author      string // default author for bylines and feeds
	GeminiPort  int    // public Gemini port; 1965 is left out of URLs
	GopherPort  int    // public Gopher port written into menus; 0: no Gopher
	FeedEntries int
	IndexRecent int
	Removed     []string // paths that answer Gone
	Robots      string   // /robots.txt body when the capsule has none; "" for the default
	Favicon     string   // /favicon.txt when the capsule has none
	IDAuthority string   // authority of tag: entry ids; default Hostname
	// Cache keeps built pages and front-end views. Pass the same Cache
	// to every Build of one capsule with unchanged options, so that each
	// site reuses what the last one built; nil makes a new one of
	// DefaultCacheSize bytes.
	Cache *Cache
	// PageSize is the number of articles on one page of a tag; older
	// ones follow on /tags/TAG/2/ and on. 0 means DefaultPageSize.
	PageSize int
	Location *time.Location
	// Redirects are the operator's redirect rules; they come before
	// every page.
	Redirects []RedirectRule
	// Catalog holds the page chrome in every language; nil means the
	// built-in catalogs.
	Catalog *i18n.Catalog
	// Uploads answers requests that carry an Upload (Titan); nil refuses
	// them. It decides who may write what, writes, and answers with a
	// redirect to what it published or a refusal.
	Uploads func(*Request) Response
	// Search answers /search; nil leaves search out.
	Search Searcher
	// SearchPerPage is the number of results a page shows; 0 means
	// DefaultSearchPerPage.
	SearchPerPage int
	// Static is the capsule folder, for files that are not documents.
	// Build never reads it; requests do.
	Static fs.FS
	// Preview shows drafts and articles dated in the future everywhere
	// (index, tag pages, archive, feeds, their own URLs), each marked as
	// such: for "broadside preview" on the author's machine, never for
	// serve.
	Preview bool
}

func (o *Options) defaults() {
	if o.Title == "" {
		o.Title = "Broadside"
	}
	if o.Hostname == "" {
		o.Hostname = "localhost"
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	if o.GeminiPort == 0 {
		o.GeminiPort = 1965
	}
	if o.FeedEntries <= 0 {
		o.FeedEntries = 20
	}
	if o.IndexRecent <= 0 {
		o.IndexRecent = 30
	}
	if o.Favicon == "" {
		o.Favicon = "📰"
	}
	if o.IDAuthority == "" {
		o.IDAuthority = o.Hostname
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.SearchPerPage <= 0 {
		o.SearchPerPage = DefaultSearchPerPage
	}
	if o.Catalog == nil {
		o.Catalog, _ = i18n.New(o.Lang, nil)
	}
	if o.Cache == nil {
		o.Cache = NewCache(DefaultCacheSize)
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
}

// Page is a generated or document page held in memory. Its parts are
// written one after another; they are shared with the snapshot and never
// modified.
type Page struct {
	Type  string
	Parts [][]byte
	Title string
	Doc   *capsule.Doc // the document behind the page, if any
	Lang  string       // the page's language, "" for the site's
}

// Len is the page's size in bytes.
func (p *Page) Len() int {
	n := 0
	for _, b := range p.Parts {
		n += len(b)
	}
	return n
}

// Bytes returns the page as one slice (a copy when it has several parts).
func (p *Page) Bytes() []byte {
	if len(p.Parts) == 1 {
		return p.Parts[0]
	}
	b := make([]byte, 0, p.Len())
	for _, part := range p.Parts {
		b = append(b, part...)
	}
	return b
}

// Site is an immutable, routable view of one snapshot at one moment.
// It is safe for concurrent use.
type Site struct {
	opts      Options
	snap      *capsule.Snapshot
	docs      map[string]*capsule.Doc // visible documents by served path
	folders   map[string]*capsule.Doc // "/dir/" to its index document
	aliases   map[string]*capsule.Doc // front-matter aliases to their documents
	redirects map[string]string
	rules     rules
	gone      map[string]bool
	fixed     map[string]*Page // generated robots.txt and favicon.txt
	tagIndex  map[string]*TagInfo
	years     []*YearInfo // newest first
	yearIndex map[int]*YearInfo
	cache     *Cache
	loc       *i18n.Locale // the chrome in the site's language
	// NextChange is when a scheduled article becomes due and the site
	// must be built again; zero if none is scheduled.
	NextChange time.Time
	// Built is the time the site was built for.
	Built time.Time
	// Articles lists the published articles, newest first.
	Articles []*capsule.Doc
	// Tags lists every tag of a published article, by name.
	Tags []*TagInfo

	standIns []StandIn // see StandIns

	// legacyTags maps the slug a tag had before "#" and "+" were spelt
	// out ("c" for C++) to its slug now, when that is unambiguous.
	legacyTags map[string]string
}

// TagInfo is one tag with its published articles, newest first.
type TagInfo struct {
	capsule.Tag
	Articles []*capsule.Doc
}

// Snapshot returns the snapshot the site was built from.
func (s *Site) Snapshot() *capsule.Snapshot { return s.snap }

// Cache returns the cache the site keeps its pages in, for front-ends to
// keep their views of pages.
func (s *Site) Cache() *Cache { return s.cache }

// Options returns the options the site was built with, defaults filled.
func (s *Site) Options() Options { return s.opts }

// Lookup routes a clean absolute path (as the protocol front-ends produce
// it: unescaped, starting with "/", no dot segments) to a resource.
func (s *Site) Lookup(p string) Response {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if _, res, ok := s.rules.match(p); ok {
		return res
	}
	if hiddenPath(p) {
		return s.notFound()
	}
	if s.gone[p] {
		return Response{Status: Gone, Message: s.loc.T(i18n.ErrorGone)}
	}
	pg, err := s.page(p)
	if err != nil {
		// A new version of the file is being saved, and the reload that
		// follows will publish it: try again in a moment.
		return Response{Status: Unavailable}
	}
	if pg != nil {
		return Response{Status: Found, Page: pg, Type: pg.Type}
	}
	if t, ok := s.redirects[p]; ok {
		return Response{Status: Redirect, Target: t}
	}
	if d, ok := s.aliases[p]; ok {
		return Response{Status: Redirect, Target: escapePath(d.Path)}
	}
	if t, ok := s.sourceRedirect(p); ok {
		return Response{Status: Redirect, Target: t}
	}
	if t, ok := s.tagRedirect(p); ok {
		return Response{Status: Redirect, Target: t}
	}
	return s.static(p)
}

// sourceRedirect leads the path of a Markdown source ("/posts/x.md") to
// the page it is published at, if it is published.
func (s *Site) sourceRedirect(p string) (string, bool) {
	src := strings.TrimPrefix(p, "/")
	if !capsule.IsDocument(src) || capsule.ServedPath(src) == p {
		return "", false
	}
	d := s.snap.Served(src)
	if d == nil || s.docs[d.Path] != d || d.Path == p {
		return "", false
	}
	return escapePath(d.Path), true
}

// static serves a file of the capsule that is not a document.
func (s *Site) static(p string) Response {
	if s.opts.Static == nil {
		return s.notFound()
	}
	name := strings.TrimPrefix(p, "/")
	dirPath := strings.HasSuffix(p, "/")
	name = strings.TrimSuffix(name, "/")
	if name == "" {
		name = "."
	}
	fi, err := fs.Stat(s.opts.Static, name)
	if err != nil {
		return s.notFound()
	}
	if fi.IsDir() {
		if !dirPath {
			return Response{Status: Redirect, Target: (&url.URL{Path: p + "/"}).EscapedPath()}
		}
		return s.listing(p, name)
	}
	// Documents are served only through the snapshot, which knows about
	// drafts and future dates; their sources never leave as raw files.
	if dirPath || !fi.Mode().IsRegular() || capsule.IsDocument(name) {
		return s.notFound()
	}
	return Response{Status: Found, File: name, Type: s.mediaType(name)}
}

// mediaType maps a file name to its media type; text gets an explicit
// charset, gemtext the site language.
func (s *Site) mediaType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".gmi", ".gemini":
		return s.gemtextType("")
	case ".txt", ".text", ".asc":
		return "text/plain; charset=utf-8"
	case ".atom":
		return "application/atom+xml"
	case ".xml":
		return "application/xml"
	case ".svg":
		return "image/svg+xml"
	case ".webp":
		return "image/webp"
	}
	t := mime.TypeByExtension(ext)
	if t == "" {
		return "application/octet-stream"
	}
	if strings.HasPrefix(t, "text/") && !strings.Contains(t, "charset") {
		t += "; charset=utf-8"
	}
	return t
}

func (s *Site) gemtextType(lang string) string {
	if lang == "" {
		lang = s.opts.Lang
	}
	return "text/gemini; charset=utf-8; lang=" + lang
}

// hiddenPath reports paths never served: hidden names and editors'
// temporary and backup files, as the capsule loader skips them.
func hiddenPath(p string) bool {
	return capsule.Hidden(strings.Trim(p, "/"))
}

// URL returns the absolute Gemini URL of a path of the site.
func (s *Site) URL(p string) string {
	host := s.opts.Hostname
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if s.opts.GeminiPort != 1965 {
		host += ":" + strconv.Itoa(s.opts.GeminiPort)
	}
	return "gemini://" + host + escapePath(p)
}

// escapePath percent-encodes a path for a link line.
func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// listing is the page of a folder without an index: its visible files and
// folders, documents by title. Drafts and hidden files are left out.
func (s *Site) listing(p, name string) Response {
	entries, err := fs.ReadDir(s.opts.Static, name)
	if err != nil {
		return s.notFound()
	}
	// Built once per snapshot: any change in the capsule makes a new one.
	pg := s.cached("listing:"+p, []any{s.snap}, func() *Page { return s.listingPage(p, name, entries) })
	return Response{Status: Found, Page: pg, Type: pg.Type}
}

// MaxListing bounds the entries of a generated folder listing.
const MaxListing = 1000

func (s *Site) listingPage(p, name string, entries []fs.DirEntry) *Page {
	var w gemtextWriter
	loc := s.loc
	w.heading(1, loc.T(i18n.ListingTitle, i18n.Path(p)))
	w.blank()
	n, more := 0, 0
	for _, e := range entries {
		full := path.Join(name, e.Name())
		if capsule.Hidden(full) {
			continue
		}
		var target, label string
		switch {
		case e.IsDir():
			target, label = p+e.Name()+"/", e.Name()+"/"
		case capsule.IsDocument(full):
			served := capsule.ServedPath(full)
			d, ok := s.docs[served]
			if !ok {
				continue
			}
			target, label = served, d.Title
		default:
			target, label = p+e.Name(), e.Name()
		}
		if n == MaxListing {
			more++
			continue
		}
		w.link(target, label)
		n++
	}
	if n == 0 {
		w.text(loc.T(i18n.ListingEmpty))
	}
	if more > 0 {
		w.text("… " + loc.T(i18n.ListMore, i18n.N(more)))
	}
	w.blank()
	parent := path.Dir(strings.TrimSuffix(p, "/"))
	if parent != "/" {
		parent += "/"
	}
	w.link(parent, loc.T(i18n.NavParent))
	return gemtextPage(s, loc.T(i18n.ListingTitle, i18n.Path(p)), "", w.Bytes())
}

// Open opens a static file a Found response names. Lookup answers only
// for regular files; Open checks the opened file again and refuses
// anything else, so a device or socket swapped in after the lookup is
// never read.
func (s *Site) Open(name string) (fs.File, error) {
	if s.opts.Static == nil {
		return nil, fs.ErrNotExist
	}
	f, err := s.opts.Static.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return f, nil
}

// Paths lists the path of every page the site serves from its documents
// and generates (articles, pages, the index, archive, tag pages and their
// further pages, feeds, robots.txt and favicon.txt), sorted. Static files
// and folder listings are not included.
func (s *Site) Paths() []string {
	paths := []string{"/", "/archive/", "/tags/", "/atom.xml"}
	paths = slices.AppendSeq(paths, maps.Keys(s.docs))
	paths = slices.AppendSeq(paths, maps.Keys(s.folders))
	paths = slices.AppendSeq(paths, maps.Keys(s.fixed))
	for _, y := range s.years {
		paths = append(paths, yearPath(y.Year))
	}
	for _, t := range s.Tags {
		for n := 1; n <= s.tagPages(t); n++ {
			paths = append(paths, tagPath(t.Slug, n))
		}
		paths = append(paths, tagPath(t.Slug, 1)+"atom.xml")
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

// notFound is the answer for a path with nothing behind it.
func (s *Site) notFound() Response {
	return Response{Status: NotFound, Message: s.loc.T(i18n.ErrorNotFound)}
}
