//go:build !unix

package gemini

// lockFile does not lock where flock is missing: instances sharing a key
// file there may each add a key at a rotation, and the last rename wins.
func lockFile(string) (unlock func(), err error) { return func() {}, nil }
