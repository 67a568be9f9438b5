//go:build !unix

package search

import (
	"io"
	"os"
	"path/filepath"
)

// lockDir creates dir's lock file without locking it: on systems without
// flock, running two processes on one state folder is the operator's to
// avoid.
func lockDir(dir string) (io.Closer, error) {
	return os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
}
