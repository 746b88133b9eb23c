// Command gexit checks the Go runtime's goroutine exit path against an
// executable specification.
//
// Usage:
//
//	gexit <command> [flags]
//
// Run "gexit help" for the list of commands and "gexit <command> -h" for the
// flags of one. Exit codes, for every command:
//
//	0  ok: every check passed
//	1  a violation was found (an invariant, a linearizability check, a
//	   conformance rule, an uncaught mutant)
//	2  bad usage or bad input (a flag, a file)
//	3  unknown: a check ran out of its time budget, and nothing failed
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
)

// Exit codes shared by every subcommand.
const (
	exitOK        = 0
	exitViolation = 1
	exitUsage     = 2
	exitUnknown   = 3
)

// A command is one gexit subcommand. Each lives in its own file and
// registers itself in init.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c, ok := commands[args[1]]
			if !ok {
				fmt.Fprintf(stderr, "gexit help: unknown command %q\n", args[1])
				usage(stderr)
				return exitUsage
			}
			return c.run([]string{"-h"}, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gexit: unknown command %q (run 'gexit help')\n", args[0])
		return exitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `gexit checks the Go runtime's goroutine exit path (goexit1 -> mcall(goexit0)
-> gdestroy -> gfput -> schedule, and G reuse through gfget) against an
executable specification.

Usage:

	gexit <command> [flags]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Run 'gexit <command> -h' for the flags of a command.

Exit codes:
	0  ok: every check passed
	1  a violation was found
	2  bad usage or bad input
	3  unknown: a check ran out of its budget and nothing failed
`)
}

// parseFlags parses args with fs. -h prints the command's usage (fs.Usage,
// which writes to stderr) and exits 0; a bad flag is one line on stderr
// and exit 2. ok is false when the command must return code at once.
func parseFlags(fs *flag.FlagSet, name string, args []string, stderr io.Writer) (code int, ok bool) {
	usage := fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	fs.Usage = usage
	switch {
	case err == flag.ErrHelp:
		if usage != nil {
			usage()
		} else {
			fs.PrintDefaults()
		}
		return exitOK, false
	case err != nil:
		fmt.Fprintf(stderr, "gexit %s: %v (run 'gexit %s -h')\n", name, err, name)
		return exitUsage, false
	}
	return 0, true
}

// cpuProfileFlag registers -cpuprofile on fs: a CPU profile of the run,
// for finding where a long exploration or campaign spends its time
// (go tool pprof).
func cpuProfileFlag(fs *flag.FlagSet) *string {
	return fs.String("cpuprofile", "", "write a CPU profile of the run to `file` (go tool pprof); bad input and -h make none")
}

// startCPUProfile starts the CPU profile -cpuprofile asked for (none for
// ""), reporting a file it cannot create as bad usage; stop writes it out.
func startCPUProfile(name, path string, stderr io.Writer) (stop func(), ok bool) {
	if path == "" {
		return func() {}, true
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "gexit %s: -cpuprofile: %v\n", name, err)
		return nil, false
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintf(stderr, "gexit %s: -cpuprofile: %v\n", name, err)
		return nil, false
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "gexit %s: -cpuprofile: %v\n", name, err)
		}
	}, true
}
