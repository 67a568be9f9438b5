package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"broadside/internal/capsule"
	"broadside/internal/gemtext"
	"broadside/internal/gopher"
)

// stdinName is how problems name standard input, as compilers do.
const stdinName = "<stdin>"

func render(args []string, stdout, stderr io.Writer) error {
	fs := flags("render", "render [-format gemini|gopher] [-config FILE] FILE.md|FILE.gmi|-", stderr)
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
	file, name := fs.Arg(0), filepath.Base(fs.Arg(0))
	var src []byte
	if file == "-" {
		file, name = stdinName, "stdin.md"
		src, err = readBounded(os.Stdin, file)
	} else {
		src, err = readFile(file)
	}
	if err != nil {
		return err
	}
	// Markdown with a stray control byte is still Markdown (the converter
	// drops it, with a warning); an image or an archive is not.
	if t := http.DetectContentType(src); !strings.HasPrefix(t, "text/") {
		return fmt.Errorf("%s: not a text file (it looks like %s); render converts Markdown and gemtext", file, t)
	}
	d, body := capsule.Render(name, src, capsule.Options{
		Converter: gemtext.New(converterOptions(cfg.Render)),
		Location:  cfg.Timezone,
	})
	for _, p := range d.Problems {
		p.File = file
		fmt.Fprintln(stderr, printable(p.String()))
	}
	out := standalone(d, body.Gemtext)
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
	if d.Broken {
		return errFound
	}
	return nil
}

// standalone is a document as one gemtext file: a Markdown document's
// title heading then its body, a blank line between them only when there
// is a body, so that an empty or front-matter-only file ends with its
// title line and nothing more; a gemtext file as written.
func standalone(d *capsule.Doc, body []byte) []byte {
	if d.Kind == capsule.Gemtext {
		return body
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", d.Title)
	if len(bytes.TrimSpace(body)) > 0 {
		b.WriteByte('\n')
		b.Write(body)
		if !bytes.HasSuffix(body, []byte("\n")) {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// readFile reads a file to render, refusing folders and files over the
// capsule's size limit.
func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err // *PathError names the file
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a folder: give one file", name)
	}
	return readBounded(f, name)
}

// readBounded reads r up to capsule.MaxDocSize bytes.
func readBounded(r io.Reader, name string) ([]byte, error) {
	src, err := io.ReadAll(io.LimitReader(r, capsule.MaxDocSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(src) > capsule.MaxDocSize {
		return nil, fmt.Errorf("%s: over the %d byte limit of a document", name, capsule.MaxDocSize)
	}
	return src, nil
}
