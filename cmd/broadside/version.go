package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set for releases at link time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/broadside
//
// Otherwise the module version from the build information is shown: a
// tagged module ("go install broadside@v1.2.3") or the pseudo-version that
// go build derives from the checkout's commit.
var version string

func versionCmd(args []string, stdout, stderr io.Writer) error {
	fs := flags("version", "version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs, stderr); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(version, info))
	return nil
}

// versionText describes the build: the version (the link-time override,
// else the module version, else "devel"), the VCS revision with its time
// and whether the tree had uncommitted changes, and the Go version and
// platform.
func versionText(override string, info *debug.BuildInfo) string {
	v := override
	if v == "" && info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" {
		v = "devel"
	}
	var rev, when, modified string
	if info != nil {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = ", with uncommitted changes"
				}
			}
		}
	}
	commit := "commit unknown (built without version control information: go build in a git checkout records it)"
	if rev != "" {
		commit = "commit " + rev
		if when != "" {
			commit += " (" + when + modified + ")"
		} else if modified != "" {
			commit += " (" + strings.TrimPrefix(modified, ", ") + ")"
		}
	}
	goVersion := runtime.Version()
	if info != nil && info.GoVersion != "" {
		goVersion = info.GoVersion
	}
	return fmt.Sprintf("broadside %s\n%s\n%s %s/%s\n", v, commit, goVersion, runtime.GOOS, runtime.GOARCH)
}
