package feed

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteGolden(t *testing.T) {
	got, err := Marshal(hostileFeed())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "hostile.golden.xml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update after checking the diff):\n%s", path, got)
	}
}

// TestWriteShape checks what the golden file shows, so a bad -update cannot
// silently bless it.
func TestWriteShape(t *testing.T) {
	f := hostileFeed()
	got, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n<feed ")) {
		t.Errorf("output does not start with the XML declaration and <feed>:\n%.80s", got)
	}
	if !bytes.HasSuffix(got, []byte("</feed>\n")) || bytes.HasSuffix(got, []byte("\n\n")) {
		t.Errorf("output does not end with </feed> and one newline: %q", got[len(got)-20:])
	}
	for _, bad := range []string{"<script>", "\x00", "\a", "\x1b", "\r", "\xff"} {
		if bytes.Contains(got, []byte(bad)) {
			t.Errorf("output contains %q", bad)
		}
	}
	a := parse(t, got)
	if err := schematron(a); err != nil {
		t.Error(err)
	}
	if a.Lang != "en" || a.Entries[1].Lang != "ja" || a.Entries[0].Lang != "" {
		t.Errorf("xml:lang = %q, %q, %q; want en, \"\", ja", a.Lang, a.Entries[0].Lang, a.Entries[1].Lang)
	}
	if len(a.Entries) != len(f.Entries) {
		t.Fatalf("%d entries, want %d", len(a.Entries), len(f.Entries))
	}
	var self, alt string
	for _, l := range a.Links {
		switch l.Rel {
		case "self":
			self = l.Href
		case "alternate":
			alt = l.Href
		}
	}
	if self != f.SelfURL || alt != f.AlternateURL {
		t.Errorf("self, alternate = %q, %q; want %q, %q", self, alt, f.SelfURL, f.AlternateURL)
	}
	if got, want := a.Updated[0], "2024-03-02T09:00:00Z"; got != want {
		t.Errorf("feed updated = %q, want newest entry %q", got, want)
	}
	for i, e := range a.Entries {
		in := f.Entries[i]
		if e.ID[0] != in.ID {
			t.Errorf("entry %d id = %q, want %q (order must be kept)", i, e.ID[0], in.ID)
		}
		if e.Title[0].Text != Clean(in.Title) {
			t.Errorf("entry %d title = %q, want %q", i, e.Title[0].Text, Clean(in.Title))
		}
		var content string
		if len(e.Content) > 0 {
			content = e.Content[0].Text
			if e.Content[0].Type != in.contentType() {
				t.Errorf("entry %d content type = %q, want %q", i, e.Content[0].Type, in.contentType())
			}
		}
		if content != Clean(in.Content) {
			t.Errorf("entry %d content = %q, want %q", i, content, Clean(in.Content))
		}
		if len(e.Categories) != len(in.Categories) {
			t.Errorf("entry %d: %d categories, want %d", i, len(e.Categories), len(in.Categories))
		}
		for j, c := range e.Categories {
			if c.Term != in.Categories[j].Term || c.Label != in.Categories[j].Label {
				t.Errorf("entry %d category %d = %+v, want %+v", i, j, c, in.Categories[j])
			}
		}
	}
	if n := len(a.Entries[1].Summary); n != 0 {
		t.Errorf("empty summary written %d times", n)
	}
	if got := a.Entries[2].Summary[0].Text; got != "Summary with\nnewline" {
		t.Errorf("summary = %q", got)
	}
}

// TestWriteDeterministic: the same feed gives the same bytes, so callers
// can cache them per snapshot.
func TestWriteDeterministic(t *testing.T) {
	a, err := Marshal(hostileFeed())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(hostileFeed())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two writes of the same feed differ")
	}
}
