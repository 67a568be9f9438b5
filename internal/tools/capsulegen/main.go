// Command capsulegen writes a generated capsule for load tests:
//
//	go run ./internal/tools/capsulegen -n 10000 -size 8000 /tmp/big/capsule
//	go run ./internal/tools/capsulegen -n 100000 -min 5000 -max 15000 -tags 300 /tmp/huge/capsule
//
// With -size alone it writes the capsule of the unit benchmarks
// (capsulegen.Write: one folder, 30 tags, one size); with -min, -max or
// -tags the load-test capsule of capsulegen.WriteCapsule (a folder per
// year, sizes spread over the range, Zipf-distributed tags).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"broadside/internal/capsulegen"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("capsulegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "number of articles")
	size := fs.Int("size", 8000, "approximate article size in bytes (one size for all)")
	minSize := fs.Int("min", 0, "smallest article in bytes (load-test capsule; default 5000)")
	maxSize := fs.Int("max", 0, "largest article in bytes (load-test capsule; default 15000)")
	tags := fs.Int("tags", 0, "distinct tags (load-test capsule; default 300)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: capsulegen [-n N] [-size BYTES | -min BYTES -max BYTES -tags N] DIR")
		return 2
	}
	var err error
	if *minSize > 0 || *maxSize > 0 || *tags > 0 {
		err = capsulegen.WriteCapsule(fs.Arg(0), capsulegen.Options{N: *n, MinSize: *minSize, MaxSize: *maxSize, Tags: *tags})
	} else {
		err = capsulegen.Write(fs.Arg(0), *n, *size)
	}
	if err != nil {
		fmt.Fprintln(stderr, "capsulegen:", err)
		return 1
	}
	return 0
}
