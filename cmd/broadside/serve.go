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
	"reflect"
	"syscall"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/config"
	"broadside/internal/diag"
	"broadside/internal/frontend"
	"broadside/internal/gemini"
	"broadside/internal/gemtext"
	"broadside/internal/gopher"
	"broadside/internal/i18n"
	"broadside/internal/netserve"
	"broadside/internal/publish"
	"broadside/internal/site"
)

// shutdownGrace bounds how long in-flight requests may take to finish
// after SIGINT or SIGTERM; a second signal ends the wait at once.
// Connections that have not sent a request are closed at once.
const shutdownGrace = 10 * time.Second

func serve(args []string, stderr io.Writer, mode serveMode) error {
	fs := flags(mode.name(), mode.name()+" [-config FILE]", stderr)
	cfgPath := fs.String("config", "", "config file (default: ./config.toml if it exists, else built-in defaults)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "broadside %s: unexpected argument %q\n", mode.name(), fs.Arg(0))
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	cfg = mode.config(cfg)
	logOut := newLogOutput(stderr, cfg.Log)
	logger := slog.New(logOut)
	// Signals are caught from the start: a SIGHUP that arrives while the
	// capsule loads is applied once serving begins, and INT or TERM stop
	// the start-up, however long the load takes.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

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
	_, strDiags := catalog(cfg)
	logDiagnostics(logger, strDiags)
	copts, sopts := siteOptions(cfg, ports)
	mode.site(&sopts)
	mem := newMemoryTuner(logger)
	// Preview keeps its search index in memory: the state folder's is
	// serve's, locked while it runs.
	state := cfg.State
	if mode.preview {
		state = ""
	}
	srch := newSearcher(state, logger)
	defer srch.Close()
	sopts.Search = srch
	pub := &publish.Publisher{Dir: cfg.Capsule, Capsule: copts, Site: sopts, Live: live, Logger: logger, State: cfg.State,
		Loaded: func(s *site.Site) { mem.loaded(s.Cache().Budget()); srch.loaded(s) }}
	defer closeSoon(pub, logger)
	up, err := newUploader(cfg, copts, pub, live, logger)
	if err != nil {
		return err
	}
	if up != nil {
		defer up.Close()
		pub.Site.Uploads = up.serve
	}
	hup, stop, err := startUp(pub.Reload, sigs)
	if err != nil {
		return err
	}
	if stop != nil {
		logger.Info("stopped during start-up", "signal", stop.String())
		return nil
	}
	// Certificates after the capsule: a wrong capsule path should not
	// leave a new key behind.
	certs, err := gemini.LoadCertificates(cfg.Gemini.Certs, cfg.Hostname, logger)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tlsConf := certs.TLSConfig()
	var tickets *gemini.TicketKeys
	if cfg.Gemini.TicketKeys != "" {
		if tickets, err = gemini.LoadTicketKeys(cfg.Gemini.TicketKeys, logger); err != nil {
			return err
		}
		if err := tickets.Apply(tlsConf); err != nil {
			return err
		}
		go tickets.Run(ctx)
	}
	errc := make(chan error, 3)
	// One limiter for both protocols: a client address has one budget.
	limiter := netserve.NewLimiter(limits(cfg))
	gemSrv := &gemini.Server{
		Hostnames: mode.hostnames(cfg),
		Port:      ports.gemini,
		Handler:   &frontend.Gemini{Live: live, Logger: logger},
		Titan:     up != nil,
		TLSConfig: tlsConf,
		Logger:    logger,
		Settings:  netSettings(cfg, cfg.Gemini.ProxyProtocol),
		Limiter:   limiter,
	}
	go func() { errc <- serveErr("gemini", gemSrv.Serve(ctx, gemLn)) }()
	logger.Info("serving gemini", "addr", gemLn.Addr().String(), "url", fmt.Sprintf("gemini://%s:%d/", mode.host(cfg), ports.gemini),
		"cert_sha256", certs.Fingerprint(), "proxy_protocol", cfg.Gemini.ProxyProtocol)
	var gopSrv *gopher.Server
	if gopLn != nil {
		gopSrv = &gopher.Server{Handler: &frontend.Gopher{Live: live}, Logger: logger,
			Settings: netSettings(cfg, cfg.Gopher.ProxyProtocol), Limiter: limiter}
		go func() { errc <- serveErr("gopher", gopSrv.Serve(ctx, gopLn)) }()
		logger.Info("serving gopher", "addr", gopLn.Addr().String(), "url", fmt.Sprintf("gopher://%s:%d/", mode.host(cfg), ports.gopher),
			"proxy_protocol", cfg.Gopher.ProxyProtocol)
	}
	go func() {
		if err := pub.Run(ctx); err != nil {
			logger.Error("watching capsule stopped; changes need SIGHUP or a restart", "err", err)
		}
	}()

	r := &reloader{path: *cfgPath, cfg: cfg, ports: ports, mode: mode, uploader: up, searcher: srch, pub: pub, certs: certs, tickets: tickets, logOut: logOut,
		limiter: limiter, gemini: gemSrv, gopher: gopSrv, logger: logger}
	reloads := make(chan struct{}, 1)
	if hup {
		reloads <- struct{}{}
	}
	go r.run(ctx, reloads)

	for {
		select {
		case err := <-errc:
			return err
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				// Reloads run outside this loop, so that a slow one (a
				// capsule of thousands of files, a file that blocks) never
				// delays SIGTERM; a burst of SIGHUPs makes one more reload.
				select {
				case reloads <- struct{}{}:
				default:
				}
				continue
			}
			logger.Info("shutting down", "signal", sig.String(), "grace", shutdownGrace)
			cancel()
			return shutdown(gemSrv, gopSrv, sigs, logger)
		}
	}
}

// startUp runs load (the first capsule load) while watching sigs: it
// reports a SIGHUP that arrived meanwhile, or returns at once the INT or
// TERM signal that ended the wait, leaving a stuck load behind.
func startUp(load func() error, sigs <-chan os.Signal) (hup bool, stop os.Signal, err error) {
	done := make(chan error, 1)
	go func() { done <- load() }()
	for {
		select {
		case err := <-done:
			return hup, nil, err
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				hup = true
				continue
			}
			return hup, sig, nil
		}
	}
}

// serveErr drops the error a server returns when it was shut down.
func serveErr(name string, err error) error {
	if err == nil || errors.Is(err, net.ErrClosed) || errors.Is(err, context.Canceled) || errors.Is(err, netserve.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}

// shutdown stops accepting, closes connections that have sent no request,
// lets in-flight requests finish within the grace period (a second INT or
// TERM signal cuts it short) and returns nil for a clean exit.
func shutdown(gem *gemini.Server, gop *gopher.Server, sigs <-chan os.Signal, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	go func() {
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGHUP {
					continue // no reload while stopping
				}
				logger.Warn("second signal: not waiting for requests", "signal", sig.String())
				cancel()
				return
			case <-ctx.Done():
				return
			}
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

// closeSoon releases the capsule folder, without waiting long: a reload
// stuck on a file that never ends must not keep the process from exiting.
func closeSoon(pub *publish.Publisher, logger *slog.Logger) {
	done := make(chan struct{})
	go func() {
		pub.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(500 * time.Millisecond):
		logger.Warn("capsule still loading at exit; not waiting for it")
	}
}

// reloader applies a new config on SIGHUP. Its fields are used by its run
// goroutine only.
type reloader struct {
	path     string
	mode     serveMode
	uploader *uploader // nil when Titan is off
	searcher *searcher
	cfg      *config.Config
	ports    publicPorts
	pub      *publish.Publisher
	certs    *gemini.Certificates
	tickets  *gemini.TicketKeys // nil without a key file
	logOut   *logOutput
	limiter  *netserve.Limiter
	gemini   *gemini.Server
	gopher   *gopher.Server
	logger   *slog.Logger
}

// run reloads once per request until ctx ends.
func (r *reloader) run(ctx context.Context, requests <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-requests:
			r.reload()
		}
	}
}

// reload reads the config file again and applies every setting that can
// change while serving: log level, format and client addresses, limits and
// timeouts, PROXY protocol settings, certificates, and the site options
// (titles, redirects...), which rebuild the site. Settings that need a
// restart keep their running values and are named in the log. An invalid
// file changes nothing.
func (r *reloader) reload() {
	cfg, err := config.Load(r.path)
	if err != nil {
		r.logger.Error("config reload failed; keeping the running config", "err", err)
		return
	}
	cfg = r.mode.config(cfg)
	old := r.cfg
	if keys := restartKeys(old, cfg); len(keys) > 0 {
		r.logger.Warn("these settings change only on restart; the running values stay", "keys", keys)
		cfg.Hostname, cfg.Capsule = old.Hostname, old.Capsule
		cfg.Gemini.Listen, cfg.Gemini.Port, cfg.Gemini.Certs, cfg.Gemini.TicketKeys = old.Gemini.Listen, old.Gemini.Port, old.Gemini.Certs, old.Gemini.TicketKeys
		cfg.Gopher.Listen, cfg.Gopher.Port = old.Gopher.Listen, old.Gopher.Port
		cfg.Titan, cfg.State = old.Titan, old.State
	}
	r.cfg = cfg
	r.logOut.apply(cfg.Log)
	r.limiter.SetLimits(limits(cfg))
	r.gemini.Configure(netSettings(cfg, cfg.Gemini.ProxyProtocol))
	if r.gopher != nil {
		r.gopher.Configure(netSettings(cfg, cfg.Gopher.ProxyProtocol))
	}
	if err := r.certs.Reload(); err != nil {
		r.logger.Error("reloading certificates; keeping the old ones", "err", err)
	}
	if r.tickets != nil {
		if err := r.tickets.Refresh(); err != nil {
			r.logger.Error("reloading session ticket keys; keeping the old ones", "err", err)
		}
	}
	r.logger.Info("configuration reloaded", "file", cfg.File, "log_level", cfg.Log.Level, "log_format", cfg.Log.Format,
		"client_addr", cfg.Log.ClientAddr, "rate", cfg.Limits.Rate, "burst", cfg.Limits.Burst,
		"per_address", cfg.Limits.PerAddress, "connections", cfg.Limits.Connections)
	// Last: it rebuilds the site from the capsule, the slow part.
	_, strDiags := catalog(cfg)
	logDiagnostics(r.logger, strDiags)
	copts, sopts := siteOptions(cfg, r.ports)
	r.mode.site(&sopts)
	if r.uploader != nil {
		sopts.Uploads = r.uploader.serve
	}
	sopts.Search = r.searcher
	if err := r.pub.SetOptions(copts, sopts); err != nil {
		r.logger.Error("reloading capsule", "err", err)
	}
}

// restartKeys names the settings that differ between a and b and take
// effect only on restart.
func restartKeys(a, b *config.Config) []string {
	var keys []string
	for _, k := range []struct {
		name    string
		changed bool
	}{
		{"hostname", a.Hostname != b.Hostname},
		{"capsule", a.Capsule != b.Capsule},
		{"gemini.listen", a.Gemini.Listen != b.Gemini.Listen},
		{"gemini.port", a.Gemini.Port != b.Gemini.Port},
		{"gemini.certs", a.Gemini.Certs != b.Gemini.Certs},
		{"gemini.ticket_keys", a.Gemini.TicketKeys != b.Gemini.TicketKeys},
		{"gopher.listen", a.Gopher.Listen != b.Gopher.Listen},
		{"titan", !reflect.DeepEqual(a.Titan, b.Titan)},
		{"state", a.State != b.State},
		{"gopher.port", a.Gopher.Port != b.Gopher.Port},
	} {
		if k.changed {
			keys = append(keys, k.name)
		}
	}
	return keys
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
	cat, _ := catalog(cfg)
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
			Redirects:   redirectRules(cfg.Redirects),
			Cache:       site.NewCache(int(cfg.Cache.Size)),
			Catalog:     cat,
			PageSize:    cfg.Index.PageSize,
		}
}

// catalog builds the page chrome from the built-in catalogs and the
// config's [strings.LANG] tables, with the problems found in the latter
// placed at their lines in the config file.
func catalog(cfg *config.Config) (*i18n.Catalog, []diag.Diagnostic) {
	file := cfg.File
	if file == "" {
		file = config.DefaultFile
	}
	cat, diags := i18n.NewLocated(cfg.Lang, cfg.Strings, func(path []string) (int, int) {
		return cfg.StringsLine(path), 0
	})
	for i := range diags {
		diags[i].File = file
	}
	return cat, diags
}

// logDiagnostics logs problems found at start or reload.
func logDiagnostics(logger *slog.Logger, ds []diag.Diagnostic) {
	for _, d := range ds {
		level := slog.LevelWarn
		if d.Severity == diag.Error {
			level = slog.LevelError
		}
		logger.Log(context.Background(), level, "config problem", "file", d.File, "line", d.Line, "code", d.Code, "msg", d.Message)
	}
}

func redirectRules(rs []config.Redirect) []site.RedirectRule {
	out := make([]site.RedirectRule, len(rs))
	for i, r := range rs {
		out[i] = site.RedirectRule{From: r.From, To: r.To, Temporary: !r.Permanent}
	}
	return out
}
