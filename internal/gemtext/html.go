package gemtext

import (
	"bytes"
	"strings"
)

// html writes the visible text of raw HTML s to b (rule 14): tags are
// stripped, <br> becomes a hard break, block-level tags end a line, and
// comments and the content of <script>, <style> and <iframe> are dropped
// whole. A <!--more--> comment leaves the summary marker, and source line
// ends become soft breaks.
//
// The element being skipped lives in r.skip so that inline HTML split over
// several nodes (<script> text </script>) is handled too.
func (r *render) html(b *strings.Builder, s []byte) {
	n := 0
	text := func(end int) {
		if r.skip == "" && end > n {
			seg := s[n:end]
			for {
				i := bytes.IndexByte(seg, '\n')
				if i < 0 {
					break
				}
				decodeText(b, seg[:i])
				b.WriteByte(softBreak)
				seg = seg[i+1:]
			}
			decodeText(b, seg)
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		rest := s[i:]
		if bytes.HasPrefix(rest, []byte("<!--")) {
			text(i)
			end := bytes.Index(rest[4:], []byte("-->"))
			body := rest[4:]
			if end >= 0 {
				body = rest[4 : 4+end]
			}
			if r.skip == "" && strings.EqualFold(strings.TrimSpace(string(body)), "more") {
				b.WriteByte(moreMark)
			}
			if end < 0 {
				return
			}
			i += 4 + end + 2
			n = i + 1
			continue
		}
		name, closing, end := tag(rest)
		if end < 0 {
			continue
		}
		text(i)
		i += end - 1
		n = i + 1
		lower := strings.ToLower(name)
		switch {
		case lower == "script" || lower == "style" || lower == "iframe":
			if closing {
				if r.skip == lower {
					r.skip = ""
				}
			} else if r.skip == "" && !bytes.HasSuffix(rest[:end], []byte("/>")) {
				r.skip = lower
			}
		case r.skip != "":
		case lower == "br":
			b.WriteByte('\n')
		case blockTags[lower]:
			b.WriteByte('\n')
		}
	}
	text(len(s))
}

// tag parses an HTML tag at the start of s ("<name ...>" or "</name>"). It
// returns the element name, whether it is a closing tag and the length of
// the tag, or end < 0 when s does not start with a tag.
func tag(s []byte) (name string, closing bool, end int) {
	i := 1
	if i < len(s) && s[i] == '/' {
		closing = true
		i++
	}
	start := i
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || (i > start && (s[i] >= '0' && s[i] <= '9' || s[i] == '-'))) {
		i++
	}
	if i == start {
		return "", false, -1
	}
	name = string(s[start:i])
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return name, closing, i + 1
		case c == '<':
			return "", false, -1
		}
	}
	return "", false, -1
}

// blockTags are the elements that start or end a line of their own.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "dd": true,
	"details": true, "div": true, "dl": true, "dt": true, "figcaption": true, "figure": true,
	"footer": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"header": true, "hr": true, "li": true, "main": true, "nav": true, "ol": true, "p": true,
	"pre": true, "section": true, "summary": true, "table": true, "tr": true, "ul": true,
}
