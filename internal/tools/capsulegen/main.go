// Command capsulegen writes a generated capsule for load tests:
//
//	go run ./internal/tools/capsulegen -n 10000 -size 8000 /tmp/big/capsule
package main

import (
	"flag"
	"fmt"
	"os"

	"broadside/internal/capsulegen"
)

func main() {
	n := flag.Int("n", 1000, "number of articles")
	size := flag.Int("size", 8000, "approximate article size in bytes")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: capsulegen [-n N] [-size BYTES] DIR")
		os.Exit(2)
	}
	if err := capsulegen.Write(flag.Arg(0), *n, *size); err != nil {
		fmt.Fprintln(os.Stderr, "capsulegen:", err)
		os.Exit(1)
	}
}
