package gemini

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source for TicketKeys.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func fileKeys(t *testing.T, path string) []ticketKey {
	t.Helper()
	keys, err := readTicketKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestTicketKeysCreateAndRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tickets.key")
	clk := newClock()
	k, err := newTicketKeys(path, nil, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v, want mode 0600", fi, err)
	}
	first := fileKeys(t, path)
	if len(first) != 1 {
		t.Fatalf("new file holds %d keys, want 1", len(first))
	}
	active := func() [32]byte {
		keys, err := k.load()
		if err != nil {
			t.Fatal(err)
		}
		return keys[0]
	}
	if active() != first[0].key {
		t.Error("the only key is not used")
	}
	clk.add(TicketRotation - time.Minute)
	if active(); len(fileKeys(t, path)) != 1 {
		t.Error("a key was added before the rotation period")
	}
	clk.add(time.Minute)
	active()
	second := fileKeys(t, path)
	if len(second) != 2 || second[1] != first[0] {
		t.Fatalf("after the period: %d keys, want the new one and the old one", len(second))
	}
	// The new key waits until every instance has read it.
	if active() != first[0].key {
		t.Error("the new key encrypts before its activation delay")
	}
	clk.add(ticketActivation)
	if got := active(); got != second[0].key {
		t.Error("the new key is not used after its activation delay")
	}
	// Old keys go once past retention; the file never grows.
	for range 10 {
		clk.add(TicketRotation)
		active()
	}
	keys := fileKeys(t, path)
	if len(keys) > 4 || slices.ContainsFunc(keys, func(k ticketKey) bool { return k.key == first[0].key }) {
		t.Errorf("after ten rotations: %d keys, first key kept %v", len(keys),
			slices.ContainsFunc(keys, func(k ticketKey) bool { return k.key == first[0].key }))
	}
}

// TestTicketKeysInstancesAgree: two instances sharing the file, refreshing
// at different moments for a week, can always decrypt each other's
// tickets: the key either encrypts with is among the keys the other holds.
func TestTicketKeysInstancesAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tickets.key")
	clk := newClock()
	a, err := newTicketKeys(path, nil, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newTicketKeys(path, nil, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	var heldA, heldB [][32]byte
	load := func(k *TicketKeys) [][32]byte {
		keys, err := k.load()
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	heldA, heldB = load(a), load(b)
	rotations := 0
	last := heldA[0]
	for minute := range 7 * 24 * 60 {
		switch minute % 10 {
		case 0:
			heldA = load(a)
		case 7:
			heldB = load(b)
		}
		if !slices.Contains(heldB, heldA[0]) || !slices.Contains(heldA, heldB[0]) {
			t.Fatalf("minute %d: one instance encrypts with a key the other does not hold", minute)
		}
		if heldA[0] != last {
			rotations++
			last = heldA[0]
		}
		clk.add(time.Minute)
	}
	if rotations < 6 {
		t.Errorf("%d key changes in a week, want a daily rotation", rotations)
	}
}

// TestTicketKeysConcurrentRotation: instances that find the rotation due
// at the same moment add one key between them, not one each.
func TestTicketKeysConcurrentRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tickets.key")
	clk := newClock()
	if _, err := newTicketKeys(path, nil, clk.now); err != nil {
		t.Fatal(err)
	}
	clk.add(TicketRotation)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			k := &TicketKeys{path: path, logger: slogDiscard(), now: clk.now}
			if _, err := k.load(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(fileKeys(t, path)); n != 2 {
		t.Errorf("%d keys after a concurrent rotation, want 2", n)
	}
}

func TestTicketKeysBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tickets.key")
	k, err := LoadTicketKeys(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{}
	if err := k.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	for _, bad := range []string{
		string(good) + "2026-01-01T00:00:00Z abcd\n",
		string(good) + "yesterday " + strings.Repeat("00", 32) + "\n",
		"\x00\xff garbage",
	} {
		os.WriteFile(path, []byte(bad), 0o600)
		err := k.Refresh()
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Refresh with %.40q: %v, want an error naming the file", bad, err)
		}
	}
	if _, err := LoadTicketKeys(path, nil); err == nil {
		t.Error("LoadTicketKeys accepted a broken file")
	}
}

// TestTicketKeysReadOnly: a file the process may not write is used as it
// is, without rotation.
func TestTicketKeysReadOnly(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root writes read-only files")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "tickets.key")
	clk := newClock()
	if _, err := newTicketKeys(path, nil, clk.now); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o400)
	os.Remove(path + ".lock")
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	clk.add(3 * TicketRotation)
	k, err := newTicketKeys(path, nil, clk.now)
	if err != nil {
		t.Fatalf("read-only file refused: %v", err)
	}
	if _, err := k.load(); err != nil || len(fileKeys(t, path)) != 1 {
		t.Errorf("read-only file: %v, %d keys", err, len(fileKeys(t, path)))
	}
}

// TestSessionResumptionAcrossInstances: two servers sharing the
// certificate and the ticket key file resume each other's sessions; with a
// file each, they do not (so the first half proves something).
func TestSessionResumptionAcrossInstances(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCertificates(dir, "localhost", nil); err != nil {
		t.Fatal(err)
	}
	instance := func(ticketFile string) string {
		certs, err := LoadCertificates(dir, "localhost", nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := certs.TLSConfig()
		keys, err := LoadTicketKeys(filepath.Join(dir, ticketFile), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.Apply(cfg); err != nil {
			t.Fatal(err)
		}
		return startTLSServer(t, &Server{TLSConfig: cfg, Handler: testHandler()})
	}
	fetch := func(addr string, cache tls.ClientSessionCache) bool {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: testBound}, "tcp", addr,
			&tls.Config{InsecureSkipVerify: true, ServerName: "localhost", ClientSessionCache: cache})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testBound))
		_, port, _ := net.SplitHostPort(addr)
		fmt.Fprintf(c, "gemini://localhost:%s/\r\n", port)
		if b, _ := io.ReadAll(c); !strings.HasPrefix(string(b), "20 ") { // reading also takes the ticket
			t.Fatalf("response %q", b)
		}
		return c.ConnectionState().DidResume
	}
	shared1, shared2 := instance("tickets.key"), instance("tickets.key")
	cache := tls.NewLRUClientSessionCache(8)
	if fetch(shared1, cache) {
		t.Fatal("first connection resumed")
	}
	if !fetch(shared2, cache) {
		t.Error("a session from one instance did not resume on the other sharing the key file")
	}
	alone1, alone2 := instance("a.key"), instance("b.key")
	cache = tls.NewLRUClientSessionCache(8)
	fetch(alone1, cache)
	if fetch(alone2, cache) {
		t.Error("a session resumed on an instance with other keys: the test cannot tell")
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
