package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"broadside/internal/capsule"
	"broadside/internal/gemtext"
	"broadside/internal/gopher"
)

func render(args []string, stdout, stderr io.Writer) error {
	fs := flags("render", "render [-format gemini|gopher] [-config FILE] FILE.md", stderr)
	format := fs.String("format", "gemini", `output format: "gemini" (gemtext) or "gopher" (the Gopher text view)`)
	cfgPath := fs.String("config", "", "config file for [render] options and the time zone (default: ./config.toml if it exists)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	if *format != "gemini" && *format != "gopher" {
		fmt.Fprintf(stderr, "broadside render: -format must be gemini or gopher, not %q\n", *format)
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	file := fs.Arg(0)
	src, err := os.ReadFile(file)
	if err != nil {
		return err // *PathError names the file
	}
	d := capsule.Parse(filepath.Base(file), src, capsule.Options{
		Converter: gemtext.New(converterOptions(cfg.Render)),
		Location:  cfg.Timezone,
	})
	failed := false
	for _, p := range d.Problems {
		p.File = file
		fmt.Fprintln(stderr, p)
		failed = failed || p.Severity == capsule.Error
	}
	var doc bytes.Buffer
	if d.Kind == capsule.Gemtext {
		doc.Write(d.Body)
	} else {
		fmt.Fprintf(&doc, "# %s\n\n", d.Title)
		doc.Write(d.Body)
	}
	out := doc.Bytes()
	if *format == "gopher" {
		var b bytes.Buffer
		if err := gopher.TextView(&b, out, gopher.RenderOptions{Host: cfg.Hostname, Port: cfg.Gopher.Port}); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		out = b.Bytes()
	}
	if _, err := stdout.Write(out); err != nil {
		return err
	}
	if failed {
		return errFound
	}
	return nil
}
