package capsule

import (
	"fmt"
	"strings"
	"unicode"

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

// tagsOf canonicalises a document's tags, dropping unusable ones and those
// repeated under another spelling.
func tagsOf(d *Doc, names []string) []Tag {
	var tags []Tag
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		slug := Slugify(n)
		if slug == "" {
			d.problem(0, Warning, fmt.Sprintf("tag %q has no letters or digits; ignored", n))
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
