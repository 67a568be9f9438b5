package feed

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// feedparserPython returns a python3 that can import feedparser, or skips.
// The first python3 on PATH may be a pyenv build without Debian's
// python3-feedparser, so /usr/bin/python3 is tried too.
func feedparserPython(t *testing.T) string {
	t.Helper()
	candidates := []string{"python3", "/usr/bin/python3"}
	for _, c := range candidates {
		bin, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = exec.CommandContext(ctx, bin, "-c", "import feedparser").Run()
		cancel()
		if err == nil {
			return bin
		}
	}
	t.Skipf("no python3 among %v can import feedparser (apt-get install python3-feedparser)", candidates)
	return ""
}

type parsedByFeedparser struct {
	Bozo          bool   `json:"bozo"`
	BozoException string `json:"bozo_exception"`
	Version       string `json:"version"`
	Title         string `json:"title"`
	ID            string `json:"id"`
	Entries       []struct {
		ID      string  `json:"id"`
		Title   string  `json:"title"`
		Link    string  `json:"link"`
		Summary *string `json:"summary"`
		Content []struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"content"`
		Tags    []string `json:"tags"`
		Updated string   `json:"updated"`
	} `json:"entries"`
}

// TestFeedparser reads our output with Python's feedparser, the parser
// behind Antenna and many aggregators. feedparser strips leading and
// trailing white space from element text, so comparisons trim too.
func TestFeedparser(t *testing.T) {
	python := feedparserPython(t)
	script, err := filepath.Abs(filepath.Join("testdata", "feedparser_check.py"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, f := range map[string]*Feed{
		"hostile":   hostileFeed(),
		"generated": generatedFeed(12, 3000),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, name+".xml")
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			js, err := exec.CommandContext(ctx, python, script, path).Output()
			if err != nil {
				t.Fatalf("feedparser script: %v", err)
			}
			var p parsedByFeedparser
			if err := json.Unmarshal(js, &p); err != nil {
				t.Fatalf("script output: %v\n%s", err, js)
			}
			if p.Bozo {
				t.Errorf("bozo: %s", p.BozoException)
			}
			if p.Version != "atom10" {
				t.Errorf("version = %q, want atom10", p.Version)
			}
			if want := strings.TrimSpace(Clean(f.Title)); p.Title != want || p.ID != f.ID {
				t.Errorf("feed title, id = %q, %q; want %q, %q", p.Title, p.ID, want, f.ID)
			}
			if len(p.Entries) != len(f.Entries) {
				t.Fatalf("%d entries, want %d", len(p.Entries), len(f.Entries))
			}
			for i, got := range p.Entries {
				in := f.Entries[i]
				if got.ID != in.ID || got.Link != in.URL {
					t.Errorf("entry %d id, link = %q, %q; want %q, %q", i, got.ID, got.Link, in.ID, in.URL)
				}
				if want := strings.TrimSpace(Clean(in.Title)); got.Title != want {
					t.Errorf("entry %d title = %q, want %q", i, got.Title, want)
				}
				if got.Updated != FormatTime(in.updated()) {
					t.Errorf("entry %d updated = %q, want %q", i, got.Updated, FormatTime(in.updated()))
				}
				wantSummary := strings.TrimSpace(Clean(in.Summary))
				if wantSummary == "" {
					if got.Summary != nil {
						t.Errorf("entry %d summary = %q, want none", i, *got.Summary)
					}
				} else if got.Summary == nil || *got.Summary != wantSummary {
					t.Errorf("entry %d summary = %v, want %q", i, got.Summary, wantSummary)
				}
				wantContent := strings.TrimSpace(Clean(in.Content))
				switch {
				case wantContent == "" && len(got.Content) != 0:
					t.Errorf("entry %d has content %q, want none", i, got.Content)
				case wantContent != "" && len(got.Content) != 1:
					t.Errorf("entry %d has %d contents, want 1", i, len(got.Content))
				case wantContent != "":
					wantType := in.contentType()
					if wantType == "text" {
						wantType = "text/plain"
					}
					if c := got.Content[0]; c.Value != wantContent || c.Type != wantType {
						t.Errorf("entry %d content = %s %q, want %s %q", i, c.Type, c.Value, wantType, wantContent)
					}
				}
				if len(got.Tags) != len(in.Categories) {
					t.Errorf("entry %d tags = %q, want %d", i, got.Tags, len(in.Categories))
				}
				for j, tag := range got.Tags {
					if j < len(in.Categories) && tag != Clean(in.Categories[j].Term) {
						t.Errorf("entry %d tag %d = %q, want %q", i, j, tag, Clean(in.Categories[j].Term))
					}
				}
			}
		})
	}
}
