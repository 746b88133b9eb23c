package checker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"github.com/anishathalye/porcupine"
)

// BundleFiles are the files every bundle has (one that WriteBundle
// returned with an *IncompleteBundleError lacks the report files it names);
// linearizability failures also have linearization.html.
var BundleFiles = []string{CaseFile, HistoryFile, "report.txt", "report.json", "report.html"}

// BundleInfo is what WriteBundle writes besides the outcome.
type BundleInfo struct {
	// Prefix names the bundle directory: Prefix-<k>, k the first free
	// number (default "violation").
	Prefix  string
	Outcome *Outcome
	// Log is rapid's log of the shrunk case.
	Log string
	// Notes are lines for the report: where the case was found, the
	// control run.
	Notes []string
	// Reproduce are command lines that re-run the search; WriteBundle
	// puts "gexit replay DIR" and "gexit replay DIR/history.json" first.
	Reproduce []string
	// Meta are extra report.json fields.
	Meta map[string]any
}

// BundleInfo is the bundle of a campaign's failure.
func (c *Campaign) BundleInfo(f *Failure) BundleInfo {
	o := f.Outcome
	notes := []string{fmt.Sprintf("found in batch %d (rapid seed %d) of seed %d, shard %d/%d, after %d cases", f.Batch, f.RapidSeed, c.o.Seed, c.o.Shard, c.o.Shards, f.Cases)}
	if f.Minimized() {
		notes = append(notes, fmt.Sprintf("shrunk by rapid to %d steps, then by Minimize to %d steps and %d context switches", f.Shrunk.Case.Steps, o.Case.Steps, Switches(o.History)))
	} else {
		notes = append(notes, fmt.Sprintf("shrunk by rapid to %d steps (Minimize found nothing smaller)", o.Case.Steps))
	}
	if f.ShrinkInterrupted {
		notes = append(notes, "the shrinking was cut short by a signal (Ctrl-C, SIGTERM): this is the smallest case found by then")
	}
	notes = append(notes, f.ControlText())
	meta := map[string]any{
		"seed": c.o.Seed, "shard": fmt.Sprintf("%d/%d", c.o.Shard, c.o.Shards), "batch": f.Batch, "rapidSeed": f.RapidSeed,
		"minimized": f.Minimized(), "attributable": f.Attributable,
	}
	if f.Control != nil {
		meta["control"] = map[string]any{"verdict": f.Control.Verdict.String(), "kind": f.Control.Kind, "name": f.Control.Name}
	}
	return BundleInfo{
		Prefix: fmt.Sprintf("violation-%d", c.o.Seed), Outcome: o, Log: f.Log, Notes: notes,
		Reproduce: []string{c.ReproduceArgs(f.Cases),
			fmt.Sprintf("go test -run TestLinearizable -rapid.seed=%d .   (hint: the property tests draw with other options)", f.RapidSeed)},
		Meta: meta,
	}
}

// WriteBundle writes a counterexample atomically as the directory
// out/Prefix-<k>: every file goes into a hidden temporary directory inside
// out, which is then renamed (within one filesystem, whatever out is: a
// mount point, a container volume, a tmpfs). case.json and history.json
// are data and are written first; they must be written (an error there
// leaves nothing in out). The reports are rendered part by part, and a
// part that cannot be rendered is stated in report.txt, report.json
// ("renderErrors") and report.html instead of failing the bundle; a report
// file that cannot be written (a full disk) is left out of the bundle, and
// the bundle is still kept: WriteBundle then returns its path and an
// *IncompleteBundleError naming the files left out and why. It returns the
// bundle's path, relative to the working directory when below it.
func WriteBundle(out string, info BundleInfo) (string, error) {
	o := info.Outcome
	if o == nil {
		return "", errors.New("no outcome to write")
	}
	if info.Prefix == "" {
		info.Prefix = "violation"
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", err
	}
	// The temporary is in out itself, never in its parent: out may be a
	// mount point, and a rename across filesystems fails (EXDEV).
	tmp, err := os.MkdirTemp(abs, ".gexit-bundle-*")
	if err != nil {
		return "", err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	var final string
	for k := 1; ; k++ {
		final = filepath.Join(abs, fmt.Sprintf("%s-%d", info.Prefix, k))
		if _, err := os.Lstat(final); errors.Is(err, os.ErrNotExist) {
			break
		}
		if k > 100000 {
			return "", fmt.Errorf("%s: too many bundles", abs)
		}
	}
	rel := final
	if r, err := filepath.Rel(".", final); err == nil && !strings.HasPrefix(r, "..") {
		rel = r
	}
	write := func(name string, data []byte) error {
		return bundleWriteFile(filepath.Join(tmp, name), data, 0o644)
	}
	// missing are the report files that could not be written, and why.
	var missing []RenderError
	writeReport := func(name string, data []byte) {
		if err := write(name, data); err != nil {
			// No truncated report is left behind.
			os.Remove(filepath.Join(tmp, name))
			missing = append(missing, RenderError{Part: name, Err: unwrapPathErr(err).Error()})
		}
	}
	caseJSON, err := MarshalCase(o)
	if err != nil {
		return "", fmt.Errorf("case.json: %v", err)
	}
	histJSON, err := MarshalHistory(HistoryOf(o, nil))
	if err != nil {
		return "", fmt.Errorf("history.json: %v", err)
	}
	if err := write(CaseFile, caseJSON); err != nil {
		return "", err
	}
	if err := write(HistoryFile, histJSON); err != nil {
		return "", err
	}
	reproduce := append([]string{"gexit replay " + rel, "gexit replay " + filepath.Join(rel, HistoryFile)}, info.Reproduce...)

	// The reports. The visualization first: what fails there is stated in
	// the others.
	var errs []RenderError
	lin := ""
	if o.Kind == "linearizability" && o.Info != nil {
		guard(&errs, "linearization.html", func() {
			if o.Model.Step == nil && o.Model.StepContext == nil {
				cfg, err := o.Case.ImplConfig()
				if err != nil {
					panic(fmt.Sprintf("no model to draw the history with: %v", err))
				}
				o.Model = Model(SpecConfig(cfg))
			}
			Annotate(o)
			var buf bytes.Buffer
			if err := porcupine.Visualize(o.Model, *o.Info, &buf); err != nil {
				panic(err)
			}
			// Writing it is not rendering it: a write error leaves it
			// out, as a report file's (below).
			if err := write("linearization.html", buf.Bytes()); err != nil {
				os.Remove(filepath.Join(tmp, "linearization.html"))
				missing = append(missing, RenderError{Part: "linearization.html", Err: unwrapPathErr(err).Error()})
				return
			}
			lin = "linearization.html"
		})
	}
	text, terrs := TextReportErrors(o)
	errs = append(errs, terrs...)
	var b strings.Builder
	b.WriteString(text)
	b.WriteString("\n")
	for _, n := range info.Notes {
		b.WriteString(n + "\n")
	}
	b.WriteString("\nreproduce:\n")
	for _, r := range reproduce {
		b.WriteString("  " + r + "\n")
	}
	if lin != "" {
		b.WriteString("\nthe history's timeline, the failing op marked: " + lin + "\n")
	}
	if info.Log != "" {
		b.WriteString("\nrapid log (labelled draws of the shrunk case):\n" + info.Log + "\n")
	}
	var page []byte
	guard(&errs, "report.html", func() {
		page = HTMLReport(o, HTMLInfo{Reproduce: reproduce, Linearization: lin, Notes: info.Notes, RenderErrors: renderErrorLines(errs)})
	})
	if page == nil {
		page = textFallbackHTML(b.String(), errs)
	}
	for _, e := range errs[len(terrs):] {
		fmt.Fprintf(&b, "REPORT INCOMPLETE: %s could not be rendered (a gexit bug): %s\n", e.Part, firstLine(e.Err))
	}
	report := map[string]any{}
	guard(&errs, "report.json", func() {
		report = map[string]any{
			"version": BundleVersion, "verdict": o.Verdict.String(), "kind": o.Kind, "name": o.Name,
			"detail": o.Detail, "at": o.At, "ops": o.Ops(), "case": o.Case,
			"switches": Switches(o.History), "reproduce": reproduce, "notes": info.Notes,
		}
		for k, v := range info.Meta {
			report[k] = v
		}
		if o.Final != nil {
			report["final"] = o.Final.Dump()
		}
	})
	if len(errs) > 0 {
		report["renderErrors"] = errs
	}
	if len(missing) > 0 {
		report["writeErrors"] = missing
	}
	reportJSON, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		reportJSON, _ = json.MarshalIndent(map[string]any{"version": BundleVersion, "verdict": o.Verdict.String(), "kind": o.Kind,
			"name": o.Name, "renderErrors": append(errs, RenderError{Part: "report.json", Err: err.Error()})}, "", "  ")
	}
	// report.txt last, so that it states the others' write errors. A
	// report file that cannot be written is no reason to lose the data
	// files already written: the bundle is kept without it.
	writeReport("report.json", reportJSON)
	writeReport("report.html", page)
	for _, m := range missing {
		fmt.Fprintf(&b, "REPORT INCOMPLETE: %s could not be written: %s\n", m.Part, m.Err)
	}
	writeReport("report.txt", []byte(b.String()))
	if err := bundleRename(tmp, final); err != nil {
		return "", err
	}
	ok = true
	if len(missing) > 0 {
		return rel, &IncompleteBundleError{Dir: rel, Missing: missing}
	}
	return rel, nil
}

// IncompleteBundleError is WriteBundle's error when the bundle was written
// (its path is returned with it) but some of its report files could not
// be: its data files, case.json and history.json, are complete, and
// gexit replay takes it.
type IncompleteBundleError struct {
	Dir string
	// Missing are the files left out: Part the file name, Err why.
	Missing []RenderError
}

func (e *IncompleteBundleError) Error() string {
	var names, whys []string
	for _, m := range e.Missing {
		names = append(names, m.Part)
		whys = append(whys, m.String())
	}
	return fmt.Sprintf("the bundle %s was written without %s (%s); its %s and %s are complete: gexit replay %s",
		e.Dir, strings.Join(names, ", "), strings.Join(whys, "; "), CaseFile, HistoryFile, e.Dir)
}

// The file writes and the final rename of WriteBundle (tests plant
// failures through them: a full disk, a rename across filesystems).
var (
	bundleWriteFile = os.WriteFile
	bundleRename    = os.Rename
)

func renderErrorLines(errs []RenderError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.String()
	}
	return out
}

// textFallbackHTML is report.html when the page itself cannot be rendered:
// the text report, escaped, and the render errors.
func textFallbackHTML(text string, errs []RenderError) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>gexit report</title></head><body>")
	b.WriteString("<p><strong>This page could not be rendered (a gexit bug); the text report follows.</strong></p><ul>")
	for _, e := range errs {
		b.WriteString("<li>" + html.EscapeString(e.String()) + "</li>")
	}
	b.WriteString("</ul><pre>" + html.EscapeString(text) + "</pre></body></html>\n")
	return []byte(b.String())
}
