// Package publish keeps a live site in step with its capsule folder: it
// loads the capsule, builds the site, watches the folder for changes and
// rebuilds when a scheduled article falls due, swapping each new site in
// atomically while requests go on.
package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/diag"
	"broadside/internal/site"
)

// Publisher rebuilds Live from the capsule at Dir. Fill the exported
// fields, call Reload once, then Run. Its methods are safe for concurrent
// use.
type Publisher struct {
	Dir     string
	Capsule capsule.Options
	Site    site.Options // Static is set from Dir
	Live    *site.Live
	Logger  *slog.Logger
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
	// Watcher settings; Dir and OnChange are filled in by Run.
	Watcher capsule.Watcher
	// Loaded, if set, is called after each new site is swapped in (main
	// uses it to size the memory limit to the new capsule).
	Loaded func(*site.Site)

	mu       sync.Mutex
	root     *os.Root
	snap     *capsule.Snapshot
	cache    *site.Cache // handed from each site to the next
	reported map[string]bool
	due      chan struct{}
}

func (p *Publisher) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Publisher) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

// Reload reads what changed in the capsule and swaps in a new site. It
// fails only when the capsule folder itself cannot be read; problems with
// single files are logged (once each) and kept in the snapshot.
func (p *Publisher) Reload() error { return p.reload(true) }

// reload loads what changed; unless force is set, a load that changed
// nothing (the watcher fires on edits that leave files as they were, and
// once when it starts) keeps the current site and its caches.
func (p *Publisher) reload(force bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	if p.root == nil {
		root, err := os.OpenRoot(p.Dir)
		if err != nil {
			return fmt.Errorf("opening capsule: %w", err)
		}
		p.root = root
	}
	fsys := capsule.RootFS(p.root)
	snap, err := capsule.Load(fsys, p.Capsule, p.snap)
	if err != nil {
		return err
	}
	prev := p.snap
	p.snap = snap
	if !force && prev != nil && p.Live.Load() != nil && snap.Parsed == 0 &&
		len(snap.Docs) == len(prev.Docs) && snap.Files == prev.Files && len(snap.Problems) == len(prev.Problems) {
		p.logger().Debug("capsule unchanged", "dir", p.Dir, "duration", time.Since(start).Round(time.Microsecond))
		return nil
	}
	p.report(snap)
	opts := p.Site
	opts.Static = fsys
	if opts.Cache == nil {
		if p.cache == nil {
			p.cache = site.NewCache(site.DefaultCacheSize)
		}
		opts.Cache = p.cache
	}
	s := site.Build(snap, opts, p.now())
	p.Live.Store(s)
	p.logger().Info("capsule loaded", "dir", p.Dir, "documents", len(snap.Docs), "articles", len(s.Articles),
		"parsed", snap.Parsed, "reused", snap.Reused, "problems", len(snap.Problems),
		"duration", time.Since(start).Round(time.Microsecond))
	p.schedule(s.NextChange)
	if p.Loaded != nil {
		p.Loaded(s)
	}
	return nil
}

// SetOptions replaces the loading and site options (after a configuration
// reload) and reloads everything: every file is parsed again, and the last
// good versions of broken files are kept.
func (p *Publisher) SetOptions(c capsule.Options, s site.Options) error {
	p.mu.Lock()
	// Pages built under the old options must not be served again; the
	// snapshot stays for its last good versions (Load parses every file
	// again, the options having changed).
	p.Capsule, p.Site, p.cache = c, s, nil
	p.mu.Unlock()
	return p.Reload()
}

// report logs each problem once per version of its file: a reload after
// one edit logs that file's problems again (it changed, and they still
// stand) and nothing else; problems that concern no one file (tag
// spellings, path clashes) are logged when they first appear.
func (p *Publisher) report(snap *capsule.Snapshot) {
	seen := map[string]bool{}
	var fresh []diag.Diagnostic
	for _, pr := range snap.Problems {
		key := pr.String() + "\x00" + pr.Code
		if d := snap.Current(pr.File); d != nil {
			key += "\x00" + strconv.FormatInt(d.Size, 10) + "\x00" + d.ModTime.String()
		}
		seen[key] = true
		if !p.reported[key] {
			fresh = append(fresh, pr)
		}
	}
	p.reported = seen
	// A capsule with 512 named pipes logs a few of them and "and 509
	// more like this", not 512 lines.
	for _, g := range diag.Aggregate(fresh, diag.Kind, maxLoggedPerKind) {
		for _, pr := range g.Items {
			p.logger().Log(context.Background(), problemLevel(pr), "capsule problem", "file", pr.File, "line", pr.Line,
				"column", pr.Col, "code", pr.Code, "problem", pr.Message)
		}
		if more := g.MoreText(); more != "" {
			last := g.Items[len(g.Items)-1]
			p.logger().Log(context.Background(), problemLevel(last), "capsule problem", "code", last.Code, "problem", more)
		}
	}
}

// maxLoggedPerKind is how many new problems of one kind one load logs
// one by one; check lists them all.
const maxLoggedPerKind = 20

func problemLevel(d diag.Diagnostic) slog.Level {
	if d.Severity == diag.Error {
		return slog.LevelError
	}
	return slog.LevelWarn
}

// schedule arranges a rebuild when the next scheduled article is due.
func (p *Publisher) schedule(next time.Time) {
	if next.IsZero() || p.due == nil {
		return
	}
	d := next.Sub(p.now())
	time.AfterFunc(max(d, 0)+time.Millisecond, func() {
		select {
		case p.due <- struct{}{}:
		default:
		}
	})
}

// Run watches the capsule and rebuilds on every change and when scheduled
// articles fall due, until ctx is done.
func (p *Publisher) Run(ctx context.Context) error {
	changes := make(chan struct{}, 1)
	p.mu.Lock()
	p.due = make(chan struct{}, 1)
	next := time.Time{}
	if s := p.Live.Load(); s != nil {
		next = s.NextChange
	}
	p.mu.Unlock()
	p.schedule(next)

	w := p.Watcher
	w.Dir = p.Dir
	w.Logger = p.logger()
	w.OnChange = func() {
		select {
		case changes <- struct{}{}:
		default:
		}
	}
	w.Ready = w.OnChange // catch what changed before the watch began
	werr := make(chan error, 1)
	go func() { werr <- w.Run(ctx) }()
	var retry retrier
	for {
		force := false
		select {
		case <-ctx.Done():
			retry.stop()
			return <-werr
		case err := <-werr:
			retry.stop()
			return err
		case <-changes:
		case <-p.due:
			force = true
		case <-retry.c:
			force = retry.force
		}
		retry.done(p.logger(), p.reload(force), force)
	}
}

// retrier schedules another attempt, with exponential backoff, after a
// reload fails (the capsule folder unreadable, too many open files), and
// logs each kind of failure once per run of failures rather than at
// every attempt.
type retrier struct {
	c        <-chan time.Time // fires when the next attempt is due; nil when none is
	timer    *time.Timer
	force    bool // the failed reload was forced (a scheduled article fell due)
	attempts int
	wait     time.Duration
	logged   map[string]bool
}

const (
	firstRetry = 250 * time.Millisecond
	maxRetry   = 30 * time.Second
)

// done records the result of a reload.
func (r *retrier) done(log *slog.Logger, err error, force bool) {
	if err == nil {
		if r.attempts > 0 {
			log.Info("capsule reloaded after failing", "attempts", r.attempts+1)
		}
		r.stop()
		*r = retrier{}
		return
	}
	r.attempts++
	r.force = r.force || force
	r.wait = min(max(2*r.wait, firstRetry), maxRetry)
	kind := failureKind(err)
	if r.logged == nil {
		r.logged = map[string]bool{}
	}
	if !r.logged[kind] {
		r.logged[kind] = true
		log.Error("reloading capsule", "err", err, "retry_in", r.wait)
	} else {
		log.Debug("reloading capsule failed again", "err", err, "attempts", r.attempts, "retry_in", r.wait)
	}
	r.stop()
	r.timer = time.NewTimer(r.wait)
	r.c = r.timer.C
}

func (r *retrier) stop() {
	if r.timer != nil {
		r.timer.Stop()
	}
	r.c = nil
}

// failureKind names the cause of a failed reload: the system error if
// there is one (too many open files), whatever file it happened on.
func failureKind(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// Close releases the capsule folder.
func (p *Publisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.root != nil {
		return p.root.Close()
	}
	return nil
}
