// Package publish keeps a live site in step with its capsule folder: it
// loads the capsule, builds the site, watches the folder for changes and
// rebuilds when a scheduled article falls due, swapping each new site in
// atomically while requests go on.
//
// A change reloads only the paths the watcher names (one reload per burst
// of changes, however many files it touched); in the background, the
// newest articles' pages are built ahead of readers after a load, the
// pages of changed documents after an edit, and the capsule's metadata is
// kept in the state folder so that a restart reads only what changed.
package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/diag"
	"broadside/internal/site"
)

// DefaultWarmShare is the share of the page cache the warm-up after a
// load fills with the newest articles' pages.
const DefaultWarmShare = 0.25

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
	// Watcher settings; Dir and OnChanges are filled in by Run.
	Watcher capsule.Watcher
	// Loaded, if set, is called after each new site is swapped in (main
	// uses it to size the memory limit to the new capsule).
	Loaded func(*site.Site)
	// State is the folder of the capsule's metadata index (see
	// capsule.SaveIndex), created 0700: the first Reload reads it, so
	// that a restart parses only the files that changed while the server
	// was down, and loads write it, at most once every SaveEvery. ""
	// keeps no index.
	State string
	// SaveEvery is the shortest time between two writes of the index
	// after the first (default 1 minute); Close writes the last one.
	SaveEvery time.Duration
	// WarmShare is the share of the page cache that the warm-up after a
	// load fills with the newest articles' pages: 0 means
	// DefaultWarmShare, a negative value none.
	WarmShare float64

	mu       sync.Mutex
	root     *os.Root
	snap     *capsule.Snapshot
	cache    *site.Cache // handed from each site to the next
	rebuild  bool        // the options changed: the next site is built anew
	indexed  bool        // the snapshot is the state folder's index, as it was
	reported map[string]bool
	kept     map[*capsule.Doc]bool // last good versions already logged
	due      chan struct{}

	bgMu   sync.Mutex
	bgCtx  context.Context    // ends at Close
	bgStop context.CancelFunc // ends bgCtx
	warm   context.CancelFunc // ends the warm-up of the newest articles, if one runs
	warmWG sync.WaitGroup
	seen   map[string]bool // converter problems logged, by file version
	saver  *saver
}

// maxWarmFresh bounds the changed documents whose pages are built ahead
// of readers after a reload: past it (the first load, a checkout of
// another branch) the warm-up of the newest articles does better.
const maxWarmFresh = 200

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

// request says what a reload looks at.
type request struct {
	all   bool     // walk the whole capsule
	paths []string // else only these paths (none: the snapshot as it is)
	force bool     // build a new site even if nothing changed
}

// merge adds o to r.
func (r request) merge(o request) request {
	r.all = r.all || o.all
	r.force = r.force || o.force
	if r.all {
		r.paths = nil
	} else {
		r.paths = append(r.paths, o.paths...)
	}
	return r
}

// Reload walks the whole capsule, reads what changed and swaps in a new
// site. It fails only when the capsule folder itself cannot be read;
// problems with single files are logged (once each) and kept in the
// snapshot.
func (p *Publisher) Reload() error { return p.reload(request{all: true, force: true}) }

// Update reads the files and folders at paths (slash-separated, relative
// to the capsule: what an upload just wrote) and swaps in a new site, as
// the watcher's reports do, without walking the whole capsule.
func (p *Publisher) Update(paths ...string) error {
	return p.reload(request{paths: paths, force: true})
}

// reload loads what r says changed; unless r.force is set, a load that
// changed nothing (the watcher fires on edits that leave files as they
// were, and once when it starts) keeps the current site and its caches.
func (p *Publisher) reload(r request) error {
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
	var snap *capsule.Snapshot
	var err error
	how := "loaded"
	switch {
	case p.snap == nil:
		index := p.readIndex()
		snap, err = capsule.Load(fsys, p.Capsule, index)
		// A start that found every file as the index has it need not
		// write the index again.
		p.indexed = index != nil && err == nil && snap.Parsed == 0 && len(snap.Docs) == len(index.Docs) && snap.Reused == len(index.Sources())
	case r.all:
		snap, err = capsule.Load(fsys, p.Capsule, p.snap)
	case len(r.paths) > 0:
		snap, err = capsule.Update(p.snap, r.paths)
		how = "updated"
	default:
		snap, how = p.snap, "rebuilt" // a scheduled article fell due
	}
	if err != nil {
		return err
	}
	prev := p.snap
	if !r.force && prev != nil && p.Live.Load() != nil && snap.Parsed == 0 &&
		len(snap.Docs) == len(prev.Docs) && snap.Files == prev.Files && len(snap.Problems) == len(prev.Problems) {
		// Keep the snapshot the live site was built from, so that the
		// next edit updates both rather than building the site again.
		p.logger().Debug("capsule unchanged", "dir", p.Dir, "duration", time.Since(start).Round(time.Microsecond))
		return nil
	}
	p.snap = snap
	p.report(snap)
	var s *site.Site
	if live := p.Live.Load(); live != nil && !p.rebuild && live.Snapshot() == prev {
		s = site.Update(live, snap, p.now()) // builds when it must
	} else {
		opts := p.Site
		opts.Static = fsys
		if opts.Cache == nil {
			if p.cache == nil {
				p.cache = site.NewCache(site.DefaultCacheSize)
			}
			opts.Cache = p.cache
		}
		s = site.Build(snap, opts, p.now())
	}
	p.rebuild = false
	p.Live.Store(s)
	p.logger().Info("capsule "+how, "dir", p.Dir, "documents", len(snap.Docs), "articles", len(s.Articles),
		"parsed", snap.Parsed, "reused", snap.Reused, "problems", len(snap.Problems),
		"duration", time.Since(start).Round(time.Microsecond))
	p.reportStandIns(s)
	p.schedule(s.NextChange)
	if p.Loaded != nil {
		p.Loaded(s)
	}
	if snap != prev {
		p.background(s, how == "loaded")
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
	p.Capsule, p.Site, p.cache, p.rebuild = c, s, nil, true
	p.mu.Unlock()
	return p.Reload()
}

// readIndex returns the snapshot the state folder's index holds, or nil
// when there is none that can be trusted (logged).
func (p *Publisher) readIndex() *capsule.Snapshot {
	if p.State == "" {
		return nil
	}
	start := time.Now()
	s, err := capsule.OpenIndex(p.State, p.Capsule)
	switch {
	case errors.Is(err, os.ErrNotExist):
		p.logger().Info("no capsule index in the state folder yet; reading every file", "dir", p.State)
		return nil
	case errors.Is(err, capsule.ErrIndexStale):
		p.logger().Info("the capsule index was written by another version or with other settings; reading every file", "dir", p.State)
		return nil
	case err != nil:
		p.logger().Warn("the capsule index cannot be used; reading every file", "dir", p.State, "err", err)
		return nil
	}
	p.logger().Debug("capsule index read", "dir", p.State, "documents", len(s.Docs), "duration", time.Since(start).Round(time.Microsecond))
	return s
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
			key += "\x00" + version(d)
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
			p.logProblem(pr)
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

func (p *Publisher) logProblem(pr diag.Diagnostic) {
	p.logger().Log(context.Background(), problemLevel(pr), "capsule problem", "file", pr.File, "line", pr.Line,
		"column", pr.Col, "code", pr.Code, "problem", pr.Message)
}

// version names the version of a document's file.
func version(d *capsule.Doc) string {
	return strconv.FormatInt(d.Size, 10) + "\x00" + d.ModTime.String()
}

// reportStandIns logs, once each, the files whose newer version is broken
// and what their page shows meanwhile.
func (p *Publisher) reportStandIns(s *site.Site) {
	kept := map[*capsule.Doc]bool{}
	for _, si := range s.StandIns() {
		kept[si.Doc] = true
		if p.kept[si.Doc] {
			continue
		}
		if si.Kept {
			p.logger().Warn("broken file: its last good version stays published, text included, until it is fixed", "file", si.Doc.Source)
		} else {
			p.logger().Warn("broken file: its last good title, date and tags stay published, with its text as it is now in the file (the last good text is no longer in memory)",
				"file", si.Doc.Source)
		}
	}
	p.kept = kept
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
	var pmu sync.Mutex
	var pending request
	add := func(r request) {
		pmu.Lock()
		pending = pending.merge(r)
		pmu.Unlock()
		select {
		case changes <- struct{}{}:
		default:
		}
	}
	take := func() request {
		pmu.Lock()
		defer pmu.Unlock()
		r := pending
		pending = request{}
		return r
	}
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
	w.OnChange = nil
	w.OnChanges = func(c capsule.Changes) { add(request{all: c.All, paths: c.Paths}) }
	// Catch what changed before the watch began.
	w.Ready = func() { add(request{all: true}) }
	werr := make(chan error, 1)
	go func() { werr <- w.Run(ctx) }()
	var retry retrier
	for {
		select {
		case <-ctx.Done():
			retry.stop()
			return <-werr
		case err := <-werr:
			retry.stop()
			return err
		case <-changes:
		case <-p.due:
			add(request{force: true})
		case <-retry.c:
		}
		r := take()
		err := p.reload(r)
		if err != nil {
			add(r) // again, at the next attempt
			<-changes
		}
		retry.done(p.logger(), err, r.force)
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

// background starts the work that follows a new site: building the pages
// readers will ask for first (after a load, the newest articles; after an
// update, the changed documents, whose converter problems are then
// logged), and writing the metadata index.
func (p *Publisher) background(s *site.Site, loaded bool) {
	snap := s.Snapshot()
	p.bgMu.Lock()
	defer p.bgMu.Unlock()
	if p.bgCtx == nil {
		p.bgCtx, p.bgStop = context.WithCancel(context.Background())
	}
	if p.State != "" {
		if p.saver == nil {
			p.saver = &saver{dir: p.State, every: p.SaveEvery, log: p.logger()}
		}
		if !p.indexed {
			p.saver.offer(snap, loaded && p.saver.last.IsZero())
		}
		p.indexed = false
	}
	fresh := snap.Fresh()
	if len(fresh) > maxWarmFresh {
		fresh = nil
	}
	share := p.WarmShare
	if share == 0 {
		share = DefaultWarmShare
	}
	ctx := p.bgCtx
	newest := loaded && share > 0
	if newest {
		if p.warm != nil {
			p.warm() // a new load supersedes the last warm-up
		}
		ctx, p.warm = context.WithCancel(p.bgCtx)
	}
	if len(fresh) == 0 && !newest {
		return
	}
	visit := func(d *capsule.Doc, b *capsule.Body) { p.logBodyProblems(d, b) }
	limit := int(share * float64(s.Cache().Budget()))
	p.warmWG.Go(func() {
		start := time.Now()
		s.WarmDocs(ctx, fresh, visit)
		if newest {
			n := s.Warm(ctx, limit, visit)
			entries, bytes := s.Cache().Len()
			p.logger().Debug("pages built ahead of readers", "articles", n, "cache_entries", entries, "cache_mb", bytes>>20,
				"duration", time.Since(start).Round(time.Millisecond))
		}
	})
}

// logBodyProblems logs, once per version of its file, what converting a
// document found that loading it did not (the converter's warnings, links
// leading out of the capsule).
func (p *Publisher) logBodyProblems(d *capsule.Doc, b *capsule.Body) {
	var extra []diag.Diagnostic
	for _, pr := range b.Problems {
		// Front-matter problems were all found, and logged, by the
		// load; a stand-in's body is its broken successor's text,
		// whose front-matter error would otherwise be logged twice.
		if !slices.Contains(d.Problems, pr) && !strings.HasPrefix(pr.Code, "frontmatter/") {
			extra = append(extra, pr)
		}
	}
	if len(extra) == 0 {
		return
	}
	key := d.Source + "\x00" + version(d)
	p.bgMu.Lock()
	if p.seen == nil || len(p.seen) > 100000 {
		p.seen = map[string]bool{}
	}
	done := p.seen[key]
	p.seen[key] = true
	p.bgMu.Unlock()
	if done {
		return
	}
	for _, pr := range extra {
		p.logProblem(pr)
	}
}

// Close stops the background work, writes the last metadata index and
// releases the capsule folder.
func (p *Publisher) Close() error {
	p.bgMu.Lock()
	if p.bgStop != nil {
		p.bgStop()
	}
	sv := p.saver
	p.bgMu.Unlock()
	p.warmWG.Wait()
	if sv != nil {
		sv.close()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.root != nil {
		return p.root.Close()
	}
	return nil
}
