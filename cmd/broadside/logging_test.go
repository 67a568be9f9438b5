package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"broadside/internal/config"
)

// TestLogOutputLive: level and format change for loggers made before the
// change, With attributes included.
func TestLogOutputLive(t *testing.T) {
	var buf bytes.Buffer
	o := newLogOutput(&buf, config.Log{Level: "info", Format: "text"})
	log := slog.New(o).With("component", "test")
	log.Debug("hidden")
	log.Info("first", "n", 1)
	o.apply(config.Log{Level: "debug", Format: "json"})
	log.Debug("second", "n", 2)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	if !strings.Contains(lines[0], "msg=first") || !strings.Contains(lines[0], "component=test") {
		t.Errorf("text line %q", lines[0])
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil {
		t.Fatalf("second line is not JSON after the switch: %q", lines[1])
	}
	if rec["msg"] != "second" || rec["component"] != "test" || rec["level"] != "DEBUG" {
		t.Errorf("json record %v", rec)
	}
}
