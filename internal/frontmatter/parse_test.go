package frontmatter

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"broadside/internal/diag"
)

// metaString renders Meta with times as RFC 3339 (offset included), so that
// comparisons check the instant and the zone and ignore location pointers.
func metaString(m Meta) string {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("title=%q date=%s updated=%s draft=%v tags=%q summary=%q authors=%q lang=%q slug=%q aliases=%q id=%q",
		m.Title, ts(m.Date), ts(m.Updated), m.Draft, m.Tags, m.Summary, m.Authors, m.Lang, m.Slug, m.Aliases, m.ID)
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseFields(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	tests := []struct {
		name string
		src  string
		loc  *time.Location
		want Meta
	}{
		// YAML
		{"yaml title", "---\ntitle: Hello world\n---\n", nil, Meta{Title: "Hello world"}},
		{"yaml quoted title with colon", "---\ntitle: \"War: a history\"\n---\n", nil, Meta{Title: "War: a history"}},
		{"yaml numeric title kept as written", "---\ntitle: 1984\n---\n", nil, Meta{Title: "1984"}},
		{"yaml keys are case-insensitive", "---\nTitle: T\nPublishDate: 2022-01-07\n---\n", nil, Meta{Title: "T", Date: date("2022-01-07T00:00:00Z")}},
		{"yaml native date in loc", "---\ndate: 2022-01-07\n---\n", est, Meta{Date: date("2022-01-07T00:00:00-05:00")}},
		{"yaml native timestamp with zone", "---\ndate: 2022-01-07T10:00:00+01:00\n---\n", est, Meta{Date: date("2022-01-07T10:00:00+01:00")}},
		{"yaml jekyll date", "---\ndate: 2022-01-07 10:00:00 +0100\n---\n", nil, Meta{Date: date("2022-01-07T10:00:00+01:00")}},
		{"yaml quoted date", "---\ndate: \"2022-01-07T10:00\"\n---\n", nil, Meta{Date: date("2022-01-07T10:00:00Z")}},
		{"publishDate when no date", "---\npublishDate: 2022-01-08\n---\n", nil, Meta{Date: date("2022-01-08T00:00:00Z")}},
		{"date wins over publishDate", "---\npublishDate: 2022-01-08\ndate: 2022-01-07\n---\n", nil, Meta{Date: date("2022-01-07T00:00:00Z")}},
		{"lastmod", "---\nlastmod: 2022-02-01\n---\n", nil, Meta{Updated: date("2022-02-01T00:00:00Z")}},
		{"updated", "---\nupdated: 2022-02-02\n---\n", nil, Meta{Updated: date("2022-02-02T00:00:00Z")}},
		{"lastmod wins over updated", "---\nupdated: 2022-02-02\nlastmod: 2022-02-01\n---\n", nil, Meta{Updated: date("2022-02-01T00:00:00Z")}},
		{"draft true", "---\ndraft: true\n---\n", nil, Meta{Draft: true}},
		{"draft false", "---\ndraft: false\n---\n", nil, Meta{}},
		{"draft yes (yaml 1.1)", "---\ndraft: yes\n---\n", nil, Meta{Draft: true}},
		{"published false is a draft", "---\npublished: false\n---\n", nil, Meta{Draft: true}},
		{"published true is not", "---\npublished: true\n---\n", nil, Meta{}},
		{"draft true beats published true", "---\npublished: true\ndraft: true\n---\n", nil, Meta{Draft: true}},
		{"tags list", "---\ntags: [go, web]\n---\n", nil, Meta{Tags: []string{"go", "web"}}},
		{"tags block list trimmed, empty dropped", "---\ntags:\n  - \" go \"\n  - \"\"\n  - web\n  -\n---\n", nil, Meta{Tags: []string{"go", "web"}}},
		{"tags space-separated string", "---\ntags: go  web\tgemini\n---\n", nil, Meta{Tags: []string{"go", "web", "gemini"}}},
		{"tags list item with space kept whole", "---\ntags: [machine learning]\n---\n", nil, Meta{Tags: []string{"machine learning"}}},
		{"tags duplicates case-insensitive, first spelling kept", "---\ntags: [Go, go, GO, Web]\n---\n", nil, Meta{Tags: []string{"Go", "Web"}}},
		{"tags numbers in a list as text", "---\ntags: [2022, go]\n---\n", nil, Meta{Tags: []string{"2022", "go"}}},
		{"tags with symbols", "---\ntags: [C#, C++, \"F#\"]\n---\n", nil, Meta{Tags: []string{"C#", "C++", "F#"}}},
		{"taxonomies.tags", "---\ntaxonomies:\n  tags: [a, b]\n  categories: [c]\n---\n", nil, Meta{Tags: []string{"a", "b"}}},
		{"tags and taxonomies merged", "---\ntags: [a]\ntaxonomies:\n  tags: [A, b]\n---\n", nil, Meta{Tags: []string{"a", "b"}}},
		{"summary", "---\nsummary: S\n---\n", nil, Meta{Summary: "S"}},
		{"description", "---\ndescription: D\n---\n", nil, Meta{Summary: "D"}},
		{"summary wins over description", "---\ndescription: D\nsummary: S\n---\n", nil, Meta{Summary: "S"}},
		{"author string", "---\nauthor: Ann\n---\n", nil, Meta{Authors: []string{"Ann"}}},
		{"author list", "---\nauthor: [Ann, Bob]\n---\n", nil, Meta{Authors: []string{"Ann", "Bob"}}},
		{"authors list", "---\nauthors:\n  - Ann\n  - Bob\n---\n", nil, Meta{Authors: []string{"Ann", "Bob"}}},
		{"author table with name", "---\nauthor:\n  name: Ann\n  email: a@b\n---\n", nil, Meta{Authors: []string{"Ann"}}},
		{"author and authors merged, deduplicated", "---\nauthor: Ann\nauthors: [Ann, Bob]\n---\n", nil, Meta{Authors: []string{"Ann", "Bob"}}},
		{"lang", "---\nlang: fr-CA\n---\n", nil, Meta{Lang: "fr-CA"}},
		{"slug", "---\nslug: my-post\n---\n", nil, Meta{Slug: "my-post"}},
		{"aliases list", "---\naliases: [/old/a, /old/b, /old/a]\n---\n", nil, Meta{Aliases: []string{"/old/a", "/old/b"}}},
		{"aliases string", "---\naliases: /old\n---\n", nil, Meta{Aliases: []string{"/old"}}},
		{"id", "---\nid: urn:uuid:1234\n---\n", nil, Meta{ID: "urn:uuid:1234"}},
		{"null values are absent", "---\ntitle:\ndate: ~\ntags:\n---\n", nil, Meta{}},
		{"other generators' keys accepted silently", "---\nlayout: post\nweight: 3\nparams: {x: [1, 2]}\ncategories: [a]\ntitle: T\n---\n", nil, Meta{Title: "T"}},
		{"yaml anchors and aliases", "---\nparams: &t [a, b]\ntags: *t\n---\n", nil, Meta{Tags: []string{"a", "b"}}},
		{"yaml empty block", "---\n---\n", nil, Meta{}},
		{"yaml comments only", "---\n# nothing\n---\n", nil, Meta{}},

		// TOML
		{"toml title", "+++\ntitle = \"Hello\"\n+++\n", nil, Meta{Title: "Hello"}},
		{"toml offset datetime", "+++\ndate = 2022-01-07T10:00:00+01:00\n+++\n", est, Meta{Date: date("2022-01-07T10:00:00+01:00")}},
		{"toml local datetime in loc", "+++\ndate = 2022-01-07T10:00:00\n+++\n", est, Meta{Date: date("2022-01-07T10:00:00-05:00")}},
		{"toml local date in loc", "+++\ndate = 2022-01-07\n+++\n", est, Meta{Date: date("2022-01-07T00:00:00-05:00")}},
		{"toml local date nil loc is utc", "+++\ndate = 2022-01-07\n+++\n", nil, Meta{Date: date("2022-01-07T00:00:00Z")}},
		{"toml date as string", "+++\ndate = \"2022-01-07 10:00:00 -0500\"\n+++\n", nil, Meta{Date: date("2022-01-07T10:00:00-05:00")}},
		{"toml publishDate and lastmod", "+++\npublishDate = 2022-01-07\nlastmod = 2022-01-09\n+++\n", nil,
			Meta{Date: date("2022-01-07T00:00:00Z"), Updated: date("2022-01-09T00:00:00Z")}},
		{"toml updated", "+++\nupdated = 2022-01-09\n+++\n", nil, Meta{Updated: date("2022-01-09T00:00:00Z")}},
		{"toml draft", "+++\ndraft = true\n+++\n", nil, Meta{Draft: true}},
		{"toml published false", "+++\npublished = false\n+++\n", nil, Meta{Draft: true}},
		{"toml tags list", "+++\ntags = [\"go\", \" web \", \"Go\"]\n+++\n", nil, Meta{Tags: []string{"go", "web"}}},
		{"toml tags string", "+++\ntags = \"a b\"\n+++\n", nil, Meta{Tags: []string{"a", "b"}}},
		{"toml zola taxonomies", "+++\ntitle = \"Z\"\n[taxonomies]\ntags = [\"rust\", \"web\"]\ncategories = [\"x\"]\n+++\n", nil,
			Meta{Title: "Z", Tags: []string{"rust", "web"}}},
		{"toml dotted taxonomies.tags", "+++\ntaxonomies.tags = [\"a\", \"b\"]\ntitle = \"x\"\n+++\n", nil, Meta{Title: "x", Tags: []string{"a", "b"}}},
		{"toml inline taxonomies", "+++\ntaxonomies = { tags = [\"a\"] }\n+++\n", nil, Meta{Tags: []string{"a"}}},
		{"toml description, authors, lang, slug, aliases, id",
			"+++\ndescription = \"D\"\nauthors = [\"Ann\"]\nlang = \"de\"\nslug = \"s\"\naliases = [\"/x\"]\nid = \"i\"\n+++\n", nil,
			Meta{Summary: "D", Authors: []string{"Ann"}, Lang: "de", Slug: "s", Aliases: []string{"/x"}, ID: "i"}},
		{"toml other generators' keys and tables accepted silently", "+++\nweight = 1\n[extra]\ntitle = \"not me\"\n[[menu]]\nname = \"m\"\n+++\n", nil, Meta{}},
		{"toml empty block", "+++\n+++\n", nil, Meta{}},

		// Shape
		{"bom before yaml", "\ufeff---\ntitle: B\n---\n", nil, Meta{Title: "B"}},
		{"crlf yaml", "---\r\ntitle: C\r\ntags: [a, b]\r\n---\r\nbody\r\n", nil, Meta{Title: "C", Tags: []string{"a", "b"}}},
		{"crlf toml", "+++\r\ntitle = \"C\"\r\n+++\r\n", nil, Meta{Title: "C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("a.md", []byte(tt.src), tt.loc)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got, want := metaString(doc.Meta), metaString(tt.want); got != want {
				t.Errorf("meta\n got %s\nwant %s", got, want)
			}
			if len(doc.Diagnostics) != 0 {
				t.Errorf("unexpected diagnostics %v", doc.Diagnostics)
			}
		})
	}
}

func TestParseShape(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		format   Format
		body     string
		bodyLine int
		errLine  int // 0: no problem
	}{
		{"none", "hello\n", None, "hello\n", 1, 0},
		{"yaml", "---\ntitle: a\n---\nhello\n", YAML, "hello\n", 4, 0},
		{"toml", "+++\ntitle = 'a'\n+++\n\nhello\n", TOML, "\nhello\n", 4, 0},
		{"bom stripped from body without front matter", "\ufeffhello", None, "hello", 1, 0},
		{"bom and front matter", "\ufeff---\ntitle: 1\n---\nx", YAML, "x", 4, 0},
		{"crlf body kept as is", "---\r\ntitle: 1\r\n---\r\nx\r\ny", YAML, "x\r\ny", 4, 0},
		{"unclosed yaml is a warning, all body", "---\ntitle: a\n\nhello\n", None, "---\ntitle: a\n\nhello\n", 1, 1},
		{"unclosed toml is a warning, all body", "+++\ntitle = 1\n", None, "+++\ntitle = 1\n", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("a.md", []byte(tt.src), nil)
			if doc.Format != tt.format || string(doc.Body) != tt.body || doc.BodyLine != tt.bodyLine {
				t.Errorf("got format %v body %q line %d; want %v %q %d",
					doc.Format, doc.Body, doc.BodyLine, tt.format, tt.body, tt.bodyLine)
			}
			if tt.errLine == 0 {
				if err != nil || len(doc.Diagnostics) != 0 {
					t.Errorf("unexpected problems %v %v", err, doc.Diagnostics)
				}
				return
			}
			// CONVERSION.md: an unclosed block is body text plus a
			// warning, not an error: the file is still published.
			if err != nil || doc.Broken() {
				t.Errorf("unclosed block is an error: %v", err)
			}
			if len(doc.Diagnostics) != 1 || doc.Diagnostics[0].Line != tt.errLine || doc.Diagnostics[0].Code != CodeUnclosed ||
				doc.Diagnostics[0].Severity != diag.Warning || !strings.Contains(doc.Diagnostics[0].Message, "never closed") {
				t.Errorf("diagnostics %v do not warn that the block is unclosed", doc.Diagnostics)
			}
		})
	}
}

// problem is an expected *Error: its line and key, and a piece of its text.
type problem struct {
	line int
	key  string
	text string
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		problems []problem
		want     Meta // fields that still decode
		body     string
	}{
		{"yaml unclosed bracket: line where it opens",
			"---\ntitle: a\ntags: [a, b\ndate: 2022-01-07\n---\nbody\n",
			[]problem{{3, "tags", "unclosed [ opened on line 3; end the list with ]"}}, Meta{}, "body\n"},
		{"yaml bad indentation",
			"---\ntitle: a\n  date: 2022\n---\nbody\n",
			[]problem{{3, "date", "indented under title, which already has a value"}}, Meta{}, "body\n"},
		{"yaml nested key badly indented",
			"---\na: 1\nb:\n  c: 1\n d: 2\n---\nbody\n",
			[]problem{{5, "d", "indentation does not match the keys above"}}, Meta{}, "body\n"},
		{"yaml unterminated quote",
			"---\na: 1\nb: 2\ntitle: \"unterminated\n---\nbody\n",
			[]problem{{4, "title", `unclosed quote opened on line 4; end the value with "`}}, Meta{}, "body\n"},
		{"yaml unterminated quote spanning lines: where it opens",
			"---\ntitle: 'it''s\ndate: 2022-01-07\ntags: [a]\n---\nbody\n",
			[]problem{{2, "title", `unclosed quote opened on line 2; end the value with '`}}, Meta{}, "body\n"},
		{"yaml unterminated quote closed by a later value's quote",
			"---\ntitle: \"Oops\ndate: 2024-01-05\nid: \"urn:uuid:1\"\n---\nbody\n",
			[]problem{{2, "title", `unclosed quote opened on line 2; end the value with "`}}, Meta{}, "body\n"},
		{"yaml quoted value that spans lines on purpose",
			"---\ntitle: \"A long\n  title\"\n---\nbody\n",
			nil, Meta{Title: "A long title"}, "body\n"},
		{"yaml value with a colon",
			"---\ntitle: War: a history\n---\nbody\n",
			[]problem{{2, "title", `the value contains ": ": put the whole value in quotes`}}, Meta{}, "body\n"},
		{"yaml key without colon",
			"---\ntitle \"x\"\ndate: 2022-01-07\n---\nbody\n",
			[]problem{{2, "", "is not a key: value line"}}, Meta{}, "body\n"},
		{"yaml tab indentation",
			"---\ntitle: x\n\tdate: y\n---\nbody\n",
			[]problem{{3, "", "indented with a tab"}}, Meta{}, "body\n"},
		{"yaml value starting with @",
			"---\nauthor: @ann\n---\nbody\n",
			[]problem{{2, "author", "cannot start with @"}}, Meta{}, "body\n"},
		{"yaml unknown escape",
			"---\ntitle: \"C:\\dir\"\n---\nbody\n",
			[]problem{{2, "title", `unknown escape \d`}}, Meta{}, "body\n"},
		{"yaml unknown alias",
			"---\ntags: *x\n---\nbody\n",
			[]problem{{2, "tags", "*x refers to no &x anchor"}}, Meta{}, "body\n"},
		{"yaml text after a quoted value",
			"---\ntitle: \"a\" b\n---\nbody\n",
			[]problem{{2, "title", "text after the closing quote"}}, Meta{}, "body\n"},
		{"invalid utf-8 in yaml is replaced, with a warning",
			"---\ntitle: caf\xe9\n---\nbody\n",
			nil, Meta{Title: "caf\ufffd"}, "body\n"},
		{"yaml list item after mapping",
			"---\na: 1\nb: 2\n- c\n---\nbody\n",
			[]problem{{4, "", "a list item among key: value lines"}}, Meta{}, "body\n"},
		{"yaml extra closing bracket",
			"---\nparams: {b: c}}\n---\nbody\n",
			[]problem{{2, "params", "a } that closes nothing"}}, Meta{}, "body\n"},
		{"yaml message has no relative line",
			"---\ntitle: a\nlayout: !x!y z\n---\nbody\n",
			[]problem{{3, "", "invalid YAML: found undefined tag handle"}}, Meta{}, "body\n"},
		{"yaml not a mapping",
			"---\n- a\n- b\n---\nbody\n",
			[]problem{{2, "", "key: value"}}, Meta{}, "body\n"},
		{"toml syntax error has absolute line",
			"+++\ntitle = \"a\"\n\ndate = \n+++\nbody\n",
			[]problem{{4, "date", "the value is missing"}}, Meta{}, "body\n"},
		{"toml text after a value",
			"+++\ndate = 2022-01-07 x\n+++\nbody\n",
			[]problem{{2, "date", "text after the value"}}, Meta{}, "body\n"},
		{"toml other errors keep the library's words",
			"+++\na = 1\n[b\nc = 3\n+++\nbody\n",
			[]problem{{3, "", "invalid TOML: expected '.' or ']'"}}, Meta{}, "body\n"},
		{"toml unquoted string",
			"+++\ntitle = abc\n+++\nbody\n",
			[]problem{{2, "title", `text must be in quotes: title = "…"`}}, Meta{}, "body\n"},
		{"toml unclosed quote",
			"+++\ntitle = \"abc\ndate = 2022-01-07\n+++\nbody\n",
			[]problem{{2, "title", "unclosed quote opened on line 2"}}, Meta{}, "body\n"},
		{"toml unclosed array: where it opens",
			"+++\ntags = [\"a\",\n  \"b\"\ndate = 2022-01-07\n+++\nbody\n",
			[]problem{{2, "tags", "unclosed [ opened on line 2"}}, Meta{}, "body\n"},
		{"toml unclosed table header",
			"+++\na = 1\n[b\nc = 3\n+++\nbody\n",
			[]problem{{3, "", "invalid TOML: expected '.' or ']'"}}, Meta{}, "body\n"},
		{"toml duplicate key",
			"+++\ntitle = \"a\"\ntitle = \"b\"\n+++\nbody\n",
			[]problem{{3, "title", "repeats a key given above"}}, Meta{}, "body\n"},
		{"title is a list",
			"---\ndate: 2022-01-07\ntitle: [a, b]\n---\nbody\n",
			[]problem{{3, "title", "want a string, got a list"}}, Meta{Date: date("2022-01-07T00:00:00Z")}, "body\n"},
		{"title is a block list: line of the key",
			"---\ntitle:\n  - a\n  - b\n---\nbody\n",
			[]problem{{2, "title", "want a string"}}, Meta{}, "body\n"},
		{"date is a word",
			"---\ntitle: T\ndate: yesterday\n---\nbody\n",
			[]problem{{3, "date", `"yesterday"`}}, Meta{Title: "T"}, "body\n"},
		{"draft maybe",
			"---\ndraft: maybe\ntitle: T\n---\nbody\n",
			[]problem{{2, "draft", `want true or false, got "maybe"; treated as a draft`}}, Meta{Title: "T", Draft: true}, "body\n"},
		{"published maybe",
			"---\npublished: maybe\n---\nbody\n",
			[]problem{{2, "published", `treated as a draft`}}, Meta{Draft: true}, "body\n"},
		{"draft is a list",
			"---\ndraft: [true]\n---\nbody\n",
			[]problem{{2, "draft", "got a list"}}, Meta{Draft: true}, "body\n"},
		{"tags is a number",
			"---\ntags: 5\n---\nbody\n",
			[]problem{{2, "tags", `want a list or a string, got a number; write tags: ["5"]`}}, Meta{}, "body\n"},
		{"aliases is a boolean",
			"---\naliases: true\n---\nbody\n",
			[]problem{{2, "aliases", "want a list or a string, got a boolean"}}, Meta{}, "body\n"},
		{"syntax error in a draft: still a draft",
			"---\ntitle: \"unclosed\ndraft: true\n---\nbody\n",
			[]problem{{2, "title", "unclosed quote"}}, Meta{Draft: true}, "body\n"},
		{"syntax error with published false anywhere in the file",
			"---\ntags: [a\n---\nbody\npublished: false\n",
			[]problem{{2, "tags", "unclosed ["}}, Meta{Draft: true}, "body\npublished: false\n"},
		{"unclosed block that says draft", // a warning, not an error, but still held back
			"---\ntitle: x\ndraft: yes\nbody\n",
			nil, Meta{Draft: true}, "---\ntitle: x\ndraft: yes\nbody\n"},
		{"an error without a draft line is not a draft",
			"---\ntitle: [x\n---\ndraft is a word here\n",
			[]problem{{2, "title", "unclosed ["}}, Meta{}, "draft is a word here\n"},
		{"tag item is a table",
			"---\ntags:\n  - go\n  - {a: b}\n  - web\n---\nbody\n",
			[]problem{{4, "tags", "each item must be a string"}}, Meta{Tags: []string{"go", "web"}}, "body\n"},
		{"tags is a table",
			"---\ntags: {a: b}\n---\nbody\n",
			[]problem{{2, "tags", "want a list or a string"}}, Meta{}, "body\n"},
		{"taxonomies is a list",
			"---\ntaxonomies: [a]\n---\nbody\n",
			[]problem{{2, "taxonomies", "want a table"}}, Meta{}, "body\n"},
		{"bad lang",
			"---\nlang: not a language\n---\nbody\n",
			[]problem{{2, "lang", "BCP 47"}}, Meta{}, "body\n"},
		{"author table without name",
			"---\nauthor: {email: a@b}\n---\nbody\n",
			[]problem{{2, "author", "needs a name"}}, Meta{}, "body\n"},
		{"duplicate key with other case",
			"---\ntitle: a\nTitle: b\n---\nbody\n",
			[]problem{{3, "Title", "line 2"}}, Meta{Title: "a"}, "body\n"},
		{"toml title is a table",
			"+++\ndate = 2022-01-07\n[title]\nx = 1\n+++\nbody\n",
			[]problem{{3, "title", "got a table"}}, Meta{Date: date("2022-01-07T00:00:00Z")}, "body\n"},
		{"toml draft is a string",
			"+++\ntitle = \"T\"\ndraft = \"maybe\"\n+++\nbody\n",
			[]problem{{3, "draft", `"maybe"`}}, Meta{Title: "T", Draft: true}, "body\n"},
		{"toml date is a number",
			"+++\ndate = 20220107\n+++\nbody\n",
			[]problem{{2, "date", "got a number"}}, Meta{}, "body\n"},
		{"toml local time without date",
			"+++\ndate = 10:00:00\n+++\nbody\n",
			[]problem{{2, "date", "without a date"}}, Meta{}, "body\n"},
		{"toml zola tags wrong type",
			"+++\n[taxonomies]\ntags = 3.5\n+++\nbody\n",
			[]problem{{3, "taxonomies.tags", `write taxonomies.tags = ["3.5"]`}}, Meta{}, "body\n"},
		{"toml zola tag item a table",
			"+++\n[taxonomies]\n\ntags = [\"a\", {x = 1}]\n+++\nbody\n",
			[]problem{{4, "taxonomies.tags", "each item must be a string"}}, Meta{Tags: []string{"a"}}, "body\n"},
		{"all problems at once, every good field kept",
			"---\ntitle: [a]\ndate: yesterday\ndraft: maybe\ntags: [go]\nlastmod: never\nsummary: fine\nlang: \"x y\"\n---\nbody\n",
			[]problem{{2, "title", "want a string"}, {3, "date", "yesterday"}, {4, "draft", "maybe"},
				{6, "lastmod", "never"}, {8, "lang", "BCP 47"}},
			Meta{Tags: []string{"go"}, Summary: "fine", Draft: true}, "body\n"},
		{"all problems at once in toml",
			"+++\ntitle = [1]\ndate = \"yesterday\"\ndraft = 3\nsummary = \"ok\"\n+++\nbody\n",
			[]problem{{2, "title", "want a string"}, {3, "date", "yesterday"}, {4, "draft", "got a number"}},
			Meta{Summary: "ok", Draft: true}, "body\n"},
		{"crlf and bom keep line numbers",
			"\ufeff---\r\ntitle: T\r\ndate: nope\r\n---\r\nbody\r\n",
			[]problem{{3, "date", "nope"}}, Meta{Title: "T"}, "body\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse("posts/x.md", []byte(tt.src), nil)
			if doc == nil {
				t.Fatal("Parse returned a nil Document")
			}
			if string(doc.Body) != tt.body {
				t.Errorf("body = %q, want %q", doc.Body, tt.body)
			}
			if got, want := metaString(doc.Meta), metaString(tt.want); got != want {
				t.Errorf("meta\n got %s\nwant %s", got, want)
			}
			var got []*Error
			if err != nil {
				joined, ok := err.(interface{ Unwrap() []error })
				if !ok {
					t.Fatalf("error %T is not an errors.Join", err)
				}
				for _, e := range joined.Unwrap() {
					var fe *Error
					if !errors.As(e, &fe) {
						t.Fatalf("error %v is not a *Error", e)
					}
					got = append(got, fe)
				}
			}
			if len(got) != len(tt.problems) {
				t.Fatalf("got %d problems %v, want %d", len(got), err, len(tt.problems))
			}
			for i, p := range tt.problems {
				g := got[i]
				if g.Line != p.line || g.Key != p.key || g.File != "posts/x.md" || !strings.Contains(g.Error(), p.text) {
					t.Errorf("problem %d = %q (line %d key %q), want line %d key %q containing %q",
						i, g.Error(), g.Line, g.Key, p.line, p.key, p.text)
				}
				if strings.Contains(g.Error(), "yaml: line") || strings.Contains(g.Error(), "toml: line") {
					t.Errorf("problem %q repeats the library's block-relative line", g.Error())
				}
				if prefix := fmt.Sprintf("posts/x.md:%d: ", p.line); !strings.HasPrefix(g.Error(), prefix) {
					t.Errorf("problem %q does not start with %q", g.Error(), prefix)
				}
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	cause := errors.New("cause")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"all parts", &Error{File: "a.md", Line: 3, Key: "date", Msg: "bad", Err: cause}, "a.md:3: date: bad: cause"},
		{"no line", &Error{File: "a.md", Msg: "bad"}, "a.md: bad"},
		{"no file", &Error{Line: 2, Msg: "bad"}, "2: bad"},
		{"only cause", &Error{File: "a.md", Line: 1, Key: "k", Err: cause}, "a.md:1: k: cause"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if tt.err.Err != nil && !errors.Is(tt.err, cause) {
				t.Error("Unwrap does not expose the cause")
			}
		})
	}
}

func TestParseDoesNotAliasMetaAcrossCalls(t *testing.T) {
	src := []byte("---\ntags: [a]\n---\n")
	d1, _ := Parse("a.md", src, nil)
	d2, _ := Parse("a.md", src, nil)
	d1.Meta.Tags[0] = "changed"
	if !reflect.DeepEqual(d2.Meta.Tags, []string{"a"}) {
		t.Errorf("second parse sees %q", d2.Meta.Tags)
	}
}

// TestParseHostile feeds blocks built to be expensive or noisy: the output
// stays bounded and each parse ends (the deadline only catches a hang).
func TestParseHostile(t *testing.T) {
	tests := []struct {
		name, src string
		broken    bool
	}{
		{"20,000 misspelt keys", "---\n" + strings.Repeat("titel: x\n", 20000) + "---\n", false},
		{"deep flow nesting", "---\ntags: " + strings.Repeat("[", 20000) + "\n---\n", true},
		{"a quote never closed over many lines", "---\ntitle: \"" + strings.Repeat("a\n", 20000) + "---\n", true},
		{"20,000 quoted values, then a quote that runs on", "---\n" + strings.Repeat("k: \"a\"\n", 20000) + "title: \"x\nid: \"y\" z\n---\n", true},
		{"indented keys under a value", "---\ntitle: a\n" + strings.Repeat("  x: y\n", 20000) + "---\n", true},
		{"toml array never closed", "+++\ntags = [" + strings.Repeat("\"a\",\n", 20000) + "+++\n", true},
		{"20,000 tags", "---\ntags: [" + strings.Repeat("a,", 20000) + "]\n---\n", true},
		{"alias bomb", "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
			"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ntags: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n---\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan *Document, 1)
			go func() { d, _ := Parse("a.md", []byte(tt.src), nil); done <- d }()
			select {
			case doc := <-done:
				if len(doc.Diagnostics) > MaxDiagnostics || len(doc.Diagnostics) == 0 {
					t.Errorf("%d diagnostics", len(doc.Diagnostics))
				}
				if doc.Broken() != tt.broken {
					t.Errorf("Broken() = %v, want %v: %v", doc.Broken(), tt.broken, doc.Diagnostics[:min(3, len(doc.Diagnostics))])
				}
				if len(doc.Meta.Tags) > MaxTags {
					t.Errorf("%d tags kept", len(doc.Meta.Tags))
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Parse did not return within 20 s")
			}
		})
	}
}

func TestTagLimits(t *testing.T) {
	long := strings.Repeat("x", MaxTagLen+1)
	var many []string
	for i := range MaxTags + 6 {
		many = append(many, fmt.Sprintf("t%d", i))
	}
	doc, err := Parse("a.md", []byte("---\ntitle: T\ntags: ["+strings.Join(many, ", ")+", "+long+"]\n---\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Meta.Tags) != MaxTags || doc.Meta.Tags[MaxTags-1] != fmt.Sprintf("t%d", MaxTags-1) {
		t.Errorf("kept %d tags ending %q", len(doc.Meta.Tags), doc.Meta.Tags[len(doc.Meta.Tags)-1])
	}
	var msgs []string
	for _, d := range doc.Diagnostics {
		if d.Code != CodeTags || d.Line != 3 || d.Severity != diag.Warning {
			t.Errorf("unexpected %v [%s]", d, d.Code)
		}
		msgs = append(msgs, d.Message)
	}
	slices.Sort(msgs)
	if len(msgs) != 2 || !strings.Contains(msgs[1], "101 characters long") || !strings.Contains(msgs[0], `the last 6 (from "t64") are dropped`) {
		t.Errorf("tag warnings: %q", msgs)
	}
}

func TestUnknownKeys(t *testing.T) {
	tests := []struct{ src, want string }{
		{"---\ntitel: x\n---\n", "a.md:2:1: warning: titel: unknown field, did you mean title?"},
		{"---\ntitle: x\n  # c\nTag: [a]\n---\n", "a.md:4:1: warning: Tag: unknown field, did you mean tags?"},
		{"---\nfoo: x\n---\n", "a.md:2:1: warning: foo: unknown field; ignored"},
		{"+++\nsumary = \"x\"\n+++\n", "a.md:2:1: warning: sumary: unknown field, did you mean summary?"},
		{"+++\n[extr]\nx = 1\n+++\n", "a.md:2:1: warning: extr: unknown field; ignored"},
		{"---\n  autor: x\n---\n", "a.md:2:3: warning: autor: unknown field, did you mean author?"},
	}
	for _, tt := range tests {
		doc, _ := Parse("a.md", []byte(tt.src), nil)
		if len(doc.Diagnostics) != 1 || doc.Diagnostics[0].String() != tt.want || doc.Diagnostics[0].Code != CodeUnknownKey {
			t.Errorf("%q: %v, want %s", tt.src, doc.Diagnostics, tt.want)
		}
	}
}
