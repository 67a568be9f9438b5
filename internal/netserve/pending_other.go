//go:build !linux

package netserve

import "syscall"

// pendingInput answers true (unsure) where a non-blocking peek is not
// written: the caller then reads what the client still sends, as it would
// anyway.
func pendingInput(syscall.Conn) bool { return true }
