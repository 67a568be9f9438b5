package netserve

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// TestPending checks the peek that lets a server close at once after a
// clean exchange: false when the client sent nothing more, true when it
// did, and never blocking.
func TestPending(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the non-blocking peek is written for Linux; elsewhere Pending is always true")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	c := &Conn{raw: raw, rd: raw}
	start := time.Now()
	if c.Pending() {
		t.Error("Pending with nothing sent")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Pending waited %v", d)
	}
	if _, err := client.Write([]byte("more")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the bytes to arrive", c.Pending)
	buf := make([]byte, 4)
	if _, err := c.Read(buf); err != nil || string(buf) != "more" {
		t.Fatalf("read %q, %v: the peek must leave the bytes in place", buf, err)
	}
	if c.Pending() {
		t.Error("Pending after everything was read")
	}
	// A client that half-closed has nothing pending either.
	client.(*net.TCPConn).CloseWrite()
	time.Sleep(50 * time.Millisecond)
	if c.Pending() {
		t.Error("Pending after the client's FIN")
	}
	// A PROXY protocol reader may hold bytes: unsure, so true.
	if !(&Conn{raw: raw, rd: struct{ net.Conn }{raw}}).Pending() {
		t.Error("Pending false for a connection read through another reader")
	}
}
