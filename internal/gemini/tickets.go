package gemini

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Session ticket key schedule; see TicketKeys.
const (
	// TicketRotation is how often a new ticket key is made.
	TicketRotation = 24 * time.Hour
	// ticketRefresh is how often every instance re-reads the key file.
	ticketRefresh = 10 * time.Minute
	// ticketActivation is how long a new key waits in the file before it
	// encrypts tickets: long enough for every instance to have read it, so
	// that any of them can decrypt what another issues.
	ticketActivation = 3 * ticketRefresh
	// ticketRetention is how long a key is still accepted after it
	// stopped encrypting.
	ticketRetention = 48 * time.Hour
	// maxTicketKeys bounds the keys kept, whatever the file says.
	maxTicketKeys = 8
)

// ticketKey is one line of the key file.
type ticketKey struct {
	created time.Time
	key     [32]byte
}

// TicketKeys keeps a TLS server's session ticket keys in a file that
// several instances behind one load balancer share, so that a reader who
// comes back resumes its TLS session on whichever instance it reaches
// (resumption skips the certificate signature, the costliest part of a
// handshake).
//
// The file holds one key per line, "CREATED HEX", CREATED in RFC 3339. It
// is created (0600) with one key if missing. Whoever reads it when its
// newest key is older than TicketRotation adds a new one, under an
// exclusive lock on FILE.lock and with an atomic rename, so instances
// sharing the file agree on one new key. Every instance re-reads the file
// every ten minutes (and on Refresh, at SIGHUP). A new key only starts
// encrypting tickets half an hour after it was made, once every instance
// has read it; until then the previous one does, and a key is still
// accepted for two days after it stops encrypting. All of this depends
// only on the file and the clock, so instances with synchronised clocks
// choose the same key without talking to each other.
//
// A file the process cannot write (one that configuration management
// distributes) is used as it is, without rotation.
//
// Its methods are safe for concurrent use.
type TicketKeys struct {
	path   string
	logger *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	configs []*tls.Config
	active  [32]byte // the key encrypting tickets, to log changes once
	warned  bool     // stale read-only file reported
}

// LoadTicketKeys reads (or creates, and its folder 0700) the key file at
// path, rotating keys if due. A nil logger logs nothing.
func LoadTicketKeys(path string, logger *slog.Logger) (*TicketKeys, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("session ticket keys: %w", err)
	}
	return newTicketKeys(path, logger, time.Now)
}

func newTicketKeys(path string, logger *slog.Logger, now func() time.Time) (*TicketKeys, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	k := &TicketKeys{path: path, logger: logger, now: now}
	if _, err := k.load(); err != nil {
		return nil, err
	}
	return k, nil
}

// Apply makes cfg use the keys, now and after every refresh.
func (k *TicketKeys) Apply(cfg *tls.Config) error {
	keys, err := k.load()
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.configs = append(k.configs, cfg)
	cfg.SetSessionTicketKeys(keys)
	return nil
}

// Refresh re-reads the file, rotates keys if due and applies them. On
// error the keys in use stay.
func (k *TicketKeys) Refresh() error {
	keys, err := k.load()
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, cfg := range k.configs {
		cfg.SetSessionTicketKeys(keys)
	}
	return nil
}

// Run refreshes the keys every ten minutes until ctx ends, logging
// failures.
func (k *TicketKeys) Run(ctx context.Context) {
	t := time.NewTicker(ticketRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := k.Refresh(); err != nil {
				k.logger.Error("session ticket keys: keeping the keys in use", "err", err)
			}
		}
	}
}

// load reads the file, rotating under the lock when due, and returns the
// keys in the order tls.Config.SetSessionTicketKeys wants: the active key
// first.
func (k *TicketKeys) load() ([][32]byte, error) {
	now := k.now()
	keys, err := k.rotate(now)
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, errReadOnly) {
		keys, err = readTicketKeys(k.path)
		if err == nil && len(keys) > 0 && now.Sub(keys[0].created) > TicketRotation+ticketActivation {
			k.mu.Lock()
			if !k.warned {
				k.warned = true
				k.logger.Warn("session ticket key file is read-only and its newest key is old: rotate it where it is made",
					"file", k.path, "newest", keys[0].created)
			}
			k.mu.Unlock()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("session ticket keys %s: %w", k.path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("session ticket keys %s: no keys", k.path)
	}
	ordered := activeFirst(keys, now)
	k.mu.Lock()
	if ordered[0] != k.active {
		k.active = ordered[0]
		k.logger.Info("session ticket key in use", "file", k.path, "keys", len(keys))
	}
	k.mu.Unlock()
	return ordered, nil
}

// errReadOnly means the file exists but cannot be written.
var errReadOnly = errors.New("read-only")

// rotate holds the lock while it reads the file and, if the newest key is
// older than TicketRotation (or there is none), writes it back with a new
// key and without keys past retention. It returns the keys newest first.
func (k *TicketKeys) rotate(now time.Time) ([]ticketKey, error) {
	unlock, err := lockFile(k.path + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	keys, err := readTicketKeys(k.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if len(keys) > 0 && now.Sub(keys[0].created) < TicketRotation {
		return keys, nil
	}
	if len(keys) > 0 && !writable(k.path) {
		return nil, errReadOnly
	}
	var nk ticketKey
	nk.created = now.UTC().Truncate(time.Second)
	if _, err := rand.Read(nk.key[:]); err != nil {
		return nil, err
	}
	keep := []ticketKey{nk}
	for _, old := range keys {
		if now.Sub(old.created) < TicketRotation+ticketActivation+ticketRetention && len(keep) < maxTicketKeys {
			keep = append(keep, old)
		}
	}
	if err := writeFileAtomic(k.path, formatTicketKeys(keep), 0o600); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		k.logger.Info("created session ticket key file", "file", k.path)
	} else {
		k.logger.Info("added a session ticket key", "file", k.path, "active_from", nk.created.Add(ticketActivation))
	}
	return keep, nil
}

// activeFirst orders keys (newest first) for SetSessionTicketKeys: the
// newest key old enough to be known everywhere, then the others. When none
// is that old (a new file), the oldest one is used.
func activeFirst(keys []ticketKey, now time.Time) [][32]byte {
	active := len(keys) - 1
	for i, k := range keys {
		if now.Sub(k.created) >= ticketActivation {
			active = i
			break
		}
	}
	out := [][32]byte{keys[active].key}
	for i, k := range keys {
		if i != active {
			out = append(out, k.key)
		}
	}
	return out
}

// readTicketKeys parses the key file: blank lines and "#" comments are
// skipped; each other line is "RFC3339 HEX" with 32 bytes of key. Keys are
// returned newest first, at most maxTicketKeys.
func readTicketKeys(path string) ([]ticketKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []ticketKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		created, hexKey, ok := strings.Cut(line, " ")
		t, terr := time.Parse(time.RFC3339, created)
		b, herr := hex.DecodeString(strings.TrimSpace(hexKey))
		if !ok || terr != nil || herr != nil || len(b) != 32 {
			return nil, fmt.Errorf("%s:%d: want \"CREATED HEX\": an RFC 3339 time and 64 hex digits", path, n)
		}
		var k ticketKey
		k.created = t
		copy(k.key[:], b)
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	slices.SortStableFunc(keys, func(a, b ticketKey) int { return b.created.Compare(a.created) })
	if len(keys) > maxTicketKeys {
		keys = keys[:maxTicketKeys]
	}
	return keys, nil
}

func formatTicketKeys(keys []ticketKey) []byte {
	var b bytes.Buffer
	b.WriteString("# Broadside TLS session ticket keys, newest first. Share this file (and the\n")
	b.WriteString("# certificate) between instances behind one load balancer; keep it 0600.\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %s\n", k.created.UTC().Format(time.RFC3339), hex.EncodeToString(k.key[:]))
	}
	return b.Bytes()
}

// writable reports whether the file (or, if missing, its folder) can be
// written by this process.
func writable(path string) bool {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}
