package config

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// Redirect is one [[redirect]] rule: requests for From are sent to To.
// A From ending in "/" is a prefix rule: "/old/a/b.gmi" under From "/old/"
// goes to To + "a/b.gmi", and To then ends in "/" too.
type Redirect struct {
	From      string // absolute path, starting with "/"
	To        string // absolute path of this site, or an absolute URL
	Permanent bool   // 31 (default) rather than 30
	Line      int    // line of the rule's [[redirect]] header, 0 if unknown
}

// Prefix reports whether r is a prefix rule.
func (r Redirect) Prefix() bool { return strings.HasSuffix(r.From, "/") }

// rawRedirectRule is one rule decoded but not yet validated.
type rawRedirectRule struct {
	from, to  opt[string]
	permanent opt[bool]
	line      int
}

var redirectHeader = regexp.MustCompile(`(?m)^[ \t]*\[\[[ \t]*redirect[ \t]*\]\]`)

// redirects decodes the [[redirect]] array of tables. Each rule's line is
// its header's: the TOML library reports no positions inside arrays.
func (d *decoder) redirects(p toml.Primitive, data []byte) []rawRedirectRule {
	if !d.md.IsDefined("redirect") {
		return nil
	}
	if t := d.md.Type("redirect"); t != "ArrayHash" {
		d.fail("redirect", "want an array of tables ([[redirect]]), got "+typeName(t))
		return nil
	}
	var raws []map[string]toml.Primitive
	if err := d.md.PrimitiveDecode(p, &raws); err != nil {
		d.fail("redirect", err.Error())
		return nil
	}
	var lines []int
	for _, m := range redirectHeader.FindAllIndex(data, -1) {
		lines = append(lines, bytes.Count(data[:m[0]], []byte("\n"))+1)
	}
	rules := make([]rawRedirectRule, len(raws))
	for i, r := range raws {
		rule := &rules[i]
		if i < len(lines) {
			rule.line = lines[i]
		}
		for _, k := range slices.Sorted(maps.Keys(r)) {
			switch k {
			case "from":
				rule.from = elem[string](d, r[k], "redirect.from", "a string", i, rule.line)
			case "to":
				rule.to = elem[string](d, r[k], "redirect.to", "a string", i, rule.line)
			case "permanent":
				rule.permanent = elem[bool](d, r[k], "redirect.permanent", "true or false", i, rule.line)
			default:
				d.failAtLine("redirect."+k, rule.line, fmt.Sprintf("rule %d: unknown key (redirect rules have from, to and permanent)", i+1))
			}
		}
	}
	return rules
}

// elem decodes one key of an array element.
func elem[T any](d *decoder, p toml.Primitive, key, want string, i, line int) opt[T] {
	var v T
	if err := d.md.PrimitiveDecode(p, &v); err != nil {
		d.failAtLine(key, line, fmt.Sprintf("rule %d: want %s", i+1, want))
		return opt[T]{}
	}
	return opt[T]{v: v, set: true, line: line}
}

// failAtLine records a problem with key at a known line.
func (d *decoder) failAtLine(key string, line int, msg string) {
	d.bad[key] = true
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Msg: msg})
}

// redirects validates the rules: paths clean and absolute, targets a path
// or an absolute URL, prefix rules to prefixes, no rule given twice, and no
// chain of rules that never ends.
func (v *validator) redirects(raws []rawRedirectRule) []Redirect {
	var out []Redirect
	seen := map[string]int{}
	for i, r := range raws {
		n := i + 1
		if !r.from.set || !r.to.set {
			v.failAt("redirect", r.line, "rule %d: needs both from and to", n)
			continue
		}
		rule := Redirect{From: r.from.v, To: r.to.v, Permanent: or(r.permanent, true), Line: r.line}
		if msg := checkRedirectFrom(rule.From); msg != "" {
			v.failAt("redirect.from", r.line, "rule %d: %q %s", n, rule.From, msg)
			continue
		}
		if msg := checkRedirectTo(rule.To); msg != "" {
			v.failAt("redirect.to", r.line, "rule %d: %q %s", n, rule.To, msg)
			continue
		}
		if rule.Prefix() && !strings.HasSuffix(rule.To, "/") {
			v.failAt("redirect.to", r.line, "rule %d: from %q is a prefix rule (it ends in /), so to must end in / too: %q", n, rule.From, rule.To+"/")
			continue
		}
		if prev, dup := seen[rule.From]; dup {
			v.failAt("redirect.from", r.line, "rule %d: %q is already redirected by rule %d", n, rule.From, prev)
			continue
		}
		seen[rule.From] = n
		out = append(out, rule)
	}
	for _, loop := range RedirectLoops(out) {
		v.failAt("redirect", loop.Rule.Line, "%s", loop)
	}
	return out
}

// checkRedirectFrom returns why p cannot be matched against request paths
// (which the servers clean before routing), or "".
func checkRedirectFrom(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return "must start with /"
	case p == "/":
		return "would redirect the whole site; name a path below /"
	case strings.ContainsFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "contains white space or control characters"
	case strings.ContainsAny(p, "?#%"):
		return "must be an unescaped path, without ?query, #fragment or %-escapes"
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") {
		clean += "/"
	}
	if clean != p {
		return fmt.Sprintf("is not a clean path (requests arrive cleaned: write %q)", clean)
	}
	return ""
}

// checkRedirectTo returns why s is not a usable target, or "".
func checkRedirectTo(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "contains white space or control characters (percent-encode them)"
	}
	if strings.HasPrefix(s, "/") {
		if strings.HasPrefix(s, "//") {
			return "is protocol-relative; write the scheme (gemini://host/...)"
		}
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" && u.Opaque == "" {
		return "must be an absolute path (/new/) or an absolute URL (gemini://host/path)"
	}
	if len(s) > 1024 {
		return "is longer than the 1024 bytes a Gemini header allows"
	}
	return ""
}

// RedirectLoop is a chain of rules that leads back into itself.
type RedirectLoop struct {
	Rule  Redirect // the rule the chain starts from
	Chain []string // the paths visited
}

func (l RedirectLoop) String() string {
	return "redirect loop: " + strings.Join(l.Chain, " -> ")
}

// RedirectLoops finds chains of local redirects that never end: each rule is
// followed (a prefix rule with a sample path below it) until it leaves the
// rules or applies a rule twice. Rules to URLs end a chain.
func RedirectLoops(rules []Redirect) []RedirectLoop {
	var loops []RedirectLoop
	for i, r := range rules {
		p := r.From
		if r.Prefix() {
			p += "x"
		}
		chain := []string{p}
		used := map[int]bool{}
		for {
			j, next, ok := applyRedirect(rules, p)
			if !ok {
				break
			}
			chain = append(chain, next)
			if used[j] {
				loops = append(loops, RedirectLoop{Rule: rules[i], Chain: chain})
				break
			}
			used[j] = true
			if !strings.HasPrefix(next, "/") {
				break
			}
			p = next
		}
	}
	return loops
}

// applyRedirect finds the rule for p, the exact one first, then the
// longest prefix, and returns its index and where it leads.
func applyRedirect(rules []Redirect, p string) (int, string, bool) {
	best := -1
	for j, r := range rules {
		switch {
		case r.From == p:
			return j, r.To, true
		case r.Prefix() && strings.HasPrefix(p, r.From) && (best < 0 || len(r.From) > len(rules[best].From)):
			best = j
		}
	}
	if best < 0 {
		return 0, "", false
	}
	return best, rules[best].To + strings.TrimPrefix(p, rules[best].From), true
}
