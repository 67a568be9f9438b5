package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Set at link time: go build -ldflags "-X main.versionString=v1.2.3".
var versionString = "devel"

func version(args []string, stdout, stderr io.Writer) error {
	fs := flags("version", "version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	commit, modified := "unknown", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	fmt.Fprintf(stdout, "broadside %s\ncommit %s%s\n%s %s/%s\n", versionString, commit, modified, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
