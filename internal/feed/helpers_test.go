package feed

import (
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// day returns a fixed UTC time on the given day.
func day(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 30, 0, 0, time.UTC)
}

// hostileFeed is the golden feed: fixed times, three entries whose text is
// built to break naive writers.
func hostileFeed() *Feed {
	paris := time.FixedZone("CET", 3600)
	return &Feed{
		ID:           "tag:example.org,2024-01-01:/",
		Title:        `Tom & Jerry's "<b>Gazette</b>" ]]>`,
		Subtitle:     "News \x01from the capsule 🚀",
		Authors:      []Person{{Name: "Ada <Lovelace>", URI: "gemini://example.org/about.gmi", Email: "ada@example.org"}},
		SelfURL:      "gemini://example.org/atom.xml",
		AlternateURL: "gemini://example.org/",
		Lang:         "en",
		Generator:    "Broadside",
		Entries: []Entry{
			{
				ID:         "tag:example.org,2024-03-01:/posts/script",
				Title:      `<script>alert("x")</script> & friends`,
				URL:        "gemini://example.org/posts/script.gmi",
				Published:  day(2024, 3, 1, 9),
				Updated:    time.Date(2024, 3, 2, 10, 0, 0, 0, paris),
				Summary:    "Escaping: &amp; stays literal, ]]> too.",
				Content:    "# Heading\r\n\r\n=> gemini://example.org/ a link\n> quote with <tags> & \"quotes\" 'apostrophes'\n```\n]]> inside pre\n```\n",
				Categories: []Category{{Term: "politics & <power>"}, {Term: "tech", Label: "Tech \"stuff\"", Scheme: "gemini://example.org/tags/"}},
			},
			{
				ID:         "tag:example.org,2024-02-14:/posts/%E6%97%A5%E6%9C%AC",
				Title:      "日本語のタイトル 🎉 with bell\a and NUL\x00 and bad \xff byte",
				URL:        "gemini://example.org/posts/%E6%97%A5%E6%9C%AC.gmi",
				Published:  day(2024, 2, 14, 8),
				Authors:    []Person{{Name: "Guest\tWriter"}},
				Summary:    "",
				Content:    "漢字とカタカナ\n* list 🚀\n\x1b[31mred\x1b[0m\n",
				Categories: []Category{{Term: "日本"}},
				Lang:       "ja",
			},
			{
				ID:          "tag:example.org,2024-01-07:/posts/plain",
				Title:       "Plain 'quoted' title",
				URL:         "gemini://example.org/posts/plain.gmi",
				Published:   day(2024, 1, 7, 7),
				Summary:     "Summary with\nnewline",
				Content:     "Plain text body.\n",
				ContentType: "text",
				Links:       []Link{{Href: "gopher://example.org/0/posts/plain.txt", Rel: "related", Type: "text/plain", HrefLang: "en", Title: "Gopher & text"}},
			},
		},
	}
}

// Parsed Atom, for assertions on the output. Slices let tests count
// elements that must appear exactly once.
type atomDoc struct {
	XMLName   xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string       `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID        []string     `xml:"id"`
	Title     []atomText   `xml:"title"`
	Subtitle  []atomText   `xml:"subtitle"`
	Updated   []string     `xml:"updated"`
	Authors   []atomPerson `xml:"author"`
	Links     []atomLink   `xml:"link"`
	Generator string       `xml:"generator"`
	Entries   []atomEntry  `xml:"entry"`
}

type atomEntry struct {
	Lang       string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID         []string       `xml:"id"`
	Title      []atomText     `xml:"title"`
	Updated    []string       `xml:"updated"`
	Published  []string       `xml:"published"`
	Authors    []atomPerson   `xml:"author"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    []atomText     `xml:"summary"`
	Content    []atomText     `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomPerson struct {
	Name  string `xml:"name"`
	URI   string `xml:"uri"`
	Email string `xml:"email"`
}

type atomLink struct {
	Href     string `xml:"href,attr"`
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr"`
	HrefLang string `xml:"hreflang,attr"`
	Title    string `xml:"title,attr"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Label  string `xml:"label,attr"`
	Scheme string `xml:"scheme,attr"`
}

// parse decodes an Atom document written by Write.
func parse(t testing.TB, doc []byte) *atomDoc {
	t.Helper()
	var a atomDoc
	if err := xml.Unmarshal(doc, &a); err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, doc)
	}
	return &a
}

// only returns the single element of a slice or reports that there is not
// exactly one.
func only[T any](what string, s []T) (T, error) {
	var zero T
	if len(s) != 1 {
		return zero, fmt.Errorf("%s: %d elements, want exactly 1", what, len(s))
	}
	return s[0], nil
}

// schematron checks what jing cannot: RFC 4287's two Schematron rules (an
// entry has an alternate link or content; the feed or every entry has an
// author), exactly one id, title and updated per feed and entry, and dates
// that are RFC 3339 date-times with a zone.
func schematron(a *atomDoc) error {
	var errs []error
	check := func(where string, ids []string, titles []atomText, dates map[string][]string, required []string) {
		if _, err := only(where+" id", ids); err != nil {
			errs = append(errs, err)
		}
		if _, err := only(where+" title", titles); err != nil {
			errs = append(errs, err)
		}
		for _, name := range required {
			if _, err := only(where+" "+name, dates[name]); err != nil {
				errs = append(errs, err)
			}
		}
		for name, ds := range dates {
			for _, d := range ds {
				if _, err := time.Parse(time.RFC3339, d); err != nil {
					errs = append(errs, fmt.Errorf("%s %s %q: %w", where, name, d, err))
				}
			}
		}
	}
	check("feed", a.ID, a.Title, map[string][]string{"updated": a.Updated}, []string{"updated"})
	for i, e := range a.Entries {
		where := fmt.Sprintf("entry %d", i)
		check(where, e.ID, e.Title, map[string][]string{"updated": e.Updated, "published": e.Published}, []string{"updated"})
		alternate := len(e.Content) > 0
		for _, l := range e.Links {
			alternate = alternate || l.Rel == "" || l.Rel == "alternate"
		}
		if !alternate {
			errs = append(errs, fmt.Errorf("%s: no alternate link and no content", where))
		}
		if len(a.Authors) == 0 && len(e.Authors) == 0 {
			errs = append(errs, fmt.Errorf("%s: no author and the feed has none", where))
		}
	}
	return errors.Join(errs...)
}

// fieldErrors flattens a joined Validate error into its FieldErrors.
func fieldErrors(t testing.TB, err error) []*FieldError {
	t.Helper()
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("error %v is not a *FieldError", err)
		}
		out = append(out, fe)
	}
	if err != nil {
		walk(err)
	}
	return out
}

// paths returns the "entries[i].field" names of FieldErrors, sorted as given.
func paths(fes []*FieldError) string {
	var s []string
	for _, fe := range fes {
		if fe.Entry < 0 {
			s = append(s, fe.Field)
		} else {
			s = append(s, fmt.Sprintf("entries[%d].%s", fe.Entry, fe.Field))
		}
	}
	return strings.Join(s, " ")
}
