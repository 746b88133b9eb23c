package checker

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// browserBundle is a committed linearizability failure (gexit check -fault
// steal-more-than-half -seed 1 -ps 3 -ms 4): its case.json and
// history.json. (It was goid-reuse's until MainGoexitIsFinal came to
// refuse that case's final state first: main's goid back on a live G.)
var browserBundle = filepath.Join("testdata", "browser-bundle")

// historyOutcome judges a committed history.json.
func historyOutcome(t testing.TB, path string) *Outcome {
	t.Helper()
	h, err := LoadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	o, err := CheckHistory(context.Background(), h, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// checkBalanced reports the first tag that does not nest: every element
// but the void ones must close in order. Text from the outcome is escaped,
// so a '<' from the data would break this.
func checkBalanced(page string) error {
	void := map[string]bool{"meta": true, "col": true, "br": true, "hr": true, "img": true, "input": true, "link": true}
	var stack []string
	for i := 0; i < len(page); {
		j := strings.IndexByte(page[i:], '<')
		if j < 0 {
			break
		}
		i += j
		if strings.HasPrefix(page[i:], "<!") {
			k := strings.IndexByte(page[i:], '>')
			if k < 0 {
				return fmt.Errorf("unterminated declaration at %d", i)
			}
			i += k + 1
			continue
		}
		// The tag runs to the first '>' outside quotes.
		k, quote := i+1, byte(0)
		for ; k < len(page); k++ {
			c := page[k]
			if quote != 0 {
				if c == quote {
					quote = 0
				}
			} else if c == '"' || c == '\'' {
				quote = c
			} else if c == '>' {
				break
			}
		}
		if k >= len(page) {
			return fmt.Errorf("unterminated tag at %d", i)
		}
		tag := page[i+1 : k]
		closing := strings.HasPrefix(tag, "/")
		name := strings.TrimPrefix(tag, "/")
		if n := strings.IndexAny(name, " \t\n/"); n >= 0 {
			name = name[:n]
		}
		name = strings.ToLower(name)
		if name == "" {
			return fmt.Errorf("empty tag at %d", i)
		}
		switch {
		case closing:
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return fmt.Errorf("</%s> at %d closes %v", name, i, stack)
			}
			stack = stack[:len(stack)-1]
		case !void[name] && !strings.HasSuffix(tag, "/"):
			stack = append(stack, name)
			if name == "style" {
				end := strings.Index(page[k:], "</style>")
				if end < 0 {
					return fmt.Errorf("unterminated <style>")
				}
				k += end - 1
			}
		}
		i = k + 1
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %v", stack)
	}
	return nil
}

// checkSelfContained: nothing on the page reaches the network.
func checkSelfContained(page string) error {
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "url("} {
		if strings.Contains(strings.ToLower(page), bad) {
			return fmt.Errorf("the page contains %q", bad)
		}
	}
	return nil
}

// esc escapes text as html/template does in element content.
func esc(s string) string {
	var b bytes.Buffer
	if err := escTmpl.Execute(&b, s); err != nil {
		panic(err)
	}
	return b.String()
}

var escTmpl = template.Must(template.New("").Parse("{{.}}"))

// failingRow is the <tr> marked as the failing step.
func failingRow(t *testing.T, page string) string {
	t.Helper()
	if n := strings.Count(page, `id="failing-step"`); n != 1 {
		t.Fatalf("%d rows marked failing-step, want 1", n)
	}
	i := strings.Index(page, `id="failing-step"`)
	start := strings.LastIndex(page[:i], "<tr")
	end := strings.Index(page[i:], "</tr>")
	if start < 0 || end < 0 {
		t.Fatalf("the failing-step marker is not on a table row")
	}
	return page[start : i+end]
}

// checkSteps: every step's op appears, in order, in the steps table.
func checkSteps(t *testing.T, page string, steps []ReportStep) {
	t.Helper()
	if len(steps) == 0 {
		t.Fatal("no steps to look for")
	}
	at := strings.Index(page, `id="steps"`)
	if at < 0 {
		t.Fatal("no steps section")
	}
	for _, st := range steps {
		op := esc(strings.TrimPrefix(st.Op, st.Actor+" "))
		cell := `<td class="op">` + op + `</td>`
		i := strings.Index(page[at:], cell)
		if i < 0 {
			t.Fatalf("step %d's op %q is not in the steps table (after the previous step)", st.N, op)
		}
		at += i + len(cell)
	}
}

func TestHTMLReportInvariant(t *testing.T) {
	b, err := LoadBundle(filepath.Join("testdata", "bundles", "spill-lose-g"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := RunCase(context.Background(), b.Case, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Illegal || o.Kind != "invariant" || o.Name != "DeadIffFree" {
		t.Fatalf("the spill-lose-g bundle gives %v %s %s, want an invariant failure", o.Verdict, o.Kind, o.Name)
	}
	repro := []string{"gexit replay bundle-dir", "gexit check -seed 1 -fault spill-lose-g -cases 28"}
	page := string(HTMLReport(o, HTMLInfo{Reproduce: repro}))
	if err := checkBalanced(page); err != nil {
		t.Fatal(err)
	}
	if err := checkSelfContained(page); err != nil {
		t.Fatal(err)
	}
	var source string
	for _, inv := range spec.Invariants {
		if inv.Name == o.Name {
			source = inv.Source
		}
	}
	for _, want := range []string{
		`<span class="badge illegal">illegal</span>`,
		"invariant DeadIffFree does not hold on the implementation&#39;s final state",
		"runtime citation:</b> " + esc(source),
		esc("G3 is dead but on no free list"),
		"spill-lose-g", "small", "deterministic", esc(o.Case.Text),
		esc(repro[0]), esc(repro[1]),
		// A changed field, old and new apart, and a field that appeared:
		// P0's runnext and runqput's kicked G on step 7.
		`<span class="fld">runnext</span> <del>G1</del>&nbsp;&rarr;&nbsp;<ins>G2</ins>, <ins>+kicked=G1</ins>`,
		// The final state against the spec's: the G the spill lost.
		`<span class="key">sched.gFree</span>: <span class="fld">stack</span> <del>[G3,G1,G2]</del>&nbsp;&rarr;&nbsp;<ins>[G1,G2]</ins>`,
		`<span class="tok-changed">stack=[G3,G1,G2]</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	checkSteps(t, page, Explain(o))
	// The invariant failed on the final state: the row after the last step.
	if row := failingRow(t, page); !strings.Contains(row, "the implementation&#39;s final state") || !strings.Contains(row, "DeadIffFree") {
		t.Errorf("failing row: %s", row)
	}
	if strings.Contains(page, "linearization.html") {
		t.Errorf("an invariant failure links linearization.html")
	}
	if strings.Contains(page, "could not be rendered") {
		t.Errorf("a real outcome rendered with problems")
	}
}

func TestHTMLReportLinearizability(t *testing.T) {
	o := historyOutcome(t, filepath.Join(browserBundle, HistoryFile))
	b, err := LoadBundle(browserBundle)
	if err != nil {
		t.Fatal(err)
	}
	// The same case, rerun deterministically with the fault planted.
	c := b.Case
	c.Mode = "deterministic"
	o2, err := RunCase(context.Background(), c, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for what, o := range map[string]*Outcome{"history.json": o, "rerun": o2} {
		if o.Verdict != Illegal || o.Kind != "linearizability" || o.At < 0 || o.At >= len(o.History) {
			t.Fatalf("%s: %v %s at %d, want a linearizability failure at an op", what, o.Verdict, o.Kind, o.At)
		}
		page := string(HTMLReport(o, HTMLInfo{Linearization: "linearization.html", Reproduce: []string{"gexit replay x"}}))
		if err := checkBalanced(page); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if err := checkSelfContained(page); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, want := range []string{
			`<span class="badge illegal">illegal</span>`,
			"the operation that cannot be linearized: " + esc(o.Name),
			`<a href="linearization.html">linearization.html</a>`,
			"the failing operation is marked there",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", what, want)
			}
		}
		steps := Explain(o)
		checkSteps(t, page, steps)
		if what == "rerun" && !strings.Contains(page, "steal-more-than-half") {
			t.Errorf("the rerun's page does not name its fault")
		}
		last := steps[len(steps)-1]
		if last.Event != o.At {
			t.Fatalf("%s: the last step is event %d, the failing op is %d", what, last.Event, o.At)
		}
		row := failingRow(t, page)
		op := esc(strings.TrimPrefix(last.Op, last.Actor+" "))
		if !strings.Contains(row, op) || !strings.Contains(row, "FAILS: "+esc(last.Why)) || !strings.Contains(row, fmt.Sprintf("&rArr;&nbsp;%d", last.N)) {
			t.Errorf("%s: the failing row does not show step %d (%s) failing: %s", what, last.N, op, row)
		}
	}
	// Without a linearization.html, the page says so instead of linking.
	page := string(HTMLReport(o, HTMLInfo{}))
	if strings.Contains(page, "<a href=\"linearization.html\"") || !strings.Contains(page, "no linearization.html was written") {
		t.Errorf("without Linearization the page links it or does not say it is missing")
	}
	// A link that is not a relative path is not followed.
	page = string(HTMLReport(o, HTMLInfo{Linearization: "https://example.com/x.html"}))
	if strings.Contains(page, "<a href=\"https:") || !strings.Contains(page, "not a relative path") {
		t.Errorf("an absolute link was linked")
	}
}

// TestHTMLReportStatesRenderFailures: a section that panics is named on
// the page, which still renders the rest; so are the bundle's render
// errors.
func TestHTMLReportStatesRenderFailures(t *testing.T) {
	o := historyOutcome(t, filepath.Join(browserBundle, HistoryFile))
	// The failing index of a final-state mismatch is len(History) (the
	// closing observation): it must not break the page.
	bad := *o
	bad.At = len(bad.History)
	page := string(HTMLReport(&bad, HTMLInfo{RenderErrors: []string{"report.txt: disk full"}}))
	if err := checkBalanced(page); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<span class="badge illegal">illegal</span>`, "this bundle: report.txt: disk full", `id="case"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Either the replay rendered, or the page says it could not and lists
	// the recorded history instead.
	if !strings.Contains(page, `id="steps"`) && !(strings.Contains(page, "steps (spec replay): could not be rendered") && strings.Contains(page, `id="history"`)) {
		t.Errorf("with At = len(History) the page has neither steps nor a stated failure:\n%s", page)
	}

	var p htmlPage
	p.guard("a section", func() { panic("boom") })
	if len(p.Problems) != 1 || p.Problems[0] != "a section: could not be rendered: panic: boom" {
		t.Errorf("guard recorded %q", p.Problems)
	}
	p.Verdict, p.VerdictClass = "illegal", "illegal"
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, &p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "a section: could not be rendered: panic: boom") {
		t.Errorf("the problem is not on the page")
	}

	// Nil outcome, and hostile text everywhere: escaped, never markup.
	if page := string(HTMLReport(nil, HTMLInfo{})); !strings.Contains(page, "no outcome to report") || checkBalanced(page) != nil {
		t.Errorf("nil outcome: %s", page)
	}
	evil := "<script>alert(1)</script>"
	h := *o
	h.Name, h.Detail, h.Case.Text = evil, evil, evil
	page = string(HTMLReport(&h, HTMLInfo{Reproduce: []string{evil}, RenderErrors: []string{evil}, Linearization: "javascript:alert(1)"}))
	if strings.Contains(page, "<script") || strings.Contains(page, `href="javascript`) || checkBalanced(page) != nil {
		t.Errorf("hostile text is not escaped")
	}
}

// TestParseChange: spec.Diff's line shapes.
func TestParseChange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want htmlChange
	}{
		{"P0: runnext=G1 -> runnext=G2, runq=[] -> runq=[G1]", htmlChange{Key: "P0", Parts: []htmlPart{{Field: "runnext", Old: "G1", New: "G2"}, {Field: "runq", Old: "[]", New: "[G1]"}}}},
		{"G0: running -> dead, m=M0 -> m=nil", htmlChange{Key: "G0", Parts: []htmlPart{{Old: "running", New: "dead"}, {Field: "m", Old: "M0", New: "nil"}}}},
		{"G1: new -> goid=2 runnable", htmlChange{Key: "G1", Parts: []htmlPart{{Old: "new", New: "goid=2 runnable"}}}},
		{"sched: a=1 alive -> a=1 fatal error: x, y", htmlChange{Key: "sched", Parts: []htmlPart{{Context: "a=1", Old: "alive", New: "fatal error: x, y"}}}},
		{"P0: runnext=G1 -> runnext=G2, +kicked=G1", htmlChange{Key: "P0", Parts: []htmlPart{{Field: "runnext", Old: "G1", New: "G2"}, {Added: "kicked=G1"}}}},
		{"M0: -spinning, p=P0 -> p=nil", htmlChange{Key: "M0", Parts: []htmlPart{{Removed: "spinning"}, {Field: "p", Old: "P0", New: "nil"}}}},
		{"no colon", htmlChange{Raw: "no colon"}},
		{"k: a -> b -> c", htmlChange{Key: "k", Raw: "a -> b -> c"}},
	} {
		got := parseChange(tc.in)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parseChange(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

var fuzzOps = []string{"newproc1", "runqput", "schedule", "exit", "goexit", "goidrefill", "park", "ready", "retake", "procresize", "bogus", "<b>x</b>", ""}
var fuzzSources = []string{"runnext", "ring", "global", "steal", "idle", "", "nope"}
var fuzzKinds = []string{"", "invariant", "linearizability", "differential", "harness", "timeout", "throw"}

// fuzzOutcome builds an arbitrary outcome from fuzz input: events with
// any ops, actors, outputs and times; any At; nil, zero or real Info;
// nil, initial or scribbled Final.
func fuzzOutcome(kind, name, detail string, verdict uint8, at int, flags uint8, data []byte, realInfo *porcupine.LinearizationInfo) *Outcome {
	o := &Outcome{Verdict: Verdict(verdict % 4), Kind: kind, Name: name, Detail: detail, At: at}
	if k := int(flags % 8); k < len(fuzzKinds) {
		o.Kind = fuzzKinds[k]
	}
	presets := []string{"small", "go", "huge"}
	modes := []string{"deterministic", "atomic", "free", "warp"}
	o.Case = Case{Preset: presets[int(flags>>3)%3], Ps: 1, Ms: 1, Mode: modes[int(flags>>5)%4], Text: detail}
	if len(data) > 0 {
		o.Case.Ps, o.Case.Ms = int(data[0]%10), int(data[0]/10%10)
	}
	if len(data) > 1 {
		o.Case.Choices = []int{int(data[1]) - 128}
		o.Case.Faults = []string{name}
	}
	for i := 2; i+8 <= len(data) && len(o.History) < 64; i += 8 {
		d := data[i : i+8]
		e := impl.Event{M: int(d[0]%8) - 2, Op: fuzzOps[int(d[1])%len(fuzzOps)],
			In:   impl.Input{G: int(int8(d[2])), P: int(int8(d[3])), N: int(int8(d[4])), Size: int(d[4]) << 8, Credit: int(int8(d[5])), On: d[5]&1 == 1, System: d[5]&2 == 2},
			Out:  impl.Output{G: int(int8(d[6])), Goid: int64(int8(d[7])), Source: fuzzSources[int(d[6])%len(fuzzSources)], Victim: int(int8(d[5])), Kicked: -1, HandedTo: -1, P: int(int8(d[3]))},
			Call: int64(int8(d[7])), Return: int64(d[7]) + 1}
		if d[2]&1 == 1 {
			e.Out.Throw = detail
		}
		if d[2]&2 == 2 {
			e.Out.Fatal = name
		}
		o.History = append(o.History, e)
	}
	switch (flags >> 1) % 3 {
	case 1:
		o.Info = &porcupine.LinearizationInfo{}
	case 2:
		o.Info = realInfo
	}
	if flags&1 == 1 {
		if cfg, err := o.Case.ImplConfig(); err == nil {
			if s, err := spec.New(SpecConfig(cfg)); err == nil {
				o.Final = s
				if len(data) > 2 && len(s.Gs) > 0 {
					// Scribble: references out of range.
					s.Gs[0].M = int8(data[2])
					s.Ms[0].Curg = int32(int8(data[2]))
				}
			}
		}
	}
	return o
}

func FuzzHTMLReport(f *testing.F) {
	o := historyOutcome(f, filepath.Join(browserBundle, HistoryFile))
	info := o.Info
	hist, err := os.ReadFile(filepath.Join(browserBundle, HistoryFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("linearizability", "M0 newproc1", "detail", uint8(1), 6, uint8(2|4), hist[:200])
	// The closing observation's index (len(History)) from porcupine.
	f.Add("linearizability", "final state", "x", uint8(1), 3, uint8(2|4|1), []byte{11, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 3, 0, 0, 0, 0, 1, 0})
	f.Add("invariant", "DeadIffFree", "G3 is dead", uint8(1), -1, uint8(1|8), []byte{11, 5, 1, 1, 0, 0, 0, 1, 2, 3})
	f.Add("", "", "", uint8(0), 0, uint8(0), []byte{})
	f.Add("<b>", "</td>", "&amp;<", uint8(3), 1<<40, uint8(255), []byte{255, 255, 255, 255, 255, 255, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, kind, name, detail string, verdict uint8, at int, flags uint8, data []byte) {
		o := fuzzOutcome(kind, name, detail, verdict, at, flags, data, info)
		var page []byte
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("HTMLReport panicked: %v", r)
				}
			}()
			page = HTMLReport(o, HTMLInfo{Reproduce: []string{name}, Linearization: detail, RenderErrors: []string{kind}})
		}()
		s := string(page)
		// The full page, not the fallback: every failure stayed in its section.
		if !strings.Contains(s, `id="failure"`) || !strings.Contains(s, `id="case"`) {
			t.Fatalf("the page did not render:\n%s", s)
		}
		if err := checkBalanced(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
		if strings.Contains(s, "<script") {
			t.Fatalf("unescaped markup on the page")
		}
	})
}

// browser is the first headless-capable browser on PATH.
func browser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestReportHTMLInBrowser renders the committed browser bundle's report in
// headless chromium and checks the DOM it builds: the verdict, every step
// in order, the failing step marked; and a 1400x1000 screenshot. Set
// GEXIT_BROWSER_OUT to a directory to keep report.html and screenshot.png.
func TestReportHTMLInBrowser(t *testing.T) {
	bin := browser()
	if bin == "" {
		t.Skip("chromium not on PATH: apt-get install chromium")
	}
	o := historyOutcome(t, filepath.Join(browserBundle, HistoryFile))
	// The campaign's outcome carries the case that history.json alone
	// does not (workload, faults, mode, seed).
	b, err := LoadBundle(browserBundle)
	if err != nil {
		t.Fatal(err)
	}
	o.Case = b.Case
	if o.Verdict != Illegal || o.Kind != "linearizability" {
		t.Fatalf("the browser bundle gives %v %s, want a linearizability failure", o.Verdict, o.Kind)
	}
	dir := t.TempDir()
	if d := os.Getenv("GEXIT_BROWSER_OUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	repro := []string{"gexit replay " + browserBundle, "gexit replay " + filepath.Join(browserBundle, HistoryFile), "gexit check -seed 1 -shard 0/1 -ps 3 -ms 4 -fault steal-more-than-half -cases 300"}
	if err := os.WriteFile(page, HTMLReport(o, HTMLInfo{Reproduce: repro, Linearization: "linearization.html"}), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
			"--user-data-dir=" + t.TempDir()}
		cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
		}
		return stdout.Bytes()
	}
	dom := string(run("--dump-dom"))
	// Text in the dumped DOM is escaped as HTML serializes text nodes.
	domEsc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;").Replace
	if !strings.Contains(dom, `<span class="badge illegal">illegal</span>`) || !strings.Contains(dom, domEsc(o.Name)) {
		t.Fatalf("the verdict is not in the DOM (%d bytes):\n%s", len(dom), dom)
	}
	steps := Explain(o)
	if len(steps) == 0 {
		t.Fatal("no steps")
	}
	at := strings.Index(dom, `id="steps"`)
	if at < 0 {
		t.Fatalf("no steps section in the DOM")
	}
	for _, st := range steps {
		cell := `<td class="op">` + domEsc(strings.TrimPrefix(st.Op, st.Actor+" ")) + `</td>`
		i := strings.Index(dom[at:], cell)
		if i < 0 {
			t.Fatalf("step %d (%s) is not in the DOM's steps table in order", st.N, cell)
		}
		at += i + len(cell)
	}
	i := strings.Index(dom, `id="failing-step"`)
	if i < 0 || strings.Count(dom, `id="failing-step"`) != 1 {
		t.Fatalf("the DOM has no single failing-step row")
	}
	start, end := strings.LastIndex(dom[:i], "<tr"), strings.Index(dom[i:], "</tr>")
	if start < 0 || end < 0 {
		t.Fatalf("the failing-step marker is not on a table row")
	}
	row := dom[start : i+end]
	last := steps[len(steps)-1]
	if !strings.Contains(row, `class="fail"`) || !strings.Contains(row, "FAILS: "+domEsc(last.Why)) ||
		!strings.Contains(row, domEsc(strings.TrimPrefix(last.Op, last.Actor+" "))) || !strings.Contains(row, fmt.Sprintf("⇒&nbsp;%d", last.N)) {
		t.Fatalf("the failing row does not show step %d failing:\n%s", last.N, row)
	}

	shot := filepath.Join(dir, "screenshot.png")
	os.Remove(shot)
	run("--hide-scrollbars", "--window-size=1400,1000", "--screenshot="+shot)
	fi, err := os.Stat(shot)
	if err != nil || fi.Size() == 0 {
		t.Fatalf("no screenshot: %v", err)
	}
	png, _ := os.ReadFile(shot)
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is not a PNG", shot)
	}
	t.Logf("%s: %d bytes; screenshot %s: %d bytes", page, len(dom), shot, fi.Size())
}
