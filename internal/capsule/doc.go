// Package capsule loads a folder of Markdown and gemtext files into an
// immutable Snapshot: every document with its metadata and its body already
// converted to gemtext, plus every problem found on the way.
//
// Loading never fails as a whole: a file that cannot be read or decoded is
// recorded as a Problem (with file and line) and the rest of the capsule
// loads. A Snapshot is never modified after Load returns, so any number of
// goroutines may read it; Reload builds a new one, re-using the documents of
// the old snapshot whose files did not change.
package capsule
