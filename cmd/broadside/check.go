package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/gemtext"
	"broadside/internal/site"
)

// errFound means the command reported problems itself and should exit 1.
var errFound = errors.New("problems found")

func check(args []string, stdout, stderr io.Writer) error {
	fs := flags("check", "check [-config FILE]", stderr)
	cfgPath := fs.String("config", "", "config file (default: ./config.toml if it exists)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintln(stdout, err)
		return errFound
	}
	root, err := os.OpenRoot(cfg.Capsule)
	if err != nil {
		fmt.Fprintf(stdout, "capsule: %v\n", err)
		return errFound
	}
	defer root.Close()
	start := time.Now()
	snap, err := capsule.Load(root.FS(), capsule.Options{
		Converter: gemtext.New(converterOptions(cfg.Render)),
		Location:  cfg.Timezone,
	}, nil)
	if err != nil {
		fmt.Fprintf(stdout, "capsule: %v\n", err)
		return errFound
	}
	prefix := displayDir(cfg.Capsule)
	errs, warns := 0, 0
	for _, p := range snap.Problems {
		p.File = filepath.Join(prefix, filepath.FromSlash(p.File))
		fmt.Fprintln(stdout, p)
		if p.Severity == capsule.Error {
			errs++
		} else {
			warns++
		}
	}
	_, sopts := siteOptions(cfg, publicPorts{gemini: cfg.Gemini.Port, gopher: cfg.Gopher.Port})
	sopts.Static = root.FS()
	now := time.Now()
	s := site.Build(snap, sopts, now)
	hidden := 0
	for _, d := range snap.Docs {
		if !d.Visible(now) {
			hidden++
		}
	}
	fmt.Fprintf(stdout, "%d files, %d documents: %d articles published, %d drafts or scheduled; %d tags; %d errors, %d warnings (%s)\n",
		snap.Files, len(snap.Docs), len(s.Articles), hidden, len(s.Tags), errs, warns, time.Since(start).Round(time.Millisecond))
	if errs > 0 {
		return errFound
	}
	return nil
}

// displayDir shows dir relative to the working folder when it is inside it.
func displayDir(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return dir
	}
	return rel
}
