package frontmatter

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// The YAML and TOML libraries describe syntax errors in their own terms
// ("found unexpected end of stream", "did not find expected ',' or ']'")
// and often at a line far from the mistake: an unclosed quote is reported
// where the block ends. explainYAML and explainTOML find the mistake
// themselves for the common cases and say what to write instead; anything
// else keeps the library's wording, without its block-relative line.

// syntaxProblem is an explained syntax error. line is relative to the
// block (0 is its first line), col is 1-based (0: unknown). An "opened on
// line %d" in msg is filled in with the absolute line by at.
type syntaxProblem struct {
	line, col int
	key       string
	msg       string
}

// layout is what the scanner found in a block: the first quote or bracket
// still open at its end, with where it opened.
type layout struct {
	quote                     byte // the unclosed quote character, 0 if none
	quoteLine, quoteCol       int
	quoteKey                  string
	bracket                   byte // the first bracket never closed, 0 if none
	bracketLine, bracketCol   int
	bracketKey                string
	lines                     []string
	keys                      []string // key written on each line, "" if none
	firstTab, firstTabCol     int      // first line indented with a tab (-1 if none)
	escapeLine, escapeCol     int      // first unknown escape in a double-quoted string (-1 if none)
	escape                    string
	badStartLine, badStartCol int // first value starting with @ or ` (-1 if none)
}

var (
	yamlKeyRE = regexp.MustCompile(`^[ \t]*(?:-[ \t]+)?(?:"([^"]*)"|'([^']*)'|([^\s"'#:\-?\[\]{},&*!|>%@` + "`" + `][^:#]*?))[ \t]*:(?:[ \t]|$)`)
	tomlKeyRE = regexp.MustCompile(`^[ \t]*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.\-]+))[ \t]*=`)
)

// keyOf returns the key a line defines, "" if none.
func keyOf(re *regexp.Regexp, line string) string {
	m := re.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1] + m[2] + m[3])
}

// scanLayout walks a YAML (isTOML false) or TOML block, tracking quotes,
// comments and flow brackets, and records what is left open at the end.
func scanLayout(data []byte, isTOML bool) layout {
	l := layout{firstTab: -1, escapeLine: -1, badStartLine: -1}
	text := strings.TrimSuffix(string(data), "\n")
	if text != "" || len(data) > 0 {
		l.lines = strings.Split(text, "\n")
	}
	re := yamlKeyRE
	if isTOML {
		re = tomlKeyRE
	}
	type open struct {
		c         byte
		line, col int
		key       string
	}
	var stack []open
	var quote byte
	triple := false
	for i, raw := range l.lines {
		line := strings.TrimSuffix(raw, "\r")
		key := keyOf(re, line)
		l.keys = append(l.keys, key)
		if quote == 0 && l.firstTab < 0 {
			if j := strings.IndexFunc(line, func(r rune) bool { return r != ' ' }); j >= 0 && line[j] == '\t' && !isTOML {
				l.firstTab, l.firstTabCol = i, j+1
			}
		}
		for j := 0; j < len(line); j++ {
			c := line[j]
			if quote != 0 {
				switch {
				case triple && strings.HasPrefix(line[j:], strings.Repeat(string(quote), 3)):
					quote, triple = 0, false
					j += 2
				case c == '\\' && quote == '"':
					if j+1 < len(line) && !validEscape(line[j+1], isTOML) && l.escapeLine < 0 {
						l.escapeLine, l.escapeCol, l.escape = i, j+1, line[j:j+2]
					}
					j++
				case c == quote && !triple:
					if !isTOML && quote == '\'' && j+1 < len(line) && line[j+1] == '\'' {
						j++ // '' is a quote inside single quotes
						continue
					}
					quote = 0
				}
				continue
			}
			switch {
			case c == '#' && (j == 0 || line[j-1] == ' ' || line[j-1] == '\t'):
				j = len(line) // a comment runs to the end of the line
			case c == '"' || c == '\'':
				if isTOML || valueStart(line, j) || len(stack) > 0 {
					quote = c
					l.quoteLine, l.quoteCol, l.quoteKey = i, j+1, key
					if isTOML && strings.HasPrefix(line[j:], strings.Repeat(string(c), 3)) {
						triple = true
						j += 2
					}
				}
			case c == '[' || c == '{':
				if isTOML || valueStart(line, j) || len(stack) > 0 {
					stack = append(stack, open{c, i, j + 1, key})
				}
			case c == ']' || c == '}':
				if n := len(stack); n > 0 && closer(stack[n-1].c) == c {
					stack = stack[:n-1]
				}
			case (c == '@' || c == '`') && !isTOML && valueStart(line, j) && l.badStartLine < 0:
				l.badStartLine, l.badStartCol = i, j+1
			}
		}
		if quote != 0 && isTOML && !triple {
			// TOML strings end on their line: this one never does.
			l.quote = quote
			return l
		}
	}
	if quote != 0 {
		l.quote = quote
	}
	if len(stack) > 0 {
		l.bracket, l.bracketLine, l.bracketCol, l.bracketKey = stack[0].c, stack[0].line, stack[0].col, stack[0].key
	}
	return l
}

// valueStart reports whether the character at j starts a value: only
// blanks before it on the line, or a blank after ":", "-", "?", or a flow
// separator.
func valueStart(line string, j int) bool {
	k := j - 1
	for k >= 0 && (line[k] == ' ' || line[k] == '\t') {
		k--
	}
	if k < 0 {
		return true
	}
	switch line[k] {
	case '[', '{', ',':
		return true
	case ':', '-', '?':
		return k < j-1 // "a:b" and "x-y" are plain text
	}
	return false
}

func closer(c byte) byte {
	if c == '[' {
		return ']'
	}
	return '}'
}

// validEscape reports whether \c is an escape of a double-quoted string.
func validEscape(c byte, isTOML bool) bool {
	if isTOML {
		return strings.IndexByte(`btnfr"\uUe`, c) >= 0
	}
	return strings.IndexByte("0abtnvfre \"/\\N_LPxuU\t", c) >= 0
}

// unclosedBracket is the message for a bracket never closed; "%d" is
// filled in by at.
func unclosedBracket(c byte) string {
	return "unclosed " + string(c) + " opened on line %d; " + closing(c)
}

// at returns the message with the absolute line of the block's line p.line
// (base is the file line of the block's first line).
func (p syntaxProblem) at(base int) string {
	return strings.Replace(p.msg, "on line %d", fmt.Sprintf("on line %d", p.line+base), 1)
}

// closing names how to end an open quote or bracket.
func closing(c byte) string {
	switch c {
	case '[':
		return "end the list with ]"
	case '{':
		return "end it with }"
	}
	return fmt.Sprintf("end the value with %c", c)
}

// explainYAML explains a yaml.v3 error message for the block data; libLine
// is the block-relative line the library's message points at (0-based).
func explainYAML(data []byte, msg string, libLine int) syntaxProblem {
	l := scanLayout(data, false)
	text := yamlErrText(msg)
	runaway := runawayQuote(l, libLine)
	keyAt := func(i int) string {
		if i >= 0 && i < len(l.keys) {
			return l.keys[i]
		}
		return ""
	}
	switch {
	case strings.Contains(text, "end of stream") && l.quote != 0:
		return syntaxProblem{l.quoteLine, l.quoteCol, l.quoteKey, "unclosed quote opened on line %d; " + closing(l.quote)}
	case runaway >= 0:
		// title: "Oops, then id: "urn:..." below: the quote closes on a
		// later line, and the library complains about that one.
		i := runaway
		_, v, _ := strings.Cut(l.lines[i], ":")
		col := len(l.lines[i]) - len(strings.TrimLeft(v, " \t")) + 1
		return syntaxProblem{i, col, l.keys[i], "unclosed quote opened on line %d; " + closing(l.lines[i][col-1])}
	case (strings.Contains(text, "expected ',' or ']'") || strings.Contains(text, "expected ',' or '}'") ||
		strings.Contains(text, "end of stream")) && l.bracket != 0:
		return syntaxProblem{l.bracketLine, l.bracketCol, l.bracketKey, unclosedBracket(l.bracket)}
	case strings.Contains(text, "tab character") && l.firstTab >= 0:
		return syntaxProblem{l.firstTab, l.firstTabCol, "", "indented with a tab: YAML indents with spaces only"}
	case strings.Contains(text, "cannot start any token") && l.badStartLine >= 0:
		c := l.lines[l.badStartLine][l.badStartCol-1]
		return syntaxProblem{l.badStartLine, l.badStartCol, keyAt(l.badStartLine),
			fmt.Sprintf("a value cannot start with %c: put the whole value in quotes", c)}
	case strings.Contains(text, "unknown escape") && l.escapeLine >= 0:
		return syntaxProblem{l.escapeLine, l.escapeCol, keyAt(l.escapeLine),
			fmt.Sprintf("unknown escape %s in double quotes: write \\\\ for a backslash, or use single quotes", l.escape)}
	case strings.Contains(text, "unknown anchor"):
		name := between(text, "'", "'")
		for i, line := range l.lines {
			if j := strings.Index(line, "*"+name); name != "" && j >= 0 {
				return syntaxProblem{i, j + 1, keyAt(i),
					fmt.Sprintf("*%s refers to no &%s anchor; put the value in quotes if the * is meant", name, name)}
			}
		}
	case strings.Contains(text, "mapping values are not allowed"):
		if p, ok := explainMappingValues(l, libLine); ok {
			return p
		}
	case strings.Contains(text, "did not find expected key"):
		if libLine >= 0 && libLine < len(l.lines) {
			line := l.lines[libLine]
			if strings.HasPrefix(strings.TrimLeft(line, " "), "- ") {
				return syntaxProblem{libLine, 0, "", "a list item among key: value lines: indent it under its key"}
			}
			if j := extraCloser(line); j >= 0 {
				return syntaxProblem{libLine, j + 1, keyAt(libLine), fmt.Sprintf("a %c that closes nothing: remove it", line[j])}
			}
			if q := closedQuoteThenText(line); q > 0 {
				return syntaxProblem{libLine, q + 1, keyAt(libLine),
					"text after the closing quote: put the whole value in quotes"}
			}
			return syntaxProblem{libLine, 0, keyAt(libLine), "indentation does not match the keys above: line keys up with the key they belong to"}
		}
	}
	return syntaxProblem{libLine, 0, "", "invalid YAML: " + text}
}

// runawayQuote returns the first line before libLine (any line when it
// is unknown) whose value opens a quote that the line does not close,
// followed by a line that looks like a key of its own: YAML lets a quoted
// value run on, but in front matter that is a forgotten quote. -1 if none.
func runawayQuote(l layout, libLine int) int {
	for i, line := range l.lines {
		if libLine >= 0 && i >= libLine {
			break
		}
		if l.keys[i] == "" || i+1 >= len(l.lines) || l.keys[i+1] == "" {
			continue
		}
		_, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(strings.TrimSuffix(v, "\r"))
		if v == "" || (v[0] != '"' && v[0] != '\'') {
			continue
		}
		if !closesOnLine(v) {
			return i
		}
	}
	return -1
}

// closesOnLine reports whether the quoted value v (starting with its
// quote) ends on its line.
func closesOnLine(v string) bool {
	q := v[0]
	for j := 1; j < len(v); j++ {
		switch {
		case q == '"' && v[j] == '\\':
			j++
		case v[j] == q && q == '\'' && j+1 < len(v) && v[j+1] == '\'':
			j++
		case v[j] == q:
			return true
		}
	}
	return false
}

// explainMappingValues explains "mapping values are not allowed in this
// context", which yaml.v3 reports for three different mistakes.
func explainMappingValues(l layout, libLine int) (syntaxProblem, bool) {
	if libLine < 0 || libLine >= len(l.lines) {
		return syntaxProblem{}, false
	}
	line := l.lines[libLine]
	// "title: War: a history": a second ": " in a plain value.
	if k := l.keys[libLine]; k != "" {
		_, rest, _ := strings.Cut(line, ":")
		v := strings.TrimSpace(rest)
		if v != "" && !strings.HasPrefix(v, "\"") && !strings.HasPrefix(v, "'") && strings.Contains(v, ": ") {
			return syntaxProblem{libLine, strings.Index(line, v) + 1, k,
				`the value contains ": ": put the whole value in quotes`}, true
		}
	}
	// A line above without a colon runs into this one.
	if libLine > 0 {
		prev := strings.TrimSpace(l.lines[libLine-1])
		if prev != "" && !strings.HasPrefix(prev, "#") && l.keys[libLine-1] == "" && !strings.HasSuffix(prev, ":") {
			return syntaxProblem{libLine - 1, 0, "", fmt.Sprintf("%q is not a key: value line: write a colon and a space after the key", prev)}, true
		}
	}
	// An indented key under a key that already has a value.
	if indent(line) > 0 {
		for i := libLine - 1; i >= 0; i-- {
			if k := l.keys[i]; k != "" && indent(l.lines[i]) < indent(line) {
				return syntaxProblem{libLine, indent(line) + 1, l.keys[libLine],
					fmt.Sprintf("indented under %s, which already has a value: remove the indentation", k)}, true
			}
		}
	}
	return syntaxProblem{}, false
}

// extraCloser returns the offset of the first ] or } on line that closes
// no bracket opened before it on the line (quotes and comments skipped),
// or -1.
func extraCloser(line string) int {
	depth := 0
	var quote byte
	for j := 0; j < len(line); j++ {
		c := line[j]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				j++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (j == 0 || line[j-1] == ' '):
			return -1
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth == 0 {
				return j
			}
			depth--
		}
	}
	return -1
}

// indent counts the spaces at the start of line.
func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// closedQuoteThenText returns the offset of the text that follows a quoted
// value on line ("title: "a" b"), or 0.
func closedQuoteThenText(line string) int {
	_, rest, ok := strings.Cut(line, ": ")
	if !ok {
		return 0
	}
	v := strings.TrimLeft(rest, " ")
	if v == "" || (v[0] != '"' && v[0] != '\'') {
		return 0
	}
	end := strings.IndexByte(v[1:], v[0])
	if end < 0 {
		return 0
	}
	after := strings.TrimSpace(v[end+2:])
	if after == "" || strings.HasPrefix(after, "#") {
		return 0
	}
	return len(line) - len(v) + end + 2 + strings.Index(v[end+2:], after)
}

// between returns the text between the first open and the next close.
func between(s, open, close string) string {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	in, _, _ := strings.Cut(rest, close)
	return in
}

// explainTOML explains a BurntSushi/toml parse error for the block data;
// its position is relative to the block.
func explainTOML(data []byte, pe toml.ParseError) (syntaxProblem, string) {
	line := pe.Position.Line - 1
	if s := pe.Position.Start; s > 0 && s <= len(data) {
		// The library counts the line after a newline it stopped at
		// ("[b" then LF is reported on the next line); the byte offset
		// is exact.
		line = bytes.Count(data[:s], []byte("\n"))
	}
	col := pe.Position.Col
	l := scanLayout(data, true)
	msg := pe.Message
	if pe.LastKey == "" && line >= 0 && line < len(l.keys) {
		pe.LastKey = l.keys[line]
	}
	switch {
	case (strings.Contains(msg, "cannot contain newlines") || strings.Contains(msg, "unexpected EOF; expected '")) && l.quote != 0:
		how := fmt.Sprintf("end the string with %c on the same line, or use %s for text over several lines", l.quote, strings.Repeat(string(l.quote), 3))
		return syntaxProblem{l.quoteLine, l.quoteCol, l.quoteKey, "unclosed quote opened on line %d; " + how}, CodeSyntax
	case strings.Contains(msg, "array terminator") && l.bracket != 0:
		return syntaxProblem{l.bracketLine, l.bracketCol, l.bracketKey, unclosedBracket(l.bracket)}, CodeSyntax
	case strings.Contains(msg, "has already been defined"):
		return syntaxProblem{line, col, pe.LastKey, "repeats a key given above; remove one"}, CodeDuplicateKey
	case strings.HasPrefix(msg, "expected value but found '\\n'") || strings.HasPrefix(msg, "expected value but found '#'"):
		return syntaxProblem{line, col, pe.LastKey, "the value is missing: write " + pe.LastKey + ` = "…", or remove the line`}, CodeSyntax
	case strings.HasPrefix(msg, "expected value but found"):
		return syntaxProblem{line, col, pe.LastKey, "text must be in quotes: " + pe.LastKey + ` = "…"`}, CodeSyntax
	case strings.HasPrefix(msg, "expected a top-level item to end with a newline"):
		return syntaxProblem{line, col, pe.LastKey, "text after the value: put the whole value in quotes, or start a comment with #"}, CodeSyntax
	case strings.HasPrefix(msg, "invalid datetime"):
		return syntaxProblem{line, col, pe.LastKey, msg + "; write it as 2006-01-02 or 2006-01-02T15:04:05+01:00"}, CodeDate
	}
	return syntaxProblem{line, col, pe.LastKey, "invalid TOML: " + msg}, CodeSyntax
}
