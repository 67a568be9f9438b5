package site

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFeedsValidate checks the site's own feeds with the tools aggregators
// resemble: jing against the RFC 4287 schema and Python's feedparser.
// .ci/run installs both; a machine without them skips, saying why.
func TestFeedsValidate(t *testing.T) {
	s := buildTest(t, testCapsule())
	dir := t.TempDir()
	feeds := map[string]string{"/atom.xml": "3", "/tags/go/atom.xml": "2", "/tags/français/atom.xml": "1"}
	for p := range feeds {
		name := filepath.Join(dir, strings.NewReplacer("/", "_").Replace(p))
		if err := os.WriteFile(name, s.Lookup(p).Page.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("jing", func(t *testing.T) {
		schema, _ := filepath.Abs("../../../shared/atom.rnc")
		if _, err := exec.LookPath("jing"); err != nil {
			t.Skip("jing not installed (apt-get install jing)")
		}
		if _, err := os.Stat(schema); err != nil {
			t.Skip("no schema at ../shared/atom.rnc")
		}
		for p := range feeds {
			name := filepath.Join(dir, strings.NewReplacer("/", "_").Replace(p))
			if out, err := exec.Command("jing", "-c", schema, name).CombinedOutput(); err != nil {
				t.Errorf("%s does not validate: %v\n%s", p, err, out)
			}
		}
	})
	t.Run("feedparser", func(t *testing.T) {
		python := ""
		for _, py := range []string{"python3", "/usr/bin/python3"} {
			if exec.Command(py, "-c", "import feedparser").Run() == nil {
				python = py
				break
			}
		}
		if python == "" {
			t.Skip("python3-feedparser not installed")
		}
		for p, n := range feeds {
			name := filepath.Join(dir, strings.NewReplacer("/", "_").Replace(p))
			script := `import sys, feedparser
d = feedparser.parse(sys.argv[1])
assert d.bozo == 0, d.get("bozo_exception")
assert d.version == "atom10", d.version
assert len(d.entries) == int(sys.argv[2]), len(d.entries)
for e in d.entries:
    assert e.id.startswith("tag:example.org,"), e.id
    assert e.link.startswith("gemini://example.org/posts/"), e.link
    assert e.title and e.updated_parsed and e.author
print("ok")`
			out, err := exec.Command(python, "-c", script, name, n).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "ok" {
				t.Errorf("%s: feedparser: %v\n%s", p, err, out)
			}
		}
	})
}
