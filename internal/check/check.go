// Package check finds what "broadside check" reports beyond the problems
// the config and capsule loaders find themselves: links inside the capsule
// that lead nowhere, links to other capsules that fail (on request),
// certificates that clients will refuse, and settings that will surprise.
// Every finding is a diag.Diagnostic with a stable code.
package check

import (
	"fmt"
	"path"
	"strings"

	"broadside/internal/capsule"
	"broadside/internal/diag"
	"broadside/internal/site"
)

// Codes of the problems this package reports.
const (
	CodeLinkMissing     = "link/missing"            // a link or image to a path where nothing is published
	CodeLinkDraft       = "link/draft"              // a link to a draft
	CodeLinkScheduled   = "link/scheduled"          // a link to an article not yet published
	CodeLinkUnpublished = "link/unpublished"        // a link to a file held back by its errors
	CodeLinkGone        = "link/gone"               // a link to a path listed in removed
	CodeRedirectShadows = "config/redirect-shadows" // a redirect rule that hides a published path
)

// imageExts are the extensions whose links are called images in messages.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".svg": true, ".avif": true}

// Links checks every link and image of every document of the site's
// snapshot that leads to a path of the capsule, against what the site
// serves at time s.Built: a path where nothing is published is an error (a
// warning in a document that is itself unpublished), a path that holds a
// draft or an article scheduled for later is a warning. File names are
// relative to the capsule. The site's snapshot must be loaded with
// capsule.Options.Full: only a full parse finds a document's links.
func Links(s *site.Site) []diag.Diagnostic {
	snap := s.Snapshot()
	byPath := map[string]*capsule.Doc{} // current version of every file, by served path
	for _, d := range snap.Sources() {
		if _, taken := byPath[d.Path]; !taken {
			byPath[d.Path] = d
		}
	}
	var paths []string // candidates for "did you mean"
	var out []diag.Diagnostic
	for _, d := range snap.Sources() {
		published := !d.Broken && d.Visible(s.Built)
		for _, l := range d.Links {
			if !strings.HasPrefix(l.Target, "/") {
				continue
			}
			what := "link"
			if imageExts[strings.ToLower(path.Ext(l.Target))] {
				what = "image"
			}
			report := func(code string, sev diag.Severity, msg string) {
				if !published {
					sev = diag.Warning
				}
				out = append(out, diag.Diagnostic{File: d.Source, Line: l.Line, Col: l.Col, Severity: sev, Code: code,
					Message: fmt.Sprintf("%s %q: %s", what, l.Written, msg)})
			}
			switch r := s.Lookup(l.Target); r.Status {
			case site.Found, site.Redirect:
				continue
			case site.Gone:
				report(CodeLinkGone, diag.Warning, l.Target+" is gone (listed in removed)")
				continue
			}
			t := byPath[l.Target]
			switch {
			case t == nil:
				if paths == nil {
					paths = s.Paths()
				}
				msg := "nothing is published at " + l.Target
				if sug := diag.Suggest(l.Target, paths); sug != "" {
					msg += "; did you mean " + sug + "?"
				}
				report(CodeLinkMissing, diag.Error, msg)
			case t.Broken && !t.Draft:
				// A server that published a good version of it keeps
				// serving that one; check, reading the files alone, cannot
				// know whether one did.
				report(CodeLinkUnpublished, diag.Warning, t.Source+" has errors: readers get 51 unless a server still publishes its last good version")
			case t.Draft:
				if published {
					report(CodeLinkDraft, diag.Warning, t.Source+" is a draft: readers get 51 until it is published")
				}
			case t.Dated && t.Date.After(s.Built):
				if published {
					report(CodeLinkScheduled, diag.Warning, fmt.Sprintf("%s is scheduled for %s: readers get 51 until then",
						t.Source, t.Date.Format("2006-01-02 15:04 MST")))
				}
			default:
				report(CodeLinkMissing, diag.Error, "nothing is published at "+l.Target)
			}
		}
	}
	return out
}

// Shadows reports the published paths that redirect rules hide, at the
// line of each rule in the config file (named file).
func Shadows(s *site.Site, file string, ruleLine func(from string) int) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, sh := range s.Shadowed() {
		out = append(out, diag.Diagnostic{File: file, Line: ruleLine(sh.Rule.From), Severity: diag.Warning, Code: CodeRedirectShadows,
			Message: fmt.Sprintf("redirect from %s hides %s, which the capsule publishes", sh.Rule.From, sh.Path)})
	}
	return out
}
