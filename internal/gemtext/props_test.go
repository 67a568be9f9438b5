package gemtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkOutput asserts the properties every conversion must have (rules 3
// and 18, balanced toggles, usable link lines) and reports each violation.
func checkOutput(t *testing.T, out []byte) {
	t.Helper()
	for _, p := range outputProblems(out) {
		t.Error(p)
	}
}

// outputProblems lists the ways out breaks the output contract.
func outputProblems(out []byte) []string {
	var probs []string
	s := string(out)
	if !utf8.ValidString(s) {
		probs = append(probs, "output is not valid UTF-8")
	}
	if len(s) == 0 {
		return probs
	}
	if !strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\n\n") {
		probs = append(probs, "output does not end with exactly one newline")
	}
	if strings.ContainsRune(s, '\r') {
		probs = append(probs, "output contains CR")
	}
	if strings.HasPrefix(s, "\n") {
		probs = append(probs, "output starts with a blank line")
	}
	pre, blanks := false, 0
	for i, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		line := ParseLine(l, &pre)
		if line.Kind == Preformatted {
			continue
		}
		if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 && r != '\t' || r >= 0x7f && r < 0xa0 }) {
			probs = append(probs, lineProblem(i, l, "control character"))
		}
		if l == "" {
			blanks++
			if blanks > 1 {
				probs = append(probs, lineProblem(i, l, "more than one blank line in a row"))
			}
			continue
		}
		blanks = 0
		if strings.HasSuffix(l, " ") || strings.HasSuffix(l, "\t") {
			probs = append(probs, lineProblem(i, l, "trailing white space"))
		}
		if line.Kind == Link && strings.ContainsAny(line.URL, " \t") {
			probs = append(probs, lineProblem(i, l, "link URL with white space"))
		}
		if line.Kind == Text && strings.HasPrefix(l, "=>") {
			probs = append(probs, lineProblem(i, l, "link line without URL"))
		}
	}
	if pre {
		probs = append(probs, "unbalanced preformatted toggles")
	}
	return probs
}

func lineProblem(i int, l, what string) string {
	return "line " + itoa(i+1) + ": " + what + ": " + strings.ReplaceAll(l, "\t", "\\t")
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
