//go:build !unix

package capsule

// openNonblock is zero where named pipes cannot block an open.
const openNonblock = 0
