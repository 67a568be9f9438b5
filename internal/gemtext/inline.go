package gemtext

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// inlines writes the text of n's inline children to b: hard breaks as "\n",
// soft breaks as the softBreak sentinel, links registered for the block.
func (r *render) inlines(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		r.inline(b, c)
	}
}

func (r *render) inline(b *strings.Builder, n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		if r.skip != "" {
			return
		}
		if n.IsRaw() {
			b.Write(n.Segment.Value(r.src))
		} else {
			decodeText(b, n.Segment.Value(r.src))
		}
		if n.HardLineBreak() {
			b.WriteByte('\n')
		} else if n.SoftLineBreak() {
			b.WriteByte(softBreak)
		}
	case *ast.String:
		if r.skip == "" {
			b.Write(n.Value)
		}
	case *ast.CodeSpan:
		if r.skip != "" {
			return
		}
		r.mark(b, "`")
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				v := t.Segment.Value(r.src)
				for len(v) > 0 {
					i := bytes.IndexByte(v, '\n')
					if i < 0 {
						b.Write(v)
						break
					}
					b.Write(v[:i])
					b.WriteByte(' ')
					v = v[i+1:]
				}
			}
		}
		r.mark(b, "`")
	case *ast.Emphasis:
		m := "**"[:min(n.Level, 2)]
		r.mark(b, m)
		r.inlines(b, n)
		r.mark(b, m)
	case *east.Strikethrough:
		r.mark(b, "~~")
		r.inlines(b, n)
		r.mark(b, "~~")
	case *ast.Link:
		r.linkInline(b, n)
	case *ast.Image:
		r.imageInline(b, n)
	case *ast.AutoLink:
		r.autoLinkInline(b, n)
	case *ast.RawHTML:
		if n.Segments.Len() == 1 {
			seg := n.Segments.At(0)
			r.html(b, seg.Value(r.src))
			return
		}
		// A tag or comment may span lines: join them first.
		var raw []byte
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			raw = append(raw, seg.Value(r.src)...)
		}
		r.html(b, raw)
	case *east.FootnoteLink:
		if r.skip == "" {
			b.WriteString(r.footnoteMarker(n.Index))
		}
	case *east.FootnoteBacklink:
	case *east.TaskCheckBox:
		if n.IsChecked {
			b.WriteString("☑ ")
		} else {
			b.WriteString("☐ ")
		}
	default:
		r.inlines(b, n)
	}
}

// mark writes an emphasis, code or strikethrough marker when the options
// keep them (rule 15).
func (r *render) mark(b *strings.Builder, m string) {
	if r.opts.KeepEmphasis && r.skip == "" {
		b.WriteString(m)
	}
}

// linkInline writes a link's text and registers its link line.
func (r *render) linkInline(b *strings.Builder, n *ast.Link) {
	start := b.Len()
	r.inLink++
	r.inlines(b, n)
	r.inLink--
	if r.inLink > 0 {
		return
	}
	u, ok := r.target(decodeDest(n.Destination))
	if !ok {
		return
	}
	r.number(b, r.addLink(u, cleanLabel(b.String()[start:])))
}

// imageInline writes an image's alt text (or its file name) and registers
// its link line, unless it is the label of a link (rule 7).
func (r *render) imageInline(b *strings.Builder, n *ast.Image) {
	dest := decodeDest(n.Destination)
	start := b.Len()
	r.inLink++
	r.inlines(b, n)
	r.inLink--
	alt := cleanLabel(b.String()[start:])
	if alt == "" && !droppedScheme(dest) && r.skip == "" {
		alt = fileLabel(dest)
		b.WriteString(alt)
	}
	if r.inLink > 0 {
		return
	}
	if u, ok := r.target(dest); ok {
		r.number(b, r.addLink(u, alt))
	}
}

// autoLinkInline writes an autolink's URL as text and registers it, with
// mailto: added to e-mail addresses.
func (r *render) autoLinkInline(b *strings.Builder, n *ast.AutoLink) {
	if r.skip != "" {
		return
	}
	label := decodeRefs(n.Label(r.src))
	b.WriteString(label)
	if r.inLink > 0 {
		return
	}
	u := decodeRefs(n.URL(r.src))
	if n.AutoLinkType == ast.AutoLinkEmail && !hasPrefixFold(u, "mailto:") {
		u = "mailto:" + u
	}
	if u, ok := r.target(u); ok {
		r.number(b, r.addLink(u, label))
	}
}

// number writes the [n] marker of LinksNumbered mode.
func (r *render) number(b *strings.Builder, n int) {
	if n > 0 && r.skip == "" {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(n))
		b.WriteByte(']')
	}
}

// label returns the plain one-line text of n's inline children, without
// registering any link.
func (r *render) label(n ast.Node) string {
	var b strings.Builder
	r.inLink++
	r.inlines(&b, n)
	r.inLink--
	return cleanLabel(b.String())
}

// cleanLabel turns inline output into one line of text.
func cleanLabel(s string) string {
	if strings.ContainsAny(s, "\n\x02") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '\n':
				return ' '
			case moreMark:
				return -1
			}
			return r
		}, s)
	}
	return strings.Trim(resolveBreaks(s), " \t")
}

// onlyLink reports whether block n holds nothing but one link, autolink or
// image (white space aside), and returns its link line.
func (r *render) onlyLink(n ast.Node) (link, bool) {
	if r.opts.Links == LinksOff {
		return link{}, false
	}
	if _, ok := n.(*ast.Paragraph); !ok {
		if _, ok := n.(*ast.TextBlock); !ok {
			return link{}, false
		}
	}
	var only ast.Node
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok && len(bytes.TrimSpace(t.Segment.Value(r.src))) == 0 && !t.HardLineBreak() {
			continue
		}
		if only != nil {
			return link{}, false
		}
		only = c
	}
	var dest string
	switch l := only.(type) {
	case *ast.Link:
		dest = decodeDest(l.Destination)
	case *ast.Image:
		dest = decodeDest(l.Destination)
	case *ast.AutoLink:
		dest = decodeRefs(l.URL(r.src))
		if l.AutoLinkType == ast.AutoLinkEmail && !hasPrefixFold(dest, "mailto:") {
			dest = "mailto:" + dest
		}
	default:
		return link{}, false
	}
	u, ok := r.target(dest)
	if !ok {
		return link{}, false
	}
	label := r.label(n)
	if _, ok := only.(*ast.Image); ok && label == "" {
		label = fileLabel(dest)
	}
	return link{url: u, label: label}, true
}

// target applies rules 4-6 to a destination as written: empty, #anchor,
// data: and script URLs give no link; the rewriter (or MarkdownLink) maps
// the rest, and the result is cleaned.
func (r *render) target(dest string) (string, bool) {
	if dest == "" || dest[0] == '#' || droppedScheme(dest) || r.skip != "" {
		return "", false
	}
	if r.rewrite != nil {
		dest = r.rewrite(dest)
	} else {
		dest = MarkdownLink(dest)
	}
	if dest == "" {
		return "", false
	}
	return cleanURL(dest), true
}

// addLink registers a link line for the current block (or the document
// end) and returns its marker number in LinksNumbered mode. A URL already
// registered in the block gives no second line.
func (r *render) addLink(u, label string) int {
	switch r.opts.Links {
	case LinksOff:
		return 0
	case LinksAtEnd:
		if !r.endSeen[u] {
			if r.endSeen == nil {
				r.endSeen = make(map[string]bool)
			}
			r.endSeen[u] = true
			r.end = append(r.end, link{url: u, label: label})
		}
		return 0
	}
	if i, ok := r.findLink(u); ok {
		return r.links[i].n
	}
	n := 0
	if r.opts.Links == LinksNumbered {
		if r.numbers == nil {
			r.numbers = make(map[string]int)
		}
		n = r.numbers[u]
		if n == 0 {
			r.next++
			n = r.next
			r.numbers[u] = n
		}
	}
	r.links = append(r.links, link{url: u, label: label, n: n})
	if r.linkIndex != nil {
		r.linkIndex[u] = len(r.links) - 1
	}
	return n
}

// findLink returns the index of the link line for URL u in the current
// block: by scanning while there are few, from a map once there are many,
// so that a block of 100,000 links is not quadratic.
func (r *render) findLink(u string) (int, bool) {
	if r.linkIndex == nil {
		for i, l := range r.links {
			if l.url == u {
				return i, true
			}
		}
		if len(r.links) < 16 {
			return 0, false
		}
		r.linkIndex = make(map[string]int, len(r.links))
		for i, l := range r.links {
			if _, dup := r.linkIndex[l.url]; !dup {
				r.linkIndex[l.url] = i
			}
		}
		return 0, false
	}
	i, ok := r.linkIndex[u]
	return i, ok
}

// decodeDest resolves backslash escapes and character references in a
// link destination.
func decodeDest(d []byte) string {
	if bytes.IndexByte(d, '\\') < 0 && bytes.IndexByte(d, '&') < 0 {
		return string(d)
	}
	var b strings.Builder
	decodeText(&b, d)
	return b.String()
}

// decodeRefs resolves character references (only) in an autolink.
func decodeRefs(d []byte) string {
	if bytes.IndexByte(d, '&') < 0 {
		return string(d)
	}
	var b strings.Builder
	decode(&b, d, false)
	return b.String()
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
