package search

import (
	"iter"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

const (
	// snippetRunes is the longest snippet, in characters, "…" included.
	snippetRunes = 160
	// snippetBefore is how much of the line before the match a snippet
	// keeps, in characters, when the line is too long to show whole.
	snippetBefore = 40
	// snippetScan bounds the text searched for the best line, in bytes,
	// so that the cost of a results page does not grow with the length
	// of the articles on it.
	snippetScan = 64 << 10
	// probeRunes is the length of the probes that decide which lines are
	// worth analysing.
	probeRunes = 3
	// snippetAnalyse bounds the text analysed for one snippet, in bytes.
	// With many query words whose probes are everywhere, nearly every
	// piece of every line qualifies, and analysing costs about 45 ns a
	// byte: up to snippetScan, 3 ms a snippet, 30 ms for a page of ten.
	// When it runs out, the snippet is the best line found so far.
	snippetAnalyse = 4 << 10
)

// snippet returns one line of text (a paragraph, as plainText makes it)
// around the best match of terms, the analysed words of a query in the
// analysis a: the first line, among the first snippetScan bytes, that
// holds the most distinct terms, shortened around its first match.
// Without a match in the text (the match was in the title or a tag) it is
// the start of the text: the summary, or the first paragraph.
//
// Analysing every line of every article on a results page would cost more
// than the search itself, so a line is analysed only if its folded text
// contains the first characters (the probes) of more terms than the best
// line so far holds: stems begin like the words they come from once case
// and accents are folded. When a
// stemmer rewrites the start of a word (a few Arabic normalisations),
// the snippet falls back to a line with fewer matches or to the start.
func snippet(text string, a analysis.Analyzer, terms []string) string {
	best, bestAt, bestCount := "", 0, 0
	if len(terms) > 0 && a != nil {
		probes := make([]string, len(terms))
		for i, t := range terms {
			probes[i] = probe(t)
		}
		seen := make(map[string]bool, len(terms))
		scan := min(len(text), snippetScan)
		for scan < len(text) && !utf8.RuneStart(text[scan]) {
			scan--
		}
		analysed := 0
		for line := range strings.SplitSeq(text[:scan], "\n") {
			// The terms whose probes a line holds bound the matches
			// analysing it can find.
			if bound(fold(line), probes) <= bestCount {
				continue
			}
			clear(seen)
			at := -1
			// A paragraph is analysed a piece at a time, and only the
			// pieces that hold the probe of a term not found yet, up to
			// the piece where the last term is found.
			for off, piece := range pieces(line) {
				if !newProbe(fold(piece), probes, terms, seen) {
					continue
				}
				if analysed += len(piece); analysed > snippetAnalyse {
					break
				}
				for _, t := range a.Analyze([]byte(piece)) {
					if !contains(terms, string(t.Term)) {
						continue
					}
					if at < 0 {
						at = off + t.Start
					}
					seen[string(t.Term)] = true
				}
				if len(seen) == len(terms) {
					break
				}
			}
			if len(seen) > bestCount {
				best, bestAt, bestCount = line, at, len(seen)
			}
			if bestCount == len(terms) || analysed > snippetAnalyse {
				break
			}
		}
	}
	if bestCount == 0 {
		best, _, _ = strings.Cut(text, "\n")
		bestAt = 0
	}
	return cut(best, bestAt)
}

// probe returns the first probeRunes characters of a term.
func probe(term string) string {
	i, n := 0, 0
	for i < len(term) && n < probeRunes {
		_, size := utf8.DecodeRuneInString(term[i:])
		i += size
		n++
	}
	return term[:i]
}

// pieceBytes is about how long the pieces of a paragraph that snippet
// analyses one at a time are.
const pieceBytes = 128

// pieces yields line in pieces of about pieceBytes, cut at spaces so that
// no word is cut (a line without spaces is one piece), with their offsets.
func pieces(line string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for off := 0; off < len(line); {
			end := len(line)
			if off+pieceBytes < len(line) {
				if i := strings.IndexByte(line[off+pieceBytes:], ' '); i >= 0 {
					end = off + pieceBytes + i
				}
			}
			if !yield(off, line[off:end]) {
				return
			}
			off = end
		}
	}
}

// newProbe reports whether s holds the probe of a term not seen yet.
func newProbe(s string, probes, terms []string, seen map[string]bool) bool {
	for i, p := range probes {
		if !seen[terms[i]] && strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// bound returns how many of probes s contains.
func bound(s string, probes []string) int {
	n := 0
	for _, p := range probes {
		if strings.Contains(s, p) {
			n++
		}
	}
	return n
}

// cut shortens line to at most snippetRunes characters, keeping some
// context before the byte offset at and cutting at spaces where it can,
// with "…" where something was left out.
func cut(line string, at int) string {
	if utf8.RuneCountInString(line) <= snippetRunes {
		return line
	}
	at = max(0, min(at, len(line)))
	for at > 0 && at < len(line) && !utf8.RuneStart(line[at]) {
		at--
	}
	// Back off snippetBefore characters, then forward to a word start.
	start := at
	for n := 0; n < snippetBefore && start > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(line[:start])
		start -= size
	}
	if start > 0 {
		if i := strings.IndexByte(line[start:at], ' '); i >= 0 {
			start += i + 1
		}
	}
	prefix := ""
	if start > 0 {
		prefix = "…"
	}
	rest := line[start:]
	room := snippetRunes - utf8.RuneCountInString(prefix)
	if utf8.RuneCountInString(rest) <= room {
		return prefix + rest
	}
	// Keep room-1 characters and "…", ending at a space if one is near.
	end := 0
	for n := 0; n < room-1; n++ {
		_, size := utf8.DecodeRuneInString(rest[end:])
		end += size
	}
	if i := strings.LastIndexByte(rest[:end], ' '); i > end*3/4 {
		end = i
	}
	return prefix + strings.TrimRight(rest[:end], " ") + "…"
}
