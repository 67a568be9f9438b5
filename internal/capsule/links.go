package capsule

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"broadside/internal/gemtext"
)

// linkRewriter returns the rewriter for links in the document at source:
// relative links, Markdown ones mapped to .gmi, become absolute paths in
// the capsule; a link that would leave the capsule is dropped (its text is
// kept); absolute URLs pass unchanged.
func linkRewriter(source string) gemtext.LinkRewriter {
	dir := path.Dir("/" + source)
	return func(dest string) string {
		if dest == "" || strings.HasPrefix(dest, "#") {
			return ""
		}
		if hasScheme(dest) || strings.HasPrefix(dest, "//") {
			return dest
		}
		dest = gemtext.MarkdownLink(dest)
		p, suffix := dest, ""
		if i := strings.IndexAny(dest, "?#"); i >= 0 {
			p, suffix = dest[:i], dest[i:]
		}
		if p == "" {
			return dest
		}
		if u, err := url.PathUnescape(p); err == nil {
			p = u
		}
		abs, ok := resolve(dir, p)
		if !ok {
			return ""
		}
		// Escape the result (spaces, "?", "#", non-ASCII) so that the URL
		// stays one token and names exactly the file.
		return (&url.URL{Path: abs}).EscapedPath() + suffix
	}
}

// resolve joins the unescaped slash path p to dir and reports false if the
// result would leave the root. The result is clean and unescaped; a
// trailing slash is kept.
func resolve(dir, p string) (string, bool) {
	if !strings.HasPrefix(p, "/") {
		p = dir + "/" + p
	}
	depth := 0
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				return "", false
			}
		default:
			depth++
		}
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean, true
}

// hasScheme reports whether s starts with an RFC 3986 scheme and colon.
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':':
			return i > 0
		default:
			return false
		}
	}
	return false
}

// aliasPath turns a front-matter alias into a served path: absolute, or
// relative to the document's folder; Markdown names map to .gmi.
func aliasPath(source, alias string) (string, bool) {
	alias = strings.TrimSpace(alias)
	if alias == "" || hasScheme(alias) || strings.HasPrefix(alias, "//") || strings.ContainsAny(alias, "?#") {
		return "", false
	}
	if isMarkdown(strings.TrimSuffix(alias, "/")) {
		alias = strings.TrimSuffix(alias, path.Ext(alias)) + ".gmi"
	}
	u, err := url.PathUnescape(alias)
	if err != nil {
		return "", false
	}
	// Aliases are matched against unescaped request paths, like Doc.Path.
	p, ok := resolve(path.Dir("/"+source), u)
	if !ok || p == "/" || Hidden(strings.TrimPrefix(p, "/")) {
		return "", false
	}
	return p, true
}

// linkLog records the destinations a rewriter saw and what it made of
// them, so that the links of a Markdown document can be placed in its
// source afterwards (the converter reports no positions).
type linkLog struct {
	written, rewritten []string
}

// wrap returns rewrite, recording each call.
func (l *linkLog) wrap(rewrite gemtext.LinkRewriter) gemtext.LinkRewriter {
	return func(dest string) string {
		out := rewrite(dest)
		l.written = append(l.written, dest)
		l.rewritten = append(l.rewritten, out)
		return out
	}
}

// locate adds to d the links that lead into the capsule or to gemini://
// URLs, each at the first place after the previous link where its
// destination is written in body (which starts at line bodyLine), else at
// its first place anywhere (a reference definition written above), and
// warns about relative links that lead out of it. The converter asks the
// rewriter once per link, in the order of the text.
//
// The work is bounded for any document: lines are found by binary search
// in a table of line starts, each destination is looked for from the
// start of the body at most once, and once the searches have scanned
// locateWork times the body, the remaining links keep no position (line
// 0). 500,000 links in one paragraph took six minutes when each was
// placed by counting from the start.
func (l *linkLog) locate(d *Doc, body []byte, bodyLine int) {
	var starts []int // offsets where the body's lines start, built when needed
	lineOf := func(off int) (line, col int) {
		if starts == nil {
			starts = append(starts, 0)
			for i, c := range body {
				if c == '\n' {
					starts = append(starts, i+1)
				}
			}
		}
		k, _ := slices.BinarySearch(starts, off+1)
		k-- // the last line starting at or before off
		return bodyLine + k, off - starts[k] + 1
	}
	from, work, budget := 0, 0, locateWork*len(body)+1<<20
	anywhere := map[string]int{} // first place of a destination in the whole body
	for i, dest := range l.written {
		out := l.rewritten[i]
		outside := out == "" && dest != "" && !strings.HasPrefix(dest, "#") && !hasScheme(dest) && !strings.HasPrefix(dest, "//")
		internal := strings.HasPrefix(out, "/") && !strings.HasPrefix(out, "//")
		remote := isGemini(out)
		if !outside && !internal && !remote {
			continue
		}
		off := -1
		if work < budget && dest != "" {
			if j := bytes.Index(body[from:], []byte(dest)); j >= 0 {
				off = from + j
				work += j + len(dest)
				from = off + len(dest)
			} else {
				work += len(body) - from
				o, seen := anywhere[dest]
				if !seen {
					o = bytes.Index(body, []byte(dest))
					work += len(body)
					anywhere[dest] = o
				}
				off = o
			}
		}
		line, col := 0, 0
		if off >= 0 {
			line, col = lineOf(off)
		}
		if outside {
			d.report(CodeLinkOutside, line, col, Warning, fmt.Sprintf("link %q leads out of the capsule; only its text is kept", dest))
			continue
		}
		if remote {
			d.Links = append(d.Links, Link{Target: out, Written: dest, Line: line, Col: col})
			continue
		}
		target, _, _ := strings.Cut(out, "#")
		target, _, _ = strings.Cut(target, "?")
		if u, err := url.PathUnescape(target); err == nil {
			target = u
		}
		d.Links = append(d.Links, Link{Target: target, Written: dest, Line: line, Col: col})
	}
}

// locateWork bounds the searches of locate, in times the body's size.
const locateWork = 16

// isGemini reports whether u is an absolute gemini:// URL.
func isGemini(u string) bool {
	return len(u) > len("gemini://") && strings.EqualFold(u[:len("gemini://")], "gemini://")
}
