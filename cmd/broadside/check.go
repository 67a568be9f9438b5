package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"broadside/internal/capsule"
	"broadside/internal/check"
	"broadside/internal/config"
	"broadside/internal/diag"
	"broadside/internal/site"
)

// errFound means the command reported problems itself and should exit 1.
var errFound = errors.New("problems found")

func checkCmd(args []string, stdout, stderr io.Writer) error {
	return runCheck(args, stdout, stderr, checkEnv{now: time.Now()})
}

// checkEnv is what check takes from its surroundings, so that tests can
// fix it: the time, how -external requests, and whether a port below
// 1024 can be bound (nil: check.CanBind).
type checkEnv struct {
	now  time.Time
	ext  check.ExternalOptions
	bind func(port int) error
}

// runCheck is check in env.
func runCheck(args []string, stdout, stderr io.Writer, env checkEnv) error {
	fs := flags("check", "check [-config FILE] [-json] [-external]", stderr)
	cfgPath := fs.String("config", "", "config file (default: ./config.toml if it exists)")
	asJSON := fs.Bool("json", false, "print the problems as a JSON array of {file, line, column, severity, code, message}")
	external := fs.Bool("external", false, "also request every gemini:// link to other capsules and report those that fail")
	timeout := fs.Duration("timeout", 10*time.Second, "with -external: how long to wait for each link")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs, stderr); err != nil {
		return err
	}
	if env.ext.Timeout == 0 {
		env.ext.Timeout = *timeout
	}
	ds, summary := collect(*cfgPath, *external, env)
	diag.Sort(ds)
	if *asJSON {
		if ds == nil {
			ds = []diag.Diagnostic{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ds); err != nil {
			return err
		}
	} else {
		for _, d := range ds {
			fmt.Fprintln(stdout, printable(d.String()))
		}
	}
	errs, warns := diag.Count(ds)
	for _, line := range summary {
		fmt.Fprintln(stderr, line)
	}
	if errs+warns > 0 {
		fmt.Fprintf(stderr, "%d %s, %d %s\n", errs, plural(errs, "error", "errors"), warns, plural(warns, "warning", "warnings"))
	}
	if errs > 0 {
		return errFound
	}
	return nil
}

// collect runs every check and returns what it found, file names as the
// user would open them, and lines for the summary. A config that does not
// load stops there: its capsule and certificates are not known.
func collect(cfgPath string, external bool, env checkEnv) ([]diag.Diagnostic, []string) {
	cfgName := cfgPath
	if cfgName == "" {
		cfgName = config.DefaultFile
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return config.Diagnostics(err, cfgName), nil
	}
	// The [strings] tables of the page chrome (unknown message ids,
	// missing placeholders), at their lines.
	_, ds := catalog(cfg)
	for i := range ds {
		ds[i].File = cfgName
	}
	if cfg.File != "" {
		data, err := os.ReadFile(cfg.File)
		if err == nil {
			ds = append(ds, check.Settings(cfg, cfgName, config.KeyLines(data), env.bind)...)
		}
	}
	ds = append(ds, check.Certificates(displayDir(cfg.Gemini.Certs), cfg.Hostname, env.now)...)

	root, err := os.OpenRoot(cfg.Capsule)
	if err != nil {
		return append(ds, diag.Diagnostic{File: displayDir(cfg.Capsule), Severity: diag.Error, Code: capsule.CodeFile,
			Message: fmt.Sprintf("the capsule folder cannot be opened: %v", errors.Unwrap(err))}), nil
	}
	defer root.Close()
	// The same safe view of the folder serve uses: no pipes, no links
	// out of the capsule or to hidden files.
	fsys := capsule.RootFS(root)
	copts, sopts := siteOptions(cfg, publicPorts{gemini: cfg.Gemini.Port, gopher: cfg.Gopher.Port})
	copts.Full = true // links and the converter's problems need every body
	snap, err := capsule.Load(fsys, copts, nil)
	if err != nil {
		return append(ds, diag.Diagnostic{File: displayDir(cfg.Capsule), Severity: diag.Error, Code: capsule.CodeFile,
			Message: err.Error()}), nil
	}
	sopts.Static = fsys
	s := site.Build(snap, sopts, env.now)

	content := append(append([]diag.Diagnostic{}, snap.Problems...), check.Links(s)...)
	for i, d := range content {
		if d.Code == capsule.CodeUnpublished {
			// check reads the files alone; a running server may hold a
			// good version from before the error, which it keeps serving.
			content[i].Message += ", unless a server already publishes an earlier good version, which it keeps"
		}
	}
	var summary []string
	if external {
		extDs, sum := check.External(context.Background(), snap.Sources(), env.ext)
		content = append(content, extDs...)
		summary = append(summary, sum.String())
	}
	prefix := displayDir(cfg.Capsule)
	for i := range content {
		content[i].File = filepath.Join(prefix, filepath.FromSlash(content[i].File))
	}
	ds = append(ds, content...)
	ds = append(ds, check.Shadows(s, cfgName, func(from string) int {
		for _, r := range cfg.Redirects {
			if r.From == from {
				return r.Line
			}
		}
		return 0
	})...)
	return ds, summary
}

// printable escapes control characters (a file name, a server's answer)
// so that a line of check never drives the terminal.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unicode.IsControl(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

// displayDir shows dir relative to the working folder when it is inside it.
func displayDir(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return dir
	}
	return rel
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
