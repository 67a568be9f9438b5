package publish

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/frontend"
	"broadside/internal/gemini"
	"broadside/internal/site"
)

// get requests path from live through the real Gemini server over
// net.Pipe and returns the status line and body.
func get(t testing.TB, live *site.Live, path string) (string, string) {
	t.Helper()
	srv := &gemini.Server{Hostnames: []string{"localhost"}, Port: 1965, Handler: &frontend.Gemini{Live: live}}
	c, s := net.Pipe()
	go srv.ServeConn(context.Background(), s)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	go io.WriteString(c, "gemini://localhost"+path+"\r\n")
	b, err := io.ReadAll(c)
	c.Close()
	if err != nil {
		t.Errorf("%s: %v", path, err)
	}
	header, body, _ := strings.Cut(string(b), "\r\n")
	return header, body
}

// eventually polls until cond holds, failing after a generous bound; it
// returns how long it took, for the log.
func eventually(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("%s: not seen within 5s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	d := time.Since(start)
	t.Logf("%s: seen after %v", what, d.Round(time.Millisecond))
	return d
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func start(t *testing.T, dir string, poll bool) *site.Live {
	t.Helper()
	live := &site.Live{}
	p := &Publisher{
		Dir:     dir,
		Site:    site.Options{Title: "Live", Hostname: "localhost"},
		Live:    live,
		Logger:  slog.New(slog.DiscardHandler),
		Watcher: capsule.Watcher{Settle: 20 * time.Millisecond, PollInterval: 50 * time.Millisecond, ForcePoll: poll},
	}
	if err := p.Reload(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; p.Close() })
	return live
}

func TestLiveReload(t *testing.T) {
	for _, poll := range []bool{false, true} {
		name := "inotify"
		if poll {
			name = "poll"
		}
		t.Run(name, func(t *testing.T) { testLiveReload(t, poll) })
	}
}

func testLiveReload(t *testing.T, poll bool) {
	dir := t.TempDir()
	write(t, dir, "posts/2024-01-01-old.md", "---\ntitle: Old one\n---\n\nOld.\n")
	live := start(t, dir, poll)

	// A reader requests the index throughout: every answer must be whole.
	var stop atomic.Bool
	var wg sync.WaitGroup
	var requests atomic.Int64
	wg.Go(func() {
		for !stop.Load() {
			h, body := get(t, live, "/")
			if h != "20 text/gemini; charset=utf-8; lang=en" || !strings.HasSuffix(body, "=> /atom.xml Atom feed\n") {
				t.Errorf("torn or failed index during reload: %q %q", h, body)
				return
			}
			requests.Add(1)
		}
	})
	defer func() {
		stop.Store(true)
		wg.Wait()
		t.Logf("%d index requests during the test, all whole", requests.Load())
	}()

	has := func(path, text string) func() bool {
		return func() bool {
			h, body := get(t, live, path)
			return strings.HasPrefix(h, "20") && strings.Contains(body, text)
		}
	}
	missing := func(path string) func() bool {
		return func() bool { h, _ := get(t, live, path); return strings.HasPrefix(h, "51") }
	}

	write(t, dir, "posts/2024-02-01-new.md", "---\ntitle: Brand new\n---\n\nFresh text.\n")
	eventually(t, "created article", has("/posts/2024-02-01-new.gmi", "Fresh text."))
	eventually(t, "created article on the index", has("/", "2024-02-01 Brand new"))

	write(t, dir, "posts/2024-02-01-new.md", "---\ntitle: Edited title\n---\n\nEdited text.\n")
	eventually(t, "edited article", has("/posts/2024-02-01-new.gmi", "Edited text."))
	eventually(t, "edited title on the index", has("/", "2024-02-01 Edited title"))

	if err := os.Rename(filepath.Join(dir, "posts/2024-02-01-new.md"), filepath.Join(dir, "posts/2024-02-01-renamed.md")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "renamed article at its new path", has("/posts/2024-02-01-renamed.gmi", "Edited text."))
	eventually(t, "renamed article gone from its old path", missing("/posts/2024-02-01-new.gmi"))

	write(t, dir, "essays/deep/2024-03-01-nested.md", "---\ntitle: In a new folder\n---\n\nNested.\n")
	eventually(t, "article in a new folder", has("/essays/deep/2024-03-01-nested.gmi", "Nested."))

	// Editors' temporary files never show, even as static files.
	write(t, dir, "posts/.2024-02-01-renamed.md.swp", "swap")
	write(t, dir, "posts/2024-02-01-renamed.md~", "backup")
	write(t, dir, "posts/.#lock.md", "lock")
	write(t, dir, "posts/2024-04-01-marker.md", "---\ntitle: Marker\n---\n\nAfter the temp files.\n")
	eventually(t, "marker after temp files", has("/posts/2024-04-01-marker.gmi", "After the temp files."))
	for _, p := range []string{"/posts/.2024-02-01-renamed.md.swp", "/posts/2024-02-01-renamed.md~", "/posts/.%23lock.md"} {
		if h, _ := get(t, live, p); !strings.HasPrefix(h, "51") {
			t.Errorf("%s: %s, want 51", p, h)
		}
	}
	if _, body := get(t, live, "/"); strings.Contains(body, "swp") || strings.Contains(body, "lock") {
		t.Errorf("temporary file on the index:\n%s", body)
	}

	// A broken new file is published nowhere and keeps the rest serving;
	// a broken edit keeps the last good version; the fix is published.
	write(t, dir, "posts/2024-05-01-broken.md", "---\ntitle: [oops\n---\n\nBroken front matter.\n")
	write(t, dir, "posts/2024-05-02-marker.md", "---\ntitle: Marker 2\n---\n\nAfter the broken file.\n")
	eventually(t, "marker after the broken file", has("/posts/2024-05-02-marker.gmi", "After the broken file."))
	if h, _ := get(t, live, "/posts/2024-05-01-broken.gmi"); !strings.HasPrefix(h, "51") {
		t.Errorf("broken new article: %s, want 51", h)
	}
	if h, _ := get(t, live, "/posts/2024-01-01-old.gmi"); !strings.HasPrefix(h, "20") {
		t.Errorf("old article after a broken one: %s", h)
	}
	write(t, dir, "posts/2024-01-01-old.md", "---\ntitle: \"Old one\n---\n\nDamaged.\n")
	write(t, dir, "posts/2024-05-03-marker.md", "---\ntitle: Marker 3\n---\n\nAfter the broken edit.\n")
	eventually(t, "marker after the broken edit", has("/posts/2024-05-03-marker.gmi", "After the broken edit."))
	if _, body := get(t, live, "/posts/2024-01-01-old.gmi"); !strings.Contains(body, "Old.") || strings.Contains(body, "Damaged") {
		t.Errorf("a broken edit replaced the live version:\n%s", body)
	}
	write(t, dir, "posts/2024-01-01-old.md", "---\ntitle: Old one\n---\n\nRepaired.\n")
	eventually(t, "fixed article", has("/posts/2024-01-01-old.gmi", "Repaired."))

	if err := os.Remove(filepath.Join(dir, "posts/2024-02-01-renamed.md")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "deleted article gone", missing("/posts/2024-02-01-renamed.gmi"))
	eventually(t, "deleted article off the index", func() bool {
		_, body := get(t, live, "/")
		return !strings.Contains(body, "Edited title")
	})
}

// TestScheduledArticleAppears checks that an article dated a moment ahead
// is hidden, then published when its time comes, with no file change.
func TestScheduledArticleAppears(t *testing.T) {
	dir := t.TempDir()
	due := time.Now().Add(1500 * time.Millisecond).UTC()
	write(t, dir, "posts/soon.md", "---\ntitle: Soon\ndate: "+due.Format(time.RFC3339Nano)+"\n---\n\nRight on time.\n")
	live := start(t, dir, false)
	if h, _ := get(t, live, "/posts/soon.gmi"); !strings.HasPrefix(h, "51") {
		t.Fatalf("scheduled article served early: %s", h)
	}
	eventually(t, "scheduled article", func() bool {
		h, body := get(t, live, "/posts/soon.gmi")
		return strings.HasPrefix(h, "20") && strings.Contains(body, "Right on time.")
	})
	if time.Now().Before(due) {
		t.Error("scheduled article appeared before its date")
	}
}

// TestUnchangedReloadKeepsSite: a watcher event that changed nothing keeps
// the current site (and its caches); a forced reload builds anew.
func TestUnchangedReloadKeepsSite(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "posts/2024-01-01-a.md", "A.\n")
	live := &site.Live{}
	loaded := 0
	p := &Publisher{Dir: dir, Live: live, Loaded: func(*site.Site) { loaded++ }}
	defer p.Close()
	if err := p.Reload(); err != nil {
		t.Fatal(err)
	}
	first := live.Load()
	if err := p.reload(request{all: true}); err != nil {
		t.Fatal(err)
	}
	if live.Load() != first || loaded != 1 {
		t.Errorf("an unchanged capsule built a new site (loaded %d times)", loaded)
	}
	write(t, dir, "posts/2024-01-02-b.md", "B.\n")
	if err := p.reload(request{all: true}); err != nil {
		t.Fatal(err)
	}
	if live.Load() == first || loaded != 2 {
		t.Error("a new file did not build a new site")
	}
	if err := p.Reload(); err != nil || loaded != 3 {
		t.Errorf("a forced reload did not build: %v, loaded %d", err, loaded)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProblemsLoggedOncePerChange: a problem is logged when it appears and
// again when its file changes, never on reloads that leave the file alone.
func TestProblemsLoggedOncePerChange(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "posts/2024-01-01-a.md", "---\ntitle: A\n---\nA.\n")
	write(t, dir, "posts/b.md", "---\ntitle: \"B\ndate: 2024-01-02\n---\nB.\n")
	var log syncBuffer
	p := &Publisher{Dir: dir, Live: &site.Live{}, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	defer p.Close()
	count := func() int { return strings.Count(log.String(), `msg="capsule problem"`) }
	if err := p.Reload(); err != nil {
		t.Fatal(err)
	}
	// The syntax error and the note that the file is not published.
	want := `level=ERROR msg="capsule problem" file=posts/b.md line=2 column=8 code=frontmatter/syntax problem="title: unclosed quote opened on line 2; end the value with \""`
	if !strings.Contains(log.String(), want) || count() != 2 {
		t.Fatalf("log after the first load:\n%s\nwant 2 problems, with\n%s", log.String(), want)
	}
	for range 3 {
		if err := p.Reload(); err != nil {
			t.Fatal(err)
		}
		write(t, dir, "posts/2024-01-01-a.md", "---\ntitle: A\n---\nA, edited.\n")
	}
	if count() != 2 {
		t.Errorf("reloads that left the broken file alone logged again:\n%s", log.String())
	}
	// Still broken, but changed: the author hears about it again.
	write(t, dir, "posts/b.md", "---\ntitle: \"B\ndate: 2024-01-02\n---\nB, edited.\n")
	future := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "posts/b.md"), future, future)
	if err := p.Reload(); err != nil {
		t.Fatal(err)
	}
	if count() != 4 {
		t.Errorf("a changed broken file was not logged again:\n%s", log.String())
	}
}

// TestProblemsAggregated: many new problems of one kind log a few lines
// and a count, not a line each.
func TestProblemsAggregated(t *testing.T) {
	dir := t.TempDir()
	for i := range 30 {
		write(t, dir, fmt.Sprintf("posts/2024-01-01-t%02d.md", i), "---\ntitel: typo\n---\n# T\n")
	}
	var log syncBuffer
	p := &Publisher{Dir: dir, Live: &site.Live{}, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	defer p.Close()
	if err := p.Reload(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "code=frontmatter/unknown-key problem=\"titel:"); n != maxLoggedPerKind {
		t.Errorf("%d unknown-key lines, want %d:\n%s", n, maxLoggedPerKind, log.String())
	}
	if !strings.Contains(log.String(), `problem="and 10 more like this"`) {
		t.Errorf("no summary line:\n%s", log.String())
	}
}
