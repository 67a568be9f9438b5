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
	fset := flags("new", `new [-config FILE] [-dir posts] [-tags "a, b"] "Title"`, stderr)
	cfgPath := fset.String("config", "", "config file (default: ./config.toml if it exists)")
	dir := fset.String("dir", "posts", "folder inside the capsule for the new article")
	tags := fset.String("tags", "", "comma-separated tags")
	if err := parse(fset, args); err != nil {
		return err
	}
	title := strings.Join(strings.Fields(strings.Join(fset.Args(), " ")), " ")
	if title == "" {
		fset.Usage()
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	sub := path.Clean("/" + filepath.ToSlash(*dir))[1:]
	if capsule.Hidden(sub) || strings.Contains(*dir, "..") {
		return fmt.Errorf("-dir %q: must be a visible folder inside the capsule", *dir)
	}
	folder := filepath.Join(cfg.Capsule, filepath.FromSlash(sub))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
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
	base := now.Format("2006-01-02") + "-" + slug
	for i := 1; ; i++ {
		name := base + ".md"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.md", base, i)
		}
		file := filepath.Join(folder, name)
		served := capsule.ServedPath(path.Join(sub, name))
		err := writeNew(file, frontMatter(title, now, feed.TagURI(cfg.Hostname, now, served), splitTags(*tags)))
		if errors.Is(err, fs.ErrExist) {
			if i < 100 {
				continue
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, displayDir(file))
		fmt.Fprintln(stderr, "Created as a draft: set draft to false (or delete the line) to publish it.")
		return nil
	}
}

// writeNew creates file with data, never replacing an existing file.
func writeNew(file string, data string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, data); err != nil {
		f.Close()
		os.Remove(file)
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

// frontMatter writes YAML front matter; strings are double-quoted with
// YAML's escapes so any title round-trips.
func frontMatter(title string, date time.Time, id string, tags []string) string {
	var b strings.Builder
	b.WriteString("---\n")
	b.WriteString("title: " + yamlQuote(title) + "\n")
	b.WriteString("date: " + date.Format(time.RFC3339) + "\n")
	b.WriteString("id: " + yamlQuote(id) + "\n")
	quoted := make([]string, len(tags))
	for i, t := range tags {
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
