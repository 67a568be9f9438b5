package feed

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// schemaPath is RFC 4287's RELAX NG schema, in /work/shared beside the
// repository (../shared from the repository root).
const schemaPath = "../../../shared/atom.rnc"

// generatedFeed builds a feed of n entries of about contentSize bytes each,
// exercising the optional parts: no feed author (every entry has one), some
// entries without content or summary, extra links, published-only dates.
func generatedFeed(n, contentSize int) *Feed {
	f := &Feed{
		ID:           TagURI("Example.ORG", day(2020, 1, 1, 0), "/"),
		Title:        "Weekly bulletin",
		Subtitle:     "Long political and technical articles",
		Updated:      day(2024, 12, 31, 23),
		SelfURL:      "gemini://example.org/atom.xml",
		AlternateURL: "gemini://example.org/",
		Links:        []Link{{Href: "gopher://example.org/1/", Rel: "alternate", Type: "text/plain", HrefLang: "en-GB"}},
		Lang:         "en-GB",
		Generator:    "Broadside",
	}
	para := "> A quoted line with <angle brackets> & ampersands, \"quotes\", 日本語 and 🚀.\n" +
		"=> gemini://example.org/other.gmi Another article\n" +
		"Plain prose that goes on for a while so the body looks like a real long article.\n"
	body := strings.Repeat(para, contentSize/len(para)+1)[:contentSize]
	for i := range n {
		pub := day(2024, time.Month(1+i%12), 1+i%28, i%24)
		path := fmt.Sprintf("/posts/%03d-article", i)
		e := Entry{
			ID:         TagURI("example.org", pub, path),
			Title:      fmt.Sprintf("Article %d: <tags> & \"quotes\"", i),
			URL:        "gemini://example.org" + path + ".gmi",
			Published:  pub,
			Authors:    []Person{{Name: fmt.Sprintf("Author %d", i%3)}},
			Summary:    "First paragraph of the article, as plain text.",
			Content:    body,
			Categories: []Category{{Term: "politics"}, {Term: fmt.Sprintf("tag-%d", i%5), Label: "Tag & label"}},
		}
		if i%2 == 1 {
			e.Updated = pub.Add(36 * time.Hour)
		}
		if i%4 == 3 {
			e.Content, e.Summary = "", ""
			e.Lang = "fr"
		}
		f.Entries = append(f.Entries, e)
	}
	return f
}

// jing returns a function validating a file against the Atom schema, or
// skips the test saying why it cannot.
func jing(t *testing.T) func(path string) error {
	t.Helper()
	bin, err := exec.LookPath("jing")
	if err != nil {
		t.Skip("jing is not on PATH (apt-get install jing)")
	}
	if _, err := os.Stat(schemaPath); err != nil {
		t.Skipf("Atom schema not found: %v", err)
	}
	return func(path string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, "-c", schemaPath, path).Output()
		if err != nil {
			return fmt.Errorf("jing %s: %w\n%s", path, err, out)
		}
		return nil
	}
}

func TestSchema(t *testing.T) {
	validate := jing(t)
	generated, err := Marshal(generatedFeed(8, 2000))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "hostile.golden.xml"))
	if err != nil {
		t.Fatal(err)
	}
	empty := validFeed()
	empty.Entries = nil
	emptyOut, err := Marshal(empty)
	if err != nil {
		t.Fatal(err)
	}
	hostile, err := Marshal(hostileFeed())
	if err != nil {
		t.Fatal(err)
	}
	docs := []struct {
		name  string
		doc   []byte
		valid bool
	}{
		{"golden", golden, true},
		{"hostile", hostile, true},
		{"generated", generated, true},
		{"no entries", emptyOut, true},
		// Negative control: proves the harness notices an invalid document.
		{"missing id", []byte(strings.Replace(string(golden), "<id>tag:example.org,2024-01-01:/</id>", "", 1)), false},
	}
	dir := t.TempDir()
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(d.name, " ", "_")+".xml")
			if err := os.WriteFile(path, d.doc, 0o644); err != nil {
				t.Fatal(err)
			}
			err := validate(path)
			if d.valid && err != nil {
				t.Error(err)
			}
			if !d.valid && err == nil {
				t.Error("jing accepted an invalid document")
			}
		})
	}
}

// TestSchematron asserts, on the parsed output, the rules jing skips: an
// entry has an alternate link or content, and the feed or every entry has
// an author; plus one id/title/updated each and RFC 3339 dates.
func TestSchematron(t *testing.T) {
	for name, f := range map[string]*Feed{
		"golden":    hostileFeed(),
		"generated": generatedFeed(8, 500),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			a := parse(t, out)
			if err := schematron(a); err != nil {
				t.Error(err)
			}
			noContent := 0
			for _, e := range a.Entries {
				if len(e.Content) == 0 {
					noContent++
				}
			}
			if name == "generated" && (len(a.Authors) != 0 || noContent == 0) {
				t.Errorf("generated feed should cover entries without content (%d) and a feed without author (%d)", noContent, len(a.Authors))
			}
		})
	}
	// Negative controls: the checker itself must catch violations.
	bad := map[string]string{
		"no author": `<feed xmlns="http://www.w3.org/2005/Atom"><id>x:a</id><title>t</title><updated>2024-01-01T00:00:00Z</updated>
			<entry><id>x:b</id><title>t</title><updated>2024-01-01T00:00:00Z</updated><content>c</content></entry></feed>`,
		"no alternate or content": `<feed xmlns="http://www.w3.org/2005/Atom"><id>x:a</id><title>t</title><updated>2024-01-01T00:00:00Z</updated>
			<author><name>n</name></author><entry><id>x:b</id><title>t</title><updated>2024-01-01T00:00:00Z</updated><link rel="self" href="x:c"/></entry></feed>`,
		"bare date": `<feed xmlns="http://www.w3.org/2005/Atom"><id>x:a</id><title>t</title><updated>2024-01-01</updated><author><name>n</name></author></feed>`,
		"two ids":   `<feed xmlns="http://www.w3.org/2005/Atom"><id>x:a</id><id>x:b</id><title>t</title><updated>2024-01-01T00:00:00Z</updated><author><name>n</name></author></feed>`,
	}
	for name, doc := range bad {
		t.Run("rejects "+name, func(t *testing.T) {
			if err := schematron(parse(t, []byte(doc))); err == nil {
				t.Error("checker accepted a document breaking the rule")
			}
		})
	}
}
