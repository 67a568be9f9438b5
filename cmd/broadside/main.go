// Command broadside publishes a folder of Markdown articles over Gemini and
// Gopher. See README.md for the commands and config.toml for the settings.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"broadside/internal/diag"
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

// command is one subcommand: its name, one line saying what it does, and
// the function that parses its flags and runs it.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands lists every command, in the order help shows them.
func commands() []command {
	return []command{
		{"serve", "serve the capsule over Gemini and Gopher until stopped (the default)", func(args []string, _, stderr io.Writer) error { return serve(args, stderr, serveMode{}) }},
		{"preview", "serve on this machine only, with drafts and scheduled articles shown and marked", preview},
		{"check", "report every problem in the config, certificates and capsule, with file and line", checkCmd},
		{"new", "create a dated draft article in the capsule and print its path", newArticle},
		{"render", "print one Markdown or gemtext file as gemtext or as Gopher text", render},
		{"build", "write the whole public site as static files for other Gemini and Gopher servers", build},
		{"version", "print the version, the commit it was built from and the Go version", versionCmd},
		{"help", "list the commands, or show one command's flags", nil},
	}
}

// usage writes the list of commands.
func usage(w io.Writer) {
	fmt.Fprint(w, "Broadside publishes a folder of Markdown over Gemini and Gopher.\n\n")
	fmt.Fprint(w, "Usage: broadside [COMMAND] [flags] [arguments]\n\nCommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nRun \"broadside help COMMAND\" or \"broadside COMMAND -h\" for a command's flags.\n")
}

func run(args []string, stdout, stderr io.Writer) int {
	name := "serve"
	if len(args) > 0 {
		switch {
		case args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
			usage(stdout)
			return exitOK
		case !strings.HasPrefix(args[0], "-"):
			name, args = args[0], args[1:]
		}
	}
	if name == "help" {
		return help(args, stdout, stderr)
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "broadside: unknown command %q%s\n\n", name, suggestCommand(name))
		usage(stderr)
		return exitUsage
	}
	return exitCode(name, cmd.run(args, stdout, stderr), stderr)
}

// help shows the list of commands, or one command's flags on stdout.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (len(args) == 1 && args[0] == "help") {
		usage(stdout)
		return exitOK
	}
	cmd, ok := lookup(args[0])
	if !ok || cmd.run == nil || len(args) > 1 {
		fmt.Fprintf(stderr, "broadside help: no command %q%s\n\n", strings.Join(args, " "), suggestCommand(args[0]))
		usage(stderr)
		return exitUsage
	}
	return exitCode(cmd.name, cmd.run([]string{"-h"}, stdout, stdout), stderr)
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// suggestCommand names the command nearest to a mistyped one.
func suggestCommand(name string) string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if s := diag.Suggest(name, names); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

// exitCode maps a command's error to the exit code, printing it unless
// the command already said everything.
func exitCode(name string, err error, stderr io.Writer) int {
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
	fmt.Fprintf(stderr, "broadside %s: %v\n", name, err)
	return exitError
}

// flags makes a flag set for a command that reports errors to stderr and
// returns them instead of exiting. synopsis follows "broadside" in the
// usage line, which the command's summary follows.
func flags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		cmd, _ := lookup(name)
		fmt.Fprintf(stderr, "Usage: broadside %s\n\n%s.\n", synopsis, capitalise(cmd.summary))
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(stderr, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// capitalise makes the first letter of a summary upper case.
func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
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

// noArgs refuses arguments after the flags of a command that takes none.
func noArgs(fs *flag.FlagSet, stderr io.Writer) error {
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "broadside %s: unexpected argument %q (flags go before arguments)\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}
