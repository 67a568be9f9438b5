package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"broadside/internal/capsule"
	"broadside/internal/feed"
)

// maxSlugBytes keeps generated file names well under file system limits.
const maxSlugBytes = 60

func newArticle(args []string, stdout, stderr io.Writer) error {
	fset := flags("new", `new [-config FILE] [-dir posts] [-tags "a, b"] [-author NAME] [-summary TEXT] "Title"`, stderr)
	cfgPath := fset.String("config", "", "config file (default: ./config.toml if it exists)")
	dir := fset.String("dir", "posts", "folder for the new article, relative to the capsule (created if missing)")
	tags := fset.String("tags", "", `comma-separated tags, e.g. "press freedom, Europe"`)
	author := fset.String("author", "", "author's name (default: none, so the config's author is shown)")
	summary := fset.String("summary", "", "one-line summary for the feed (default: the first paragraph)")
	if err := parse(fset, args); err != nil {
		return err
	}
	title := oneLine(strings.Join(fset.Args(), " "))
	if title == "" {
		fset.Usage()
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	sub, err := capsuleDir(*dir)
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(cfg.Capsule)
	if err != nil {
		return fmt.Errorf("capsule: %w", err)
	}
	defer root.Close()
	// Through the root, a symbolic link cannot take the folder or the
	// file out of the capsule.
	if err := root.MkdirAll(filepath.FromSlash(sub), 0o755); err != nil {
		return fmt.Errorf("-dir %q: %w", *dir, err)
	}
	now := time.Now().In(cfg.Timezone).Truncate(time.Second)
	slug := capsule.Slugify(title)
	if len(slug) > maxSlugBytes {
		slug = slug[:maxSlugBytes]
		for !utf8.ValidString(slug) {
			slug = slug[:len(slug)-1]
		}
		slug = strings.TrimRight(slug, "-")
	}
	if slug == "" {
		slug = "untitled"
	}
	fm := newFrontMatter{title: title, date: now, tags: splitTags(*tags), author: oneLine(*author), summary: oneLine(*summary)}
	base := now.Format("2006-01-02") + "-" + slug
	for i := 1; ; i++ {
		name := base + ".md"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.md", base, i)
		}
		rel := path.Join(sub, name)
		fm.id = feed.TagURI(cfg.Hostname, now, capsule.ServedPath(rel))
		err := writeNew(root, filepath.FromSlash(rel), fm.String())
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, displayDir(filepath.Join(cfg.Capsule, filepath.FromSlash(rel))))
		fmt.Fprintln(stderr, "Created as a draft: set draft to false (or delete the line) to publish it; \"broadside preview\" shows it meanwhile.")
		return nil
	}
}

// capsuleDir validates -dir: a relative, visible folder inside the
// capsule, returned clean and slash-separated ("" for the capsule itself).
func capsuleDir(dir string) (string, error) {
	slash := filepath.ToSlash(dir)
	if filepath.IsAbs(dir) || strings.HasPrefix(slash, "/") {
		return "", fmt.Errorf("-dir %q: give a folder relative to the capsule, such as posts", dir)
	}
	sub := path.Clean(slash)
	if sub == ".." || strings.HasPrefix(sub, "../") {
		return "", fmt.Errorf("-dir %q: leaves the capsule; give a folder inside it, such as posts", dir)
	}
	if sub == "." {
		return "", nil
	}
	if capsule.Hidden(sub) {
		return "", fmt.Errorf("-dir %q: hidden folders are never served; give a visible one", dir)
	}
	return sub, nil
}

// oneLine collapses white space, so a value stays on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// writeNew creates file in root with data, never replacing an existing
// file.
func writeNew(root *os.Root, file string, data string) error {
	f, err := root.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, data); err != nil {
		f.Close()
		root.Remove(file)
		return err
	}
	return f.Close()
}

func splitTags(s string) []string {
	var tags []string
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// newFrontMatter is what "broadside new" writes at the top of a draft.
type newFrontMatter struct {
	title           string
	date            time.Time
	id              string
	tags            []string
	author, summary string
}

// String writes YAML front matter; strings are double-quoted with YAML's
// escapes so any title round-trips. Empty optional fields are left out.
func (m newFrontMatter) String() string {
	var b strings.Builder
	b.WriteString("---\n")
	b.WriteString("title: " + yamlQuote(m.title) + "\n")
	b.WriteString("date: " + m.date.Format(time.RFC3339) + "\n")
	if m.author != "" {
		b.WriteString("author: " + yamlQuote(m.author) + "\n")
	}
	if m.summary != "" {
		b.WriteString("summary: " + yamlQuote(m.summary) + "\n")
	}
	b.WriteString("id: " + yamlQuote(m.id) + "\n")
	quoted := make([]string, len(m.tags))
	for i, t := range m.tags {
		quoted[i] = yamlQuote(t)
	}
	b.WriteString("tags: [" + strings.Join(quoted, ", ") + "]\n")
	b.WriteString("draft: true\n")
	b.WriteString("---\n\nWrite the article here.\n")
	return b.String()
}

func yamlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
