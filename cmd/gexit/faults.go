package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/gexit-dev/gexit/impl"
)

func init() {
	register(&command{name: "faults", summary: "list the faults the implementation can plant", run: runFaults})
}

const faultsHelp = `Usage: gexit faults [-json]

Lists the named faults of the implementation (planted bugs), one a line
with what it does. Switch one on with "gexit check -fault NAME"; "gexit
mutants" checks that the harness catches each.

Exit codes: 0 ok; 2 bad usage.

Flags:
`

func runFaults(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("faults", flag.ContinueOnError)
	jsonOut := fs.Bool("json", false, "print a JSON list of {\"name\", \"description\"}")
	fs.Usage = func() {
		fmt.Fprint(stderr, faultsHelp)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, "faults", args, stderr); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "gexit faults: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	infos := impl.Faults()
	if *jsonOut {
		type row struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		}
		rows := make([]row, 0, len(infos))
		for _, f := range infos {
			rows = append(rows, row{f.Name, f.Description})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			fmt.Fprintf(stderr, "gexit faults: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	w := 0
	for _, f := range infos {
		w = max(w, len(f.Name))
	}
	for _, f := range infos {
		fmt.Fprintf(stdout, "%-*s  %s\n", w, f.Name, f.Description)
	}
	return exitOK
}
