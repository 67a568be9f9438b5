package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRetrier checks the schedule of attempts after failed reloads and
// that each kind of failure is logged once per run of failures.
func TestRetrier(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	emfile := func(file string) error {
		return fmt.Errorf("reading capsule: %w", &fs.PathError{Op: "open", Path: file, Err: syscall.EMFILE})
	}
	var r retrier
	var waits []time.Duration
	for i, err := range []error{emfile("a"), emfile("posts"), errors.New("disk on fire"), emfile("b"), emfile("c"), emfile("d"), emfile("e"), emfile("f"), emfile("g"), emfile("h")} {
		r.done(log, err, i == 1)
		if r.c == nil {
			t.Fatalf("attempt %d: no retry scheduled", i+1)
		}
		waits = append(waits, r.wait)
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	if !r.force {
		t.Error("a forced reload that failed must be retried forced")
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 2 {
		t.Errorf("%d error lines for two kinds of failure, want 2:\n%s", n, logs.String())
	}
	r.done(log, nil, false)
	if r.c != nil || r.attempts != 0 || r.force || r.wait != 0 {
		t.Errorf("after a success: %+v, want no retry pending", r)
	}
	if !strings.Contains(logs.String(), "capsule reloaded after failing\" attempts=11") {
		t.Errorf("recovery not logged with the attempts:\n%s", logs.String())
	}
	r.done(log, emfile("x"), false)
	if n := strings.Count(logs.String(), "level=ERROR"); n != 3 {
		t.Errorf("a new run of failures is logged again: %d error lines, want 3", n)
	}
	r.stop()
}
