package feed

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// validFeed is a small valid feed that the table below breaks one way at a
// time.
func validFeed() *Feed {
	return &Feed{
		ID:           "tag:example.org,2024-01-01:/",
		Title:        "Capsule",
		Authors:      []Person{{Name: "Ada"}},
		SelfURL:      "gemini://example.org/atom.xml",
		AlternateURL: "gemini://example.org/",
		Entries: []Entry{
			{ID: "tag:example.org,2024-01-01:/a", Title: "A", URL: "gemini://example.org/a.gmi", Published: day(2024, 1, 1, 0)},
			{ID: "tag:example.org,2024-01-02:/b", Title: "B", URL: "gemini://example.org/b.gmi", Updated: day(2024, 1, 2, 0)},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *Feed)
		want   string // FieldError paths, space separated; "" = valid
	}{
		{"valid", func(*Feed) {}, ""},
		{"feed without authors, entries with", func(f *Feed) {
			f.Authors = nil
			f.Entries[0].Authors = []Person{{Name: "X"}}
			f.Entries[1].Authors = []Person{{Name: "Y"}}
		}, ""},
		{"no entries", func(f *Feed) { f.Entries = nil }, ""},
		{"missing feed id", func(f *Feed) { f.ID = "" }, "id"},
		{"relative feed id", func(f *Feed) { f.ID = "/atom.xml" }, "id"},
		{"feed id with space", func(f *Feed) { f.ID = "tag:example.org,2024:a b" }, "id"},
		{"missing feed title", func(f *Feed) { f.Title = "" }, "title"},
		{"blank feed title after cleaning", func(f *Feed) { f.Title = " \x01\t" }, "title"},
		{"missing self", func(f *Feed) { f.SelfURL = "" }, "self_url"},
		{"missing alternate", func(f *Feed) { f.AlternateURL = "" }, "alternate_url"},
		{"bad lang", func(f *Feed) { f.Lang = "en_GB" }, "lang"},
		{"feed updated out of range", func(f *Feed) { f.Updated = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "updated"},
		{"missing entry id", func(f *Feed) { f.Entries[1].ID = "" }, "entries[1].id"},
		{"duplicate entry id", func(f *Feed) { f.Entries[1].ID = f.Entries[0].ID }, "entries[1].id"},
		{"missing entry title", func(f *Feed) { f.Entries[0].Title = "" }, "entries[0].title"},
		{"missing entry url", func(f *Feed) { f.Entries[0].URL = "" }, "entries[0].url"},
		{"missing entry updated and published", func(f *Feed) { f.Entries[1].Updated = time.Time{} }, "entries[1].updated"},
		{"missing author everywhere", func(f *Feed) { f.Authors = nil }, "entries[0].authors entries[1].authors"},
		{"missing author on one entry", func(f *Feed) {
			f.Authors = nil
			f.Entries[0].Authors = []Person{{Name: "X"}}
		}, "entries[1].authors"},
		{"author without name", func(f *Feed) { f.Authors = []Person{{Email: "a@b"}} }, "authors[0].name"},
		{"bad email and uri", func(f *Feed) { f.Authors[0].Email = "nobody"; f.Authors[0].URI = "about" }, "authors[0].uri authors[0].email"},
		{"empty category term", func(f *Feed) { f.Entries[0].Categories = []Category{{Term: "ok"}, {Term: " ", Label: "x"}} }, "entries[0].categories[1].term"},
		{"relative category scheme", func(f *Feed) { f.Entries[0].Categories = []Category{{Term: "a", Scheme: "tags/"}} }, "entries[0].categories[0].scheme"},
		{"xml content type", func(f *Feed) { f.Entries[0].ContentType = "text/xml" }, "entries[0].content_type"},
		{"binary content type", func(f *Feed) { f.Entries[0].ContentType = "image/png" }, "entries[0].content_type"},
		{"xhtml content type", func(f *Feed) { f.Entries[0].ContentType = "xhtml" }, "entries[0].content_type"},
		{"text and html content types", func(f *Feed) { f.Entries[0].ContentType = "text"; f.Entries[1].ContentType = "html" }, ""},
		{"bad entry link", func(f *Feed) { f.Entries[0].Links = []Link{{Href: "", Type: "plain", HrefLang: "??"}} }, "entries[0].links[0].href entries[0].links[0].type entries[0].links[0].hreflang"},
		{"second plain alternate link", func(f *Feed) { f.Links = []Link{{Href: "gopher://example.org/1/"}} }, "links[0].rel"},
		{"alternates differing by type", func(f *Feed) {
			f.Links = []Link{{Href: "gopher://example.org/1/", Rel: "alternate", Type: "text/plain"}, {Href: "https://example.org/", Type: "text/html"}}
		}, ""},
		{"all problems at once", func(f *Feed) {
			f.ID, f.Title = "", ""
			f.Entries[0].ID, f.Entries[1].Title = "", ""
		}, "id title entries[0].id entries[1].title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFeed()
			tt.change(f)
			err := f.Validate()
			fes := fieldErrors(t, err)
			if got := paths(fes); got != tt.want {
				t.Fatalf("Validate() problems = %q, want %q\nerror: %v", got, tt.want, err)
			}
			for _, fe := range fes {
				if !errors.Is(fe, ErrMissing) && !errors.Is(fe, ErrInvalid) {
					t.Errorf("%v wraps neither ErrMissing nor ErrInvalid", fe)
				}
				// The message names the entry index and the field.
				if want := paths([]*FieldError{fe}); !strings.Contains(fe.Error(), want) {
					t.Errorf("message %q does not name %q", fe.Error(), want)
				}
			}
			// Write refuses exactly what Validate refuses, and writes nothing.
			var b strings.Builder
			werr := Write(&b, f)
			if (werr == nil) != (tt.want == "") {
				t.Errorf("Write error = %v, want error %v", werr, tt.want != "")
			}
			if werr != nil && b.Len() != 0 {
				t.Errorf("Write wrote %d bytes despite invalid input", b.Len())
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	var f *Feed
	if err := f.Validate(); err == nil {
		t.Error("nil feed validated")
	}
	if err := Write(&strings.Builder{}, nil); err == nil {
		t.Error("nil feed written")
	}
}

// TestDates: every date written parses with time.RFC3339 and carries a
// zone, whatever location the input time had; zero times fall back as
// documented.
func TestDates(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name                      string
		change                    func(f *Feed)
		feedUpdated, entryUpdated string
	}{
		{"offset converted to UTC", func(f *Feed) {
			f.Updated = time.Date(2024, 5, 1, 1, 2, 3, 999, tokyo)
			f.Entries[0].Published = time.Date(2024, 1, 1, 8, 0, 0, 0, tokyo)
		}, "2024-04-30T16:02:03Z", "2023-12-31T23:00:00Z"},
		{"feed updated from newest entry", func(*Feed) {}, "2024-01-02T00:30:00Z", "2024-01-01T00:30:00Z"},
		{"entry updated wins over published", func(f *Feed) {
			f.Entries[0].Updated = day(2024, 6, 1, 12)
		}, "2024-06-01T12:30:00Z", "2024-06-01T12:30:00Z"},
		{"midnight date is not a bare date", func(f *Feed) {
			f.Entries[0].Published = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "2024-01-02T00:30:00Z", "2024-01-01T00:00:00Z"},
		{"no entries gives the epoch", func(f *Feed) { f.Entries = nil }, "1970-01-01T00:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFeed()
			tt.change(f)
			out, err := Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			a := parse(t, out)
			if err := schematron(a); err != nil { // parses every date with time.RFC3339
				t.Fatal(err)
			}
			if a.Updated[0] != tt.feedUpdated {
				t.Errorf("feed updated = %q, want %q", a.Updated[0], tt.feedUpdated)
			}
			if len(a.Entries) > 0 && a.Entries[0].Updated[0] != tt.entryUpdated {
				t.Errorf("entry updated = %q, want %q", a.Entries[0].Updated[0], tt.entryUpdated)
			}
			dates := a.Updated
			for _, e := range a.Entries {
				dates = append(append(dates, e.Updated...), e.Published...)
			}
			for _, d := range dates {
				if !strings.HasSuffix(d, "Z") {
					t.Errorf("date %q has no zone", d)
				}
			}
		})
	}
}
