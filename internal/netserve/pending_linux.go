package netserve

import "syscall"

// pendingInput reports whether the socket has received bytes that were not
// read yet, without waiting: a peek of one byte. It answers true when it
// cannot tell.
func pendingInput(sc syscall.Conn) bool {
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	pending := true
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// n == 0 without an error is the client's FIN: nothing to read.
		pending = n > 0 || (err != nil && err != syscall.EAGAIN)
		return true // never wait for input
	})
	return err != nil || pending
}
