package capsule

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"broadside/internal/diag"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Slugify turns a tag or slug as written into its canonical form: Unicode
// case-folded and NFC-normalised, letters, digits and marks kept, runs of
// anything else one hyphen. "Press Freedom" and "press-freedom" are one
// slug. It returns "" when nothing usable is left.
func Slugify(s string) string {
	// x/text's Fold is not idempotent for some scripts (Cherokee: "ꭴ"
	// folds to "Ꭴ" and "Ꭴ" to "ꭴ"); lower-casing its result picks one
	// form, so that both spellings give one slug and Slugify is stable.
	s = norm.NFC.String(strings.ToLower(cases.Fold().String(s)))
	var b strings.Builder
	dash := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// TagSlug is the slug of a tag: Slugify, after "#" and "+" that end a word
// are spelt out, so that tags that differ by them get distinct, readable
// URLs: "C#" is "c-sharp", "C++" is "c-plus-plus", "F#" is "f-sharp",
// while "#gemini" (a hashtag) stays "gemini". Tags whose slugs are equal
// are one tag.
func TagSlug(name string) string {
	if !strings.ContainsAny(name, "#+") {
		return Slugify(name)
	}
	var b strings.Builder
	var prev rune
	for _, r := range name {
		if (r == '#' || r == '+') && (unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '#' || prev == '+') {
			if r == '#' {
				b.WriteString(" sharp ")
			} else {
				b.WriteString(" plus ")
			}
		} else {
			b.WriteRune(r)
		}
		prev = r
	}
	return Slugify(b.String())
}

// tagsOf canonicalises a document's tags, dropping unusable ones and those
// repeated under another spelling.
func tagsOf(d *Doc, names []string) []Tag {
	var tags []Tag
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		slug := TagSlug(n)
		if slug == "" {
			d.report(CodeTag, d.tagsAt[0], d.tagsAt[1], Warning, fmt.Sprintf("tag %q has no letters or digits; ignored", n))
			continue
		}
		if seen[slug] {
			continue
		}
		seen[slug] = true
		tags = append(tags, Tag{Name: n, Slug: slug})
	}
	return tags
}

// spellingProblems warns about tags written differently (case,
// punctuation) that share one slug and so one page: each document of docs
// that uses a spelling other than the most common one (counts: spelling to
// the number of documents using it) is told which spelling the site shows.
func spellingProblems(slug string, counts map[string]int, docs []*Doc) []diag.Diagnostic {
	if len(counts) < 2 {
		return nil
	}
	names := slices.Collect(maps.Keys(counts))
	// Most used first; ties by name, so the result is stable.
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) })
	main := names[0]
	var out []diag.Diagnostic
	for _, d := range docs {
		for _, t := range d.Tags {
			if t.Slug != slug || t.Name == main {
				continue
			}
			out = append(out, diag.Diagnostic{File: d.Source, Line: d.tagsAt[0], Col: d.tagsAt[1], Severity: Warning,
				Code: CodeTagSpelling, Message: fmt.Sprintf("tag %q and tag %q (in %d %s) share the page /tags/%s/ and count as one tag; write %q",
					t.Name, main, counts[main], plural(counts[main], "file", "files"), slug, main)})
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
