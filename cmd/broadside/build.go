package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/config"
	"broadside/internal/diag"
	"broadside/internal/export"
	"broadside/internal/site"
)

func build(args []string, stdout, stderr io.Writer) error {
	fs := flags("build", "build [-config FILE] DIR", stderr)
	cfgPath := fs.String("config", "", "config file (default: ./config.toml if it exists, else built-in defaults)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "broadside build: give one folder to write the export to")
		fs.Usage()
		return errUsage
	}
	dir := fs.Arg(0)
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	ports, err := publicPortsOf(cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	root, err := os.OpenRoot(cfg.Capsule)
	if err != nil {
		return fmt.Errorf("capsule: %w", err)
	}
	defer root.Close()
	// The same safe view of the folder serve uses: no pipes, no links
	// out of the capsule or to hidden files.
	fsys := capsule.RootFS(root)
	copts, sopts := siteOptions(cfg, ports)
	copts.Full = true // every problem is shown, the converter's included
	snap, err := capsule.Load(fsys, copts, nil)
	if err != nil {
		return fmt.Errorf("capsule: %w", err)
	}
	// Problems in the capsule are check's to judge; the export serves
	// what the server would, so they are shown and the build goes on.
	prefix := displayDir(cfg.Capsule)
	for _, p := range snap.Problems {
		p.File = filepath.Join(prefix, filepath.FromSlash(p.File))
		fmt.Fprintln(stderr, p)
	}
	sopts.Static = fsys
	// The pages link to /search as serve's do, so that the export equals
	// what readers of the live site get; a static server has no search
	// to answer it (see the README).
	sopts.Search = noSearch{}
	s := site.Build(snap, sopts, time.Now())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := export.Write(ctx, s, dir, export.Options{Source: cfg.Capsule, NoGopher: !cfg.Gopher.Enabled()})
	if err != nil {
		return err
	}
	for _, d := range res.Diagnostics {
		if d.File != "" && !strings.Contains(d.File, "://") {
			d.File = filepath.Join(prefix, filepath.FromSlash(d.File))
		}
		fmt.Fprintln(stderr, d)
	}
	gopherPart := fmt.Sprintf("%d Gopher files and %d links", res.GopherFiles, res.GopherLinks)
	if !cfg.Gopher.Enabled() {
		gopherPart = "no Gopher ([gopher] listen is empty)"
	}
	fmt.Fprintf(stdout, "%s: %d Gemini files, %s, %d redirects, %d gone; %.1f MB in %s\n",
		dir, res.GeminiFiles, gopherPart, res.Redirects, res.Gone, float64(res.Bytes)/1e6, time.Since(start).Round(time.Millisecond))
	if errs, _ := diag.Count(res.Diagnostics); errs > 0 {
		fmt.Fprintf(stderr, "broadside build: %d paths of the site could not be exported (see above)\n", errs)
		return errFound
	}
	return nil
}

// publicPortsOf gives the public ports an export writes into URLs and
// menus: the configured ones, else the listen ports. There is no listener
// to ask, so a listen port of 0 needs an explicit public port.
func publicPortsOf(cfg *config.Config) (publicPorts, error) {
	p := publicPorts{gemini: cfg.Gemini.Port, gopher: cfg.Gopher.Port}
	var err error
	if p.gemini == 0 {
		if p.gemini, err = listenPort(cfg.Gemini.Listen); err != nil {
			return p, fmt.Errorf("[gemini] listen %q: %w; set [gemini] port", cfg.Gemini.Listen, err)
		}
	}
	if cfg.Gopher.Enabled() && p.gopher == 0 {
		if p.gopher, err = listenPort(cfg.Gopher.Listen); err != nil {
			return p, fmt.Errorf("[gopher] listen %q: %w; set [gopher] port", cfg.Gopher.Listen, err)
		}
	}
	return p, nil
}

func listenPort(addr string) (int, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		return 0, fmt.Errorf("no fixed port to publish")
	}
	return n, nil
}

// noSearch stands for the live site's search in an export: pages link to
// it as they do when served, and it answers nothing.
type noSearch struct{}

func (noSearch) Search(context.Context, string, int, int) (*site.SearchResults, error) {
	return nil, site.ErrSearchNotReady
}
