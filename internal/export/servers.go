package export

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"broadside/internal/site"
)

// redirectsText lists the site's redirects and removed paths, one per
// line: "STATUS PATH [TARGET]", paths percent-encoded so that no field
// holds a space, sorted by path.
func redirectsText(p *plan) []byte {
	type line struct{ from, text string }
	var lines []line
	for _, r := range p.redirects {
		status := "31"
		if r.temporary {
			status = "30"
		}
		lines = append(lines, line{r.from, status + " " + r.from + " " + r.to})
	}
	for _, r := range p.prefixes {
		status := "31"
		if r.temporary {
			status = "30"
		}
		lines = append(lines, line{r.from, status + " " + r.from + "* " + r.to + "*"})
	}
	for _, g := range p.gone {
		lines = append(lines, line{g, "52 " + g})
	}
	slices.SortFunc(lines, func(a, b line) int { return strings.Compare(a.from, b.from) })
	var b bytes.Buffer
	b.WriteString("# Redirects and removed paths of the Gemini export, written by \"broadside build\".\n" +
		"# One per line: STATUS PATH [TARGET], paths percent-encoded. 31 is a permanent\n" +
		"# redirect, 30 a temporary one, 52 gone. A PATH ending in \"/*\" is a prefix rule:\n" +
		"# the rest of the path is put in place of the TARGET's \"*\". Static servers do not\n" +
		"# read this file:\n" +
		"# Molly Brown takes molly-brown.conf; for others see the README, \"Static export\".\n")
	for _, l := range lines {
		b.WriteString(l.text + "\n")
	}
	return b.Bytes()
}

// mollyConf is the part of a Molly Brown configuration that makes it
// answer like the live server where files alone cannot: the default
// language, the redirects (regular expressions matched against the
// request path) and media types that file extensions do not give (other
// languages, Atom feeds; matched against the end of the file's path).
func mollyConf(opts site.Options, p *plan, meta map[string]string) []byte {
	var b bytes.Buffer
	b.WriteString("# Molly Brown settings for the Gemini export, written by \"broadside build\".\n" +
		"# Set DocBase to the gemini/ folder and copy these lines into molly.conf, merging\n" +
		"# them with any [PermRedirects], [TempRedirects] or [MimeOverrides] it has.\n")
	fmt.Fprintf(&b, "DefaultLang = %s\n", tomlString(opts.Lang))

	perm, temp := &bytes.Buffer{}, &bytes.Buffer{}
	var skipped []string
	rule := func(r redirect, prefix bool) {
		from, err1 := url.PathUnescape(r.from)
		to, err2 := url.PathUnescape(r.to)
		if err1 != nil || err2 != nil || !strings.HasPrefix(r.to, "/") {
			skipped = append(skipped, fmt.Sprintf("# %s -> %s: Molly Brown redirects only to paths of this site", r.from, r.to))
			return
		}
		w := perm
		if r.temporary {
			w = temp
		}
		pattern, target := "^"+regexp.QuoteMeta(from)+"$", strings.ReplaceAll(to, "$", "$$")
		if prefix {
			pattern, target = "^"+regexp.QuoteMeta(from)+"(.*)$", target+"${1}"
		}
		fmt.Fprintf(w, "%s = %s\n", tomlString(pattern), tomlString(target))
	}
	for _, r := range p.redirects {
		rule(r, false)
	}
	for _, r := range p.prefixes {
		rule(r, true)
	}
	b.WriteString("\n[PermRedirects]\n")
	b.Write(perm.Bytes())
	b.WriteString("\n[TempRedirects]\n")
	b.Write(temp.Bytes())
	for _, s := range skipped {
		b.WriteString(s + "\n")
	}
	for _, g := range p.gone {
		fmt.Fprintf(&b, "# 52 %s: Molly Brown cannot answer Gone; it answers 51 Not found\n", g)
	}

	b.WriteString("\n[MimeOverrides]\n")
	// A pattern matches the end of the path, so it also matches longer
	// paths ending the same way ("/atom.xml" and "/tags/x/atom.xml"): it is
	// set only if every file it matches wants the same type.
	wants := map[string]map[string]bool{} // "/b/c" -> types wanted by files ending so
	for file, mt := range meta {
		f := "/" + file
		for i := range len(f) {
			if f[i] == '/' {
				if wants[f[i:]] == nil {
					wants[f[i:]] = map[string]bool{}
				}
				wants[f[i:]][mollyType(opts.Lang, mt)] = true
			}
		}
	}
	for _, file := range sortedKeys(meta) {
		want := mollyType(opts.Lang, meta[file])
		if want == "" {
			continue
		}
		if len(wants["/"+file]) > 1 {
			fmt.Fprintf(&b, "# %s: %s (not set: the pattern would also match a longer path of another type)\n", file, want)
			continue
		}
		fmt.Fprintf(&b, "%s = %s\n", tomlString("/"+regexp.QuoteMeta(file)+"$"), tomlString(want))
	}
	return b.Bytes()
}

// mollyType is the media type Molly Brown should send for a file the live
// server sends as mediaType, "" when its own rules give it: gemtext in the
// default language (it adds DefaultLang), everything else by extension.
func mollyType(lang, mediaType string) string {
	base, _, _ := strings.Cut(mediaType, ";")
	switch strings.TrimSpace(base) {
	case "text/gemini":
		if l := langOf(mediaType); l != "" && l != lang {
			return "text/gemini; lang=" + l
		}
		return ""
	case "application/atom+xml":
		return "application/atom+xml"
	}
	return ""
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
