package frontmatter

import "testing"

func TestSplit(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		format   Format
		data     string
		body     string
		bodyLine int
		unclosed bool
	}{
		{"no front matter", "# Hi\n", None, "", "# Hi\n", 1, false},
		{"empty input", "", None, "", "", 1, false},
		{"yaml", "---\ntitle: a\n---\nbody\n", YAML, "title: a\n", "body\n", 4, false},
		{"toml", "+++\ntitle = 'a'\n+++\nbody\n", TOML, "title = 'a'\n", "body\n", 4, false},
		{"crlf", "---\r\ntitle: a\r\n---\r\nbody\r\n", YAML, "title: a\r\n", "body\r\n", 4, false},
		{"trailing spaces and tabs on delimiters", "--- \t\ntitle: a\n---  \nbody", YAML, "title: a\n", "body", 4, false},
		{"empty block", "---\n---\nbody", YAML, "", "body", 3, false},
		{"closing at end of file", "---\ntitle: a\n---", YAML, "title: a\n", "", 3, false},
		{"empty body after closing", "---\ntitle: a\n---\n", YAML, "title: a\n", "", 4, false},
		{"unclosed", "---\ntitle: a\nbody\n", None, "", "---\ntitle: a\nbody\n", 1, true},
		{"only an opening line", "---", None, "", "---", 1, true},
		{"other delimiter does not close", "---\ntitle: a\n+++\nbody\n", None, "", "---\ntitle: a\n+++\nbody\n", 1, true},
		{"four dashes is not a delimiter", "----\ntitle: a\n----\n", None, "", "----\ntitle: a\n----\n", 1, false},
		{"leading space is not a delimiter", " ---\ntitle: a\n---\n", None, "", " ---\ntitle: a\n---\n", 1, false},
		{"delimiter not on line 1", "\n---\ntitle: a\n---\n", None, "", "\n---\ntitle: a\n---\n", 1, false},
		{"indented closing line does not close", "---\na: 1\n ---\n", None, "", "---\na: 1\n ---\n", 1, true},
		{"first closing line wins", "---\na: 1\n---\n---\nb\n", YAML, "a: 1\n", "---\nb\n", 4, false},
		{"lone CR is not a line end", "---\rtitle: a\r---\r", None, "", "---\rtitle: a\r---\r", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := split([]byte(tt.src))
			if b.format != tt.format || string(b.data) != tt.data || string(b.body) != tt.body ||
				b.bodyLine != tt.bodyLine || b.unclosed != tt.unclosed {
				t.Errorf("split(%q) = format %v data %q body %q line %d unclosed %v; want %v %q %q %d %v",
					tt.src, b.format, b.data, b.body, b.bodyLine, b.unclosed,
					tt.format, tt.data, tt.body, tt.bodyLine, tt.unclosed)
			}
		})
	}
}
