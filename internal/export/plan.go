package export

import (
	"cmp"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"

	"broadside/internal/capsule"
	"broadside/internal/diag"
	"broadside/internal/frontend"
	"broadside/internal/gemini"
	"broadside/internal/gopher"
	"broadside/internal/site"
)

// maxName is the longest file name most file systems take (NAME_MAX).
const maxName = 255

// capsHelp is the selector of the Gopher capabilities file, which the live
// server answers itself before the site is asked.
const capsHelp = "/caps.txt"

// kind says how an entry's bytes are made.
type kind int

const (
	geminiBody kind = iota // the body of the Gemini response for path
	gopherFile             // the Gopher response for selector, as a file
	gopherMenu             // the Gopher menu for selector, as a gophermap
)

// entry is one file of the export.
type entry struct {
	kind kind
	// file is the slash-separated path inside DIR/gemini or DIR/gopher.
	file string
	// path is the site path (Gemini) or the selector (Gopher) whose
	// response fills the file.
	path string
	// source is the capsule file behind the entry, for diagnostics; ""
	// for generated pages.
	source string
}

// link is a Gopher selector answered like another: a hard link from file
// to target, both inside DIR/gopher.
type link struct {
	file, target, path, source string
}

// redirect is one of the site's own redirects.
type redirect struct {
	from, to  string // escaped absolute paths (to may be an absolute URL)
	temporary bool
}

// plan is everything an export writes, decided before any byte is: which
// paths exist, the file each goes to, and what cannot be exported.
type plan struct {
	gemini    []entry
	gopher    []entry
	links     []link
	redirects []redirect
	prefixes  []redirect // prefix rules: from and to end in "/", the rest carries over
	gone      []string   // escaped paths that answer 52
	diags     []diag.Diagnostic
}

// found is a path the site answers with content.
type found struct {
	path   string
	res    site.Response
	source string
}

// planner gathers a plan for one site.
type planner struct {
	s       *site.Site
	opts    site.Options
	gopher  bool
	plan    plan
	geminiT *namespace
	gopherT *namespace
}

// makePlan decides what exporting s writes. With withGopher false the
// Gopher tree is left out.
func makePlan(s *site.Site, withGopher bool) *plan {
	p := &planner{s: s, opts: s.Options(), gopher: withGopher, geminiT: newNamespace(), gopherT: newNamespace()}
	founds := p.collect()
	p.redirectsAndGone()
	p.geminiEntries(founds)
	if withGopher {
		p.gopherEntries(founds)
	}
	diag.Sort(p.plan.diags)
	return &p.plan
}

// warn reports a problem with the capsule file source, or with the
// generated page at pth when there is no such file.
func (p *planner) warn(source, pth, code, format string, args ...any) {
	p.report(diag.Warning, source, pth, code, format, args...)
}

// fail reports, like warn, a path of the site that is not exported.
func (p *planner) fail(source, pth, code, format string, args ...any) {
	p.report(diag.Error, source, pth, code, format, args...)
}

func (p *planner) report(sev diag.Severity, source, pth, code, format string, args ...any) {
	p.plan.diags = append(p.plan.diags, diag.Diagnostic{File: where(p.s, source, pth), Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
}

// where names what a diagnostic is about: the capsule file behind a path,
// else the path's URL (a generated page such as a tag page).
func where(s *site.Site, source, pth string) string {
	if source != "" || pth == "" {
		return source
	}
	return s.URL(pth)
}

// collect lists every path the site answers with content: its pages, and
// the capsule's folders and static files, walked with the rules the site
// serves them by. Lookup has the last word on each.
func (p *planner) collect() []found {
	paths := map[string]string{} // site path -> capsule file behind it
	for _, pth := range p.s.Paths() {
		paths[pth] = ""
	}
	if fsys := p.opts.Static; fsys != nil {
		err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				if name == "." {
					return err
				}
				p.warn(name, "", "export/unreadable", "cannot be read, so it is not exported: %v", err)
				return nil
			}
			if name == "." {
				return nil
			}
			if capsule.Hidden(name) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			switch {
			case d.IsDir():
				paths["/"+name+"/"] = name
			case capsule.IsDocument(name):
				// Served only through its page, which knows about
				// drafts and dates; the source never leaves as a file.
			default:
				// Regular files and symbolic links: Lookup serves a
				// link only when it stays in the capsule and ends at a
				// regular file. Links to folders are not followed.
				paths["/"+name] = name
			}
			return nil
		})
		if err != nil {
			p.fail("", "", "export/unreadable", "reading the capsule: %v", err)
		}
	}
	var out []found
	for _, pth := range sortedKeys(paths) {
		res := p.s.Lookup(pth)
		if res.Status != site.Found {
			continue
		}
		src := paths[pth]
		if res.Page != nil && res.Page.Doc != nil {
			src = res.Page.Doc.Source
		}
		if !p.geminiReachable(pth) {
			p.warn(src, pth, "export/unreachable", "%s cannot be requested over Gemini (the live server refuses the URL), so it is not exported", quote(pth))
			continue
		}
		out = append(out, found{path: pth, res: res, source: src})
	}
	return out
}

// geminiReachable reports whether a client can ask the live server for
// p: the URL must pass the server's request checks and name p again.
func (p *planner) geminiReachable(pth string) bool {
	req, _, _ := gemini.ParseRequest([]byte(p.s.URL(pth)), []string{p.opts.Hostname}, p.opts.GeminiPort)
	return req != nil && req.Path == pth
}

// redirectsAndGone lists the site's redirects (front-matter aliases,
// Markdown sources, the slash-less /tags and /archive, /index.gmi, the
// operator's rules and the paths they hide) and removed paths, asking
// Lookup what each answers. Prefix rules are kept as rules too, for the
// paths nobody can list.
func (p *planner) redirectsAndGone() {
	candidates := map[string]bool{"/tags": true, "/archive": true, "/index.gmi": true}
	for _, d := range p.s.Snapshot().Docs {
		for _, a := range d.Aliases {
			candidates[a] = true
		}
		candidates["/"+d.Source] = true
	}
	for _, r := range p.opts.Removed {
		candidates[r] = true
	}
	for _, r := range p.opts.Redirects {
		candidates[r.From] = true
		if strings.HasSuffix(r.From, "/") {
			to := r.To
			if strings.HasPrefix(to, "/") {
				to = escapePath(to)
			}
			p.plan.prefixes = append(p.plan.prefixes, redirect{from: escapePath(r.From), to: to, temporary: r.Temporary})
		}
	}
	for _, sh := range p.s.Shadowed() {
		candidates[sh.Path] = true
	}
	slices.SortFunc(p.plan.prefixes, func(a, b redirect) int { return strings.Compare(a.from, b.from) })
	for _, pth := range sortedKeys(candidates) {
		switch res := p.s.Lookup(pth); res.Status {
		case site.Redirect:
			p.plan.redirects = append(p.plan.redirects, redirect{from: escapePath(pth), to: res.Target, temporary: res.Temporary})
		case site.Gone:
			p.plan.gone = append(p.plan.gone, escapePath(pth))
		}
	}
}

// geminiEntries maps each path to its file: a folder path to the folder's
// index.gmi, any other path to itself. When two paths want one file, or a
// file would sit where a folder must be, folder pages win over other
// pages, and pages over static files.
func (p *planner) geminiEntries(founds []found) {
	ordered := slices.Clone(founds)
	slices.SortStableFunc(ordered, func(a, b found) int { return cmp.Compare(rank(a), rank(b)) })
	for _, f := range ordered {
		file := strings.TrimPrefix(f.path, "/")
		if strings.HasSuffix(f.path, "/") {
			file += "index.gmi"
		}
		if p.claim(p.geminiT, "gemini", file, f.path, f.source) {
			p.plan.gemini = append(p.plan.gemini, entry{kind: geminiBody, file: file, path: f.path, source: f.source})
		}
	}
	slices.SortFunc(p.plan.gemini, func(a, b entry) int { return strings.Compare(a.file, b.file) })
}

func rank(f found) int {
	switch {
	case strings.HasSuffix(f.path, "/"):
		return 0
	case f.res.Page != nil:
		return 1
	}
	return 2
}

// gopherEntries maps each path to the selectors the live Gopher server
// answers for it: a menu for folder paths (a folder with a gophermap), a
// text view and a ";menu" view for gemtext documents, the file itself for
// anything else; then hard links for the selectors that redirect.
func (p *planner) gopherEntries(founds []found) {
	ordered := slices.Clone(founds)
	slices.SortStableFunc(ordered, func(a, b found) int { return cmp.Compare(rank(a), rank(b)) })
	byPath := map[string]found{}
	for _, f := range ordered {
		byPath[f.path] = f
		gemtext := f.res.Page != nil && strings.HasPrefix(f.res.Type, "text/gemini")
		switch {
		case strings.HasSuffix(f.path, "/"):
			if gemtext {
				p.addGopher(gopherMenu, f.path, f.source)
			}
		case gemtext:
			p.addGopher(gopherFile, f.path, f.source)
			p.addGopher(gopherMenu, f.path+frontend.MenuSuffix, f.source)
		default:
			if strings.HasSuffix(f.path, frontend.MenuSuffix) {
				p.warn(f.source, f.path, "export/unreachable", "the live Gopher server reads %s as the menu view of %s, so the file is left out of the Gopher export",
					quote(f.path), quote(strings.TrimSuffix(f.path, frontend.MenuSuffix)))
				continue
			}
			if base := path.Base(f.path); base == "gophermap" || base == "gophertag" {
				p.warn(f.source, f.path, "export/gopher-name", "a file named %s cannot be served by gophernicus (it is its menu file), so it is left out of the Gopher export", base)
				continue
			}
			p.addGopher(gopherFile, f.path, f.source)
		}
	}
	p.addGopher(gopherFile, capsHelp, "")
	p.gopherLinks(byPath)
	slices.SortFunc(p.plan.gopher, func(a, b entry) int { return strings.Compare(a.file, b.file) })
	slices.SortFunc(p.plan.links, func(a, b link) int { return strings.Compare(a.file, b.file) })
}

// gopherFileOf is the file that holds the answer to a selector.
func gopherFileOf(k kind, selector string) string {
	file := strings.TrimPrefix(selector, "/")
	if k == gopherMenu {
		if file != "" && !strings.HasSuffix(file, "/") {
			file += "/"
		}
		file += "gophermap"
	}
	return file
}

func (p *planner) addGopher(k kind, selector, source string) {
	req, err := gopher.ParseRequest([]byte(selector + "\r\n"))
	if err != nil || req.Selector != selector {
		p.warn(source, selector, "export/unreachable", "%s cannot be requested over Gopher, so it is left out of the Gopher export", quote(selector))
		return
	}
	if why := gophernicusTrouble(selector); why != "" {
		p.warn(source, selector, "export/gophernicus", "gophernicus cannot serve the selector %s: %s", quote(selector), why)
	}
	file := gopherFileOf(k, selector)
	if p.claim(p.gopherT, "gopher", file, selector, source) {
		p.plan.gopher = append(p.plan.gopher, entry{kind: k, file: file, path: selector, source: source})
	}
}

// gopherLinks adds a hard link for each redirect the live Gopher server
// follows within the site (it has no redirects of its own): the selector
// answers what its target answers, text view and menu view alike.
func (p *planner) gopherLinks(byPath map[string]found) {
	exported := map[string]bool{}
	for _, e := range p.plan.gopher {
		exported[e.file] = true
	}
	for _, r := range p.plan.redirects {
		from, err := url.PathUnescape(r.from)
		if err != nil {
			continue
		}
		to, ok := p.follow(from)
		if !ok || strings.HasSuffix(from, "/") != strings.HasSuffix(to, "/") {
			continue
		}
		f, ok := byPath[to]
		if !ok {
			continue
		}
		var pairs [][2]string // selector, target file
		if strings.HasSuffix(to, "/") {
			pairs = append(pairs, [2]string{from, gopherFileOf(gopherMenu, to)})
		} else {
			pairs = append(pairs, [2]string{from, gopherFileOf(gopherFile, to)})
			if f.res.Page != nil && strings.HasPrefix(f.res.Type, "text/gemini") {
				pairs = append(pairs, [2]string{from + frontend.MenuSuffix, gopherFileOf(gopherMenu, to+frontend.MenuSuffix)})
			}
		}
		for _, pr := range pairs {
			sel, target := pr[0], pr[1]
			if !exported[target] {
				continue
			}
			if req, err := gopher.ParseRequest([]byte(sel + "\r\n")); err != nil || req.Selector != sel {
				continue
			}
			k := gopherFile
			if strings.HasSuffix(target, "gophermap") {
				k = gopherMenu
			}
			file := gopherFileOf(k, sel)
			if p.claim(p.gopherT, "gopher", file, sel, f.source) {
				p.plan.links = append(p.plan.links, link{file: file, target: target, path: sel, source: f.source})
			}
		}
	}
}

// follow resolves a path through the site's redirects within the site, as
// the live Gopher server does (at most four steps), and returns where it
// ends if that has content.
func (p *planner) follow(pth string) (string, bool) {
	for range 5 {
		res := p.s.Lookup(pth)
		switch res.Status {
		case site.Found:
			return pth, true
		case site.Redirect:
			u, err := url.Parse(res.Target)
			if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
				return "", false
			}
			pth = u.Path
		default:
			return "", false
		}
	}
	return "", false
}

// claim reserves file in a tree for the path, reporting a clash with a
// path that took it (or a folder it needs) first, and names too long for
// file systems.
func (p *planner) claim(ns *namespace, tree, file, pth, source string) bool {
	for seg := range strings.SplitSeq(file, "/") {
		if len(seg) > maxName {
			p.fail(source, pth, "export/name-too-long", "%s needs the file name %q, over %d bytes, so it is left out of the %s export", quote(pth), short(seg), maxName, tree)
			return false
		}
	}
	if other, ok := ns.claim(file, pth); !ok {
		p.fail(source, pth, "export/clash", "%s and %s both need %s/%s; %s is not exported", quote(other), quote(pth), tree, file, quote(pth))
		return false
	}
	return true
}

// namespace tracks the files and folders claimed in one tree.
type namespace struct {
	files map[string]string // file -> path that claimed it
	dirs  map[string]string // folder -> a path whose file is inside it
}

func newNamespace() *namespace {
	return &namespace{files: map[string]string{}, dirs: map[string]string{}}
}

// claim reserves file for pth unless it is taken, is a folder of claimed
// files, or sits below a claimed file; it returns the path in the way.
func (n *namespace) claim(file, pth string) (string, bool) {
	if other, ok := n.files[file]; ok {
		return other, false
	}
	if other, ok := n.dirs[file]; ok {
		return other, false
	}
	for dir := path.Dir(file); dir != "."; dir = path.Dir(dir) {
		if other, ok := n.files[dir]; ok {
			return other, false
		}
	}
	n.files[file] = pth
	for dir := path.Dir(file); dir != "."; dir = path.Dir(dir) {
		if _, ok := n.dirs[dir]; ok {
			break
		}
		n.dirs[dir] = pth
	}
	return "", true
}

// folders lists the claimed folders, parents first.
func (n *namespace) folders() []string {
	return sortedKeys(n.dirs)
}

// gophernicusTrouble says why gophernicus would not find the file for a
// selector written as is, or "" if it would: it decodes %XX and #OOO
// escapes in selectors and cuts them at '?'.
func gophernicusTrouble(sel string) string {
	switch {
	case strings.ContainsAny(sel, "%#"):
		return "it decodes % and # escapes in selectors"
	case strings.Contains(sel, "?"):
		return "it reads what follows '?' as a query (run it with -nq)"
	}
	return ""
}

func escapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

// quote shows a path in a message, escaped so that control characters and
// odd spaces are visible.
func quote(p string) string { return fmt.Sprintf("%q", short(p)) }

// short cuts a long name for a message.
func short(s string) string {
	const limit = 80
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
