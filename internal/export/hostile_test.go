package export

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"broadside/internal/diag"
)

// hostileCapsule writes a capsule whose names and contents try everything
// an export must not pass on: unpublished and hidden files, names no
// client can ask for, names too long for a file system, links out of the
// capsule, and menu lines that gophernicus would take as its directives
// (including "=", which runs a command).
func hostileCapsule(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "capsule")
	longTag := strings.Repeat("日", 100)               // the most characters a tag may have: 300 bytes
	combining := "A" + strings.Repeat("\u0301", 2000) // 1 column, 4001 bytes
	files := map[string]string{
		"index.md": "# Hostile\n\nIntro.\n",
		"posts/2024-01-01-ok.md": "---\ntitle: \"" + combining + "\"\ntags: [français, 日本, " + longTag + "]\n---\n\n" +
			"[touch /tmp/broadside-pwned;](gopher://evil.example/=x)\n\n" +
			"[stop here](gopher://evil.example/*x) [comment](gopher://evil.example/#x) [dot](gopher://evil.example/.x)\n\n" +
			"[long](https://example.org/" + strings.Repeat("a", 1500) + ")\n",
		"posts/draft.md":                 "---\ntitle: Draft\ndate: 2024-01-02\ndraft: true\n---\n\nSECRET-DRAFT-TEXT\n",
		"posts/2099-01-01-future.md":     "---\ntitle: Future\n---\n\nSECRET-FUTURE-TEXT\n",
		"posts/.hidden.md":               "SECRET-HIDDEN\n",
		".git/config":                    "SECRET-GIT\n",
		"notes.md~":                      "SECRET-BACKUP\n",
		"x.swp":                          "SECRET-SWAP\n",
		"a b.txt":                        "spaces\n",
		"tab\tname.txt":                  "SECRET-TAB\n",
		"new\nline.txt":                  "SECRET-NEWLINE\n",
		"bad\xffname.txt":                "SECRET-BADUTF8\n",
		"日本語.txt":                        "unicode\n",
		"100%.txt":                       "percent\n",
		"a%41.txt":                       "escaped\n",
		"c#.txt":                         "hash\n",
		"q?.txt":                         "question\n",
		"gophermap":                      "=/bin/sh\n",
		"notes.gmi":                      "# Notes\n",
		"notes.gmi;menu":                 "shadowed on Gopher\n",
		"dir with space/file.txt":        "nested\n",
		"tags/index.md":                  "# Tags page of my own\n",
		strings.Repeat("n", 250) + ".md": "# Long name\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(filepath.Dir(dir), "outside.txt")
	if err := os.WriteFile(secret, []byte("SECRET-OUTSIDE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"link-out.txt": secret, // leaves the capsule: never served
		"link-up.txt":  "../outside.txt",
		"link-in.txt":  "a b.txt", // stays inside: served as the file
		"linkdir":      "posts",   // folders through links are not followed
		"loop":         "loop",
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestHostileCapsule(t *testing.T) {
	capsuleDir := hostileCapsule(t)
	s := buildSite(t, capsuleDir, sampleOptions(), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	res, err := Write(t.Context(), s, dir, Options{Source: capsuleDir})
	if err != nil {
		t.Fatal(err)
	}

	// Nothing unpublished, hidden or outside leaves, under any name.
	all := walkTree(t, dir)
	names := map[string]bool{}
	for _, f := range all {
		names[f.rel] = true
		if bytes.Contains(f.data, []byte("SECRET")) {
			t.Errorf("%s holds a secret: %q", f.rel, f.data)
		}
		for seg := range strings.SplitSeq(f.rel, "/") {
			if strings.HasPrefix(seg, ".") && f.rel != Marker {
				t.Errorf("%s: hidden name exported", f.rel)
			}
		}
		if strings.HasPrefix(f.rel, "gemini/") && strings.HasSuffix(f.rel, ".md") {
			t.Errorf("%s: a Markdown source in the Gemini export", f.rel)
		}
		if bytes.HasPrefix(f.data, []byte("---\n")) {
			t.Errorf("%s: a Markdown source's front matter is exported", f.rel)
		}
	}
	for _, want := range []string{
		"gemini/a b.txt", "gemini/日本語.txt", "gemini/link-in.txt", "gemini/dir with space/file.txt",
		"gemini/a%41.txt", "gemini/c#.txt", "gemini/q?.txt", "gemini/notes.gmi;menu", "gemini/gophermap",
		"gemini/tags/français/index.gmi", "gemini/tags/日本/index.gmi", "gemini/tags/index.gmi",
		"gopher/a b.txt", "gopher/c#.txt", "gopher/tags/日本/gophermap", "gopher/notes.gmi;menu/gophermap",
		"gemini/" + strings.Repeat("n", 250) + ".gmi", "gopher/" + strings.Repeat("n", 250) + ".gmi",
	} {
		if !names[want] {
			t.Errorf("%s is not exported", want)
		}
	}
	for _, not := range []string{
		"gemini/link-out.txt", "gemini/link-up.txt", "gemini/loop", "gemini/linkdir", "gopher/gophermap.txt",
		"gopher/100%.txt", "gemini/100%.txt", "gopher/a%41.txt", "gemini/tab\tname.txt", "gemini/new\nline.txt", "gemini/bad\xffname.txt",
	} {
		if names[not] {
			t.Errorf("%s is exported", not)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "gopher", "gophermap")); err != nil || bytes.Contains(b, []byte("/bin/sh")) {
		t.Errorf("the capsule's own gophermap reached the Gopher root: %q, %v", b, err)
	}

	// The trees match the live servers, with gophermap lines made safe.
	compareWithLive(t, s, dir, false)

	// Every refusal is reported, with the capsule file behind it.
	codes := map[string][]string{}
	for _, d := range res.Diagnostics {
		codes[d.Code] = append(codes[d.Code], d.File)
	}
	for _, want := range [][2]string{
		{"export/unreachable", "tab\tname.txt"},
		{"export/unreachable", "100%.txt"}, // the live Gemini server answers 59 to its URL
		{"export/unreachable", "notes.gmi;menu"},
		{"export/not-served", "a%41.txt"},
		{"export/gophernicus", "c#.txt"},
		{"export/gophernicus", "q?.txt"},
		{"export/gopher-name", "gophermap"},
		{"export/name-too-long", "gemini://localhost" + escapePath("/tags/"+strings.Repeat("日", 100)+"/")},
		{"export/clash", "tags/index.md"},
		{"export/gophermap", "posts/2024-01-01-ok.md"},
	} {
		if code, file := want[0], want[1]; !slices.Contains(codes[code], file) {
			t.Errorf("no %s diagnostic for %q; got %q", code, short(file), codes[code])
		}
	}
	if testing.Verbose() {
		for _, d := range res.Diagnostics {
			t.Log(short(d.String()))
		}
	}
	if errs, _ := diag.Count(res.Diagnostics); errs == 0 {
		t.Error("a tag page that could not be written is not an error")
	}

	// Only dir was added beside it: no temporary folder left behind.
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "out" {
		t.Errorf("beside the export: %v", entries)
	}
	if _, err := os.Stat("/tmp/broadside-pwned"); err == nil {
		t.Error("/tmp/broadside-pwned exists")
	}
}
