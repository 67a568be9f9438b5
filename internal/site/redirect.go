package site

import (
	"net/url"
	"slices"
	"strings"
)

// RedirectRule sends requests for From elsewhere. A From ending in "/" is
// a prefix rule: the rest of the path is appended to To (which then ends
// in "/" too). To is an absolute path of this site or an absolute URL.
type RedirectRule struct {
	From      string
	To        string
	Temporary bool // 30 rather than 31
}

// rules routes paths by redirect rules: exact ones by map, prefix ones by
// walking up the path's folders, so a lookup costs the path's depth, not
// the number of rules.
type rules struct {
	exact  map[string]*RedirectRule
	prefix map[string]*RedirectRule
}

func newRules(rs []RedirectRule) rules {
	r := rules{exact: map[string]*RedirectRule{}, prefix: map[string]*RedirectRule{}}
	for _, rule := range rs {
		rule.To = normalTarget(rule.To)
		if strings.HasSuffix(rule.From, "/") {
			r.prefix[rule.From] = &rule
		} else {
			r.exact[rule.From] = &rule
		}
	}
	return r
}

// match returns the rule for p, the exact one first, then the longest
// prefix, and the response it gives.
func (r rules) match(p string) (*RedirectRule, Response, bool) {
	if len(r.exact) > 0 {
		if rule, ok := r.exact[p]; ok {
			return rule, redirectTo(rule.To, rule.Temporary), true
		}
	}
	if len(r.prefix) == 0 {
		return nil, Response{}, false
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != '/' {
			continue
		}
		if rule, ok := r.prefix[p[:i+1]]; ok {
			return rule, redirectTo(rule.To+escapeRest(p[i+1:]), rule.Temporary), true
		}
	}
	return nil, Response{}, false
}

// escapeRest percent-encodes the part of a path a prefix rule carries
// over.
func escapeRest(rest string) string {
	if rest == "" {
		return ""
	}
	return strings.TrimPrefix(escapePath("/"+rest), "/")
}

// normalTarget percent-encodes what must be in a local target ("/café/"
// and "/caf%C3%A9/" both become the latter); URLs are left as written.
func normalTarget(to string) string {
	if !strings.HasPrefix(to, "/") {
		return to
	}
	if u, err := url.Parse(to); err == nil {
		return u.EscapedPath()
	}
	return to
}

func redirectTo(target string, temporary bool) Response {
	return Response{Status: Redirect, Target: target, Temporary: temporary}
}

// Shadow is a published path that a redirect rule hides.
type Shadow struct {
	Rule RedirectRule
	Path string
}

// Shadowed lists the pages, aliases and document sources that redirect
// rules hide (rules come first), in path order, for "broadside check".
func (s *Site) Shadowed() []Shadow {
	paths := s.Paths()
	for p := range s.redirects {
		paths = append(paths, p)
	}
	for p := range s.aliases {
		if _, taken := s.docs[p]; !taken {
			paths = append(paths, p)
		}
	}
	for _, d := range s.docs {
		if src := "/" + d.Source; src != d.Path && d.Path != "/index.gmi" {
			paths = append(paths, src) // see sourceRedirect
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	var out []Shadow
	for _, p := range paths {
		if rule, _, ok := s.rules.match(p); ok {
			out = append(out, Shadow{Rule: *rule, Path: p})
		}
	}
	return out
}
