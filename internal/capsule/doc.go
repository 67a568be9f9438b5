// Package capsule loads a folder of Markdown and gemtext files into an
// immutable Snapshot: the metadata of every document (title, dates, tags,
// summary, aliases, file size and time) and every problem found on the way.
// Bodies are not kept: Snapshot.Body reads a document's file again and
// converts it when it is asked for, so that memory follows the number of
// documents, not their size; the site keeps what it builds in a byte-
// budgeted cache.
//
// A load reads each Markdown file's front matter (its first few kilobytes)
// and finds a title in the first heading without converting when the front
// matter has none; Options.Full parses everything instead, for "broadside
// check". Loading never fails as a whole: a file that cannot be read or
// decoded is recorded as a Problem (with file and line) and the rest of the
// capsule loads. A Snapshot is never modified after it is made, so any
// number of goroutines may read it. Load walks the folder again, re-using
// the documents of the previous snapshot whose files did not change;
// Update looks only at the paths a watcher saw change; WriteIndex and
// ReadIndex keep the metadata between runs, so a restart reads only what
// changed while the server was down.
package capsule
