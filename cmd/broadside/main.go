// Command broadside publishes a folder of Markdown articles over Gemini and
// Gopher. See README.md for the commands and config.toml for the settings.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed, or found errors (check)
	exitUsage = 2 // the command line is wrong
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks errors in the command line; the message was printed.
var errUsage = errors.New("usage")

const usage = `Broadside publishes a folder of Markdown over Gemini and Gopher.

Usage:
  broadside [serve] [-config FILE]           serve until interrupted (default)
  broadside render [-format gemini|gopher] FILE.md
                                             print one converted document
  broadside check [-config FILE]             report every problem in config and capsule
  broadside new [-config FILE] [-dir posts] "Title"
                                             create a dated article; print its path
  broadside build [-config FILE] DIR         write the site as static files to DIR
  broadside version                          print version information

Run "broadside COMMAND -h" for a command's flags.
`

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args, stderr)
	case "render":
		err = render(args, stdout, stderr)
	case "check":
		err = check(args, stdout, stderr)
	case "new":
		err = newArticle(args, stdout, stderr)
	case "build":
		err = build(args, stdout, stderr)
	case "version":
		err = version(args, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "broadside: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.Is(err, errFound):
		return exitError
	}
	fmt.Fprintf(stderr, "broadside %s: %v\n", cmd, err)
	return exitError
}

// flags makes a flag set for a command that reports errors to stderr and
// returns them instead of exiting.
func flags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: broadside %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses a command's flags, mapping failures to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
