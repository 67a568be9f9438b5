package capsule

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

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

// maxTags and maxTagLength bound the tags of one document. The site makes
// a page and a feed for every tag, and every feed entry lists all the tags
// of its document, so the work grows with the square of one document's
// tags: 8,000 tags in one article made 64 million feed categories.
const (
	maxTags      = 64
	maxTagLength = 100 // characters
)

// tagsOf canonicalises a document's tags, dropping unusable ones, those
// repeated under another spelling and those past maxTags.
func tagsOf(d *Doc, names []string) []Tag {
	var tags []Tag
	seen := map[string]bool{}
	extra := 0
	for _, n := range names {
		n = strings.TrimSpace(n)
		if utf8.RuneCountInString(n) > maxTagLength {
			d.problem(0, Warning, fmt.Sprintf("tag %q… is longer than %d characters; ignored", truncate(n, 40), maxTagLength))
			continue
		}
		slug := Slugify(n)
		if slug == "" {
			d.problem(0, Warning, fmt.Sprintf("tag %q has no letters or digits; ignored", n))
			continue
		}
		if seen[slug] {
			continue
		}
		if len(tags) == maxTags {
			extra++
			continue
		}
		seen[slug] = true
		tags = append(tags, Tag{Name: n, Slug: slug})
	}
	if extra > 0 {
		d.problem(0, Warning, fmt.Sprintf("%d more tags than the %d a document may have; only the first %d are kept", extra, maxTags, maxTags))
	}
	return tags
}

// truncate returns the first n characters of s.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
