package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/config"
	"broadside/internal/gemini"
	"broadside/internal/gemtext"
	"broadside/internal/gopher"
	"broadside/internal/netserve"
	"broadside/internal/publish"
	"broadside/internal/site"
)

// shutdownGrace bounds how long in-flight requests may take to finish
// after SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

func serve(args []string, stderr io.Writer) error {
	fs := flags("serve", "serve [-config FILE]", stderr)
	cfgPath := fs.String("config", "", "config file (default: ./config.toml if it exists, else built-in defaults)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "broadside serve: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.Log.SlogLevel()}))

	// Listen first: the public ports default to the bound ones, and a port
	// in use should fail before any work is done.
	gemLn, err := net.Listen("tcp", cfg.Gemini.Listen)
	if err != nil {
		return fmt.Errorf("gemini: %w", err)
	}
	defer gemLn.Close()
	var gopLn net.Listener
	if cfg.Gopher.Enabled() {
		if gopLn, err = net.Listen("tcp", cfg.Gopher.Listen); err != nil {
			return fmt.Errorf("gopher: %w", err)
		}
		defer gopLn.Close()
	}
	ports := boundPorts(cfg, gemLn, gopLn)

	live := &site.Live{}
	copts, sopts := siteOptions(cfg, ports)
	mem := newMemoryTuner(logger)
	pub := &publish.Publisher{Dir: cfg.Capsule, Capsule: copts, Site: sopts, Live: live, Logger: logger,
		Loaded: func(*site.Site) { mem.loaded() }}
	if err := pub.Reload(); err != nil {
		return err
	}
	defer pub.Close()
	// Certificates after the capsule: a wrong capsule path should not
	// leave a new key behind.
	certs, err := gemini.LoadCertificates(cfg.Gemini.Certs, cfg.Hostname, logger)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 3)
	// One limiter for both protocols: a client address has one budget.
	limiter := netserve.NewLimiter(limits(cfg))
	gemSrv := &gemini.Server{
		Hostnames: []string{cfg.Hostname},
		Port:      ports.gemini,
		Handler:   live,
		TLSConfig: certs.TLSConfig(),
		Logger:    logger,
		Settings:  netSettings(cfg, cfg.Gemini.ProxyProtocol),
		Limiter:   limiter,
	}
	go func() { errc <- serveErr("gemini", gemSrv.Serve(ctx, gemLn)) }()
	logger.Info("serving gemini", "addr", gemLn.Addr().String(), "url", fmt.Sprintf("gemini://%s:%d/", cfg.Hostname, ports.gemini),
		"cert_sha256", certs.Fingerprint())
	var gopSrv *gopher.Server
	if gopLn != nil {
		gopSrv = &gopher.Server{Handler: live.GopherHandler(), Logger: logger,
			Settings: netSettings(cfg, cfg.Gopher.ProxyProtocol), Limiter: limiter}
		go func() { errc <- serveErr("gopher", gopSrv.Serve(ctx, gopLn)) }()
		logger.Info("serving gopher", "addr", gopLn.Addr().String(), "url", fmt.Sprintf("gopher://%s:%d/", cfg.Hostname, ports.gopher))
	}
	go func() {
		if err := pub.Run(ctx); err != nil {
			logger.Error("watching capsule stopped; changes need SIGHUP or a restart", "err", err)
		}
	}()

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	for {
		select {
		case err := <-errc:
			return err
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				cfg = reload(cfg, *cfgPath, ports, pub, certs, logger)
				continue
			}
			logger.Info("shutting down", "signal", sig.String(), "grace", shutdownGrace)
			return shutdown(gemSrv, gopSrv, sigs, logger)
		}
	}
}

// serveErr drops the error a server returns when it was shut down.
func serveErr(name string, err error) error {
	if err == nil || errors.Is(err, net.ErrClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}

// shutdown stops accepting, lets in-flight requests finish within the grace
// period (a second signal cuts it short) and returns nil for a clean exit.
func shutdown(gem *gemini.Server, gop *gopher.Server, sigs <-chan os.Signal, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			logger.Warn("second signal: not waiting for requests")
			cancel()
		case <-ctx.Done():
		}
	}()
	done := make(chan error, 2)
	go func() { done <- gem.Shutdown(ctx) }()
	go func() {
		if gop == nil {
			done <- nil
			return
		}
		done <- gop.Shutdown(ctx)
	}()
	err := errors.Join(<-done, <-done)
	if err != nil {
		logger.Warn("requests cut off at shutdown", "err", err)
	} else {
		logger.Info("stopped")
	}
	return nil
}

// reload applies a new config on SIGHUP, keeping the old one if the new
// one is invalid. Listen addresses need a restart.
func reload(old *config.Config, path string, ports publicPorts, pub *publish.Publisher, certs *gemini.Certificates, logger *slog.Logger) *config.Config {
	cfg, err := config.Load(path)
	if err != nil {
		logger.Error("config reload failed; keeping the running config", "err", err)
		return old
	}
	if cfg.Gemini.Listen != old.Gemini.Listen || cfg.Gopher.Listen != old.Gopher.Listen ||
		cfg.Hostname != old.Hostname || cfg.Capsule != old.Capsule || cfg.Gemini.Certs != old.Gemini.Certs {
		logger.Warn("listen addresses, hostname, capsule and certs folder change only on restart; other settings reloaded")
		cfg.Gemini, cfg.Gopher, cfg.Hostname, cfg.Capsule = old.Gemini, old.Gopher, old.Hostname, old.Capsule
	}
	copts, sopts := siteOptions(cfg, ports)
	if err := pub.SetOptions(copts, sopts); err != nil {
		logger.Error("reloading capsule", "err", err)
	}
	if err := certs.Reload(); err != nil {
		logger.Error("reloading certificates; keeping the old ones", "err", err)
	}
	logger.Info("configuration reloaded", "file", cfg.File)
	return cfg
}

// limits maps [limits] to the per-address limits.
func limits(cfg *config.Config) netserve.Limits {
	return netserve.Limits{Rate: cfg.Limits.Rate, Burst: cfg.Limits.Burst, PerAddress: cfg.Limits.PerAddress}
}

// netSettings maps the config to one server's connection settings.
func netSettings(cfg *config.Config, proxy bool) netserve.Settings {
	mode, err := netserve.ParseAddrMode(cfg.Log.ClientAddr)
	if err != nil {
		mode = netserve.AddrNone // config validated it; be private if not
	}
	return netserve.Settings{
		Connections: cfg.Limits.Connections,
		ReadTimeout: cfg.Limits.ReadTimeout,
		SendTimeout: cfg.Limits.SendTimeout,
		ClientAddr:  mode,
		Proxy:       proxy,
		Trusted:     cfg.Proxy.Trusted,
	}
}

type publicPorts struct{ gemini, gopher int }

func boundPorts(cfg *config.Config, gem, gop net.Listener) publicPorts {
	p := publicPorts{gemini: cfg.Gemini.Port, gopher: cfg.Gopher.Port}
	if p.gemini == 0 {
		p.gemini = gem.Addr().(*net.TCPAddr).Port
	}
	if gop != nil && p.gopher == 0 {
		p.gopher = gop.Addr().(*net.TCPAddr).Port
	}
	return p
}

func loadConfig(path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, fmt.Errorf("configuration:\n%w", err)
	}
	return cfg, nil
}

// converterOptions maps the [render] settings to the converter's.
func converterOptions(r config.Render) gemtext.Options {
	var o gemtext.Options
	switch r.Links {
	case "end":
		o.Links = gemtext.LinksAtEnd
	case "numbered":
		o.Links = gemtext.LinksNumbered
	case "off":
		o.Links = gemtext.LinksOff
	}
	if r.DeepHeadings == "text" {
		o.DeepHeadings = gemtext.DeepHeadingsAsText
	}
	o.KeepEmphasis = r.Emphasis == "keep"
	return o
}

func siteOptions(cfg *config.Config, ports publicPorts) (capsule.Options, site.Options) {
	return capsule.Options{
			Converter: gemtext.New(converterOptions(cfg.Render)),
			Location:  cfg.Timezone,
		}, site.Options{
			Title:       cfg.Title,
			Hostname:    cfg.Hostname,
			Lang:        cfg.Lang,
			Author:      cfg.Author,
			GeminiPort:  ports.gemini,
			GopherPort:  ports.gopher,
			FeedEntries: cfg.Feed.Entries,
			IndexRecent: cfg.Index.Recent,
			Removed:     cfg.Removed,
			Robots:      cfg.Robots,
			Favicon:     cfg.Favicon,
			IDAuthority: cfg.Feed.IDAuthority,
			Location:    cfg.Timezone,
		}
}
