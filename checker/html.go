package checker

// report.html: the whole counterexample on one page. The page is built in
// two passes, as porcupine's visualization is: first plain data (strings
// and slices, section by section, each section under its own recover),
// then html/template renders that data. A section that cannot be built is
// left out and the page says which one and why; the rest still renders.

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"net/url"
	"strings"

	"github.com/gexit-dev/gexit/spec"
)

// HTMLInfo is what the campaign knows beyond the Outcome.
type HTMLInfo struct {
	Reproduce     []string // reproduce command lines
	Linearization string   // relative link to linearization.html, or ""
	RenderErrors  []string // parts of the bundle that failed to render (state them on the page)
	Notes         []string // where the case was found, how it was shrunk, the control run
}

// HTMLReport renders an outcome as one self-contained HTML page (inline
// CSS, no scripts, nothing fetched from the network): the verdict and what
// failed, the case, the numbered steps with their spec state changes (the
// content of TextReport's steps, as a table, the failing step marked and
// every changed field shown old -> new), the implementation's final state
// against the spec's, the reproduce commands and, for linearizability
// failures, a link to porcupine's visualization. It never panics: a part
// that cannot be rendered is replaced by a statement of why.
func HTMLReport(o *Outcome, info HTMLInfo) (out []byte) {
	defer func() {
		if r := recover(); r != nil {
			out = fallbackHTML(fmt.Sprintf("the report page could not be rendered: panic: %v", r))
		}
	}()
	p := buildPage(o, info)
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, p); err != nil {
		return fallbackHTML("the report page could not be rendered: " + err.Error())
	}
	return b.Bytes()
}

// fallbackHTML is the page when the template itself fails: the reason,
// escaped by hand.
func fallbackHTML(why string) []byte {
	return []byte("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gexit report</title></head><body>" +
		"<h1>gexit report</h1><p class=\"problem\">" + html.EscapeString(why) +
		"</p><p>report.txt and report.json in this bundle carry the counterexample.</p></body></html>\n")
}

// htmlPage is the data the template renders: strings and slices only.
type htmlPage struct {
	Verdict      string
	VerdictClass string // ok, illegal, unknown
	Kind, Name   string
	What         string // what failed, in words
	Detail       string
	Source       string // the invariant's runtime citation
	FailLink     bool   // a step is marked: link to it
	FailLabel    string
	Problems     []string

	Lin     bool   // a linearizability failure
	LinHref string // relative link to linearization.html
	LinNote string

	Case     []htmlKV
	Workload string
	Schedule string

	Replayed   bool // the steps section was built
	StepsTitle string
	StepsNote  string
	Steps      []htmlStep
	History    []htmlStep // the raw history, when the replay could not be rendered

	FinalShown   bool
	FinalTitle   string
	FinalNote    string
	FinalCompare bool // Spec columns are filled
	FinalDiff    []htmlChange
	FinalRows    []htmlStateRow

	Reproduce []string
	Notes     []string
}

type htmlKV struct{ K, V string }

type htmlStep struct {
	N       string
	Actor   string
	Op      string
	Result  string
	Changes []htmlChange
	Why     string
	Failing bool
	Anchor  bool // the first failing row carries id="failing-step"
}

// htmlChange is one line of spec.Diff: "key: field=old -> field=new, ...".
// Raw is set when the line does not parse that way.
type htmlChange struct {
	Key   string
	Parts []htmlPart
	Raw   string
}

// htmlPart is one old -> new change. Field is the name both sides share
// ("runnext" in "runnext=G1 -> runnext=G2"); Context is the unchanged
// start of a whole-line change. Added and Removed are a flag or field
// that appeared ("+kicked=G1", "+owes-wakep") or went ("-spinning").
type htmlPart struct {
	Field, Context, Old, New string
	Added, Removed           string
}

type htmlStateRow struct {
	Key       string
	Spec      []htmlTok
	Impl      []htmlTok
	Differs   bool
	NoSpec    bool // the key is missing on the spec's side
	NoImpl    bool
	SpecShown bool
}

type htmlTok struct {
	T       string
	Changed bool
}

// guard runs a section builder; a panic becomes a stated problem.
func (p *htmlPage) guard(section string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			p.Problems = append(p.Problems, fmt.Sprintf("%s: could not be rendered: panic: %v", section, r))
		}
	}()
	f()
}

func buildPage(o *Outcome, info HTMLInfo) *htmlPage {
	p := &htmlPage{}
	for _, e := range info.RenderErrors {
		p.Problems = append(p.Problems, "this bundle: "+e)
	}
	for _, r := range info.Reproduce {
		if strings.TrimSpace(r) != "" {
			p.Reproduce = append(p.Reproduce, r)
		}
	}
	p.Notes = info.Notes
	if o == nil {
		p.Verdict, p.VerdictClass = "none", "unknown"
		p.Problems = append(p.Problems, "no outcome to report (nil)")
		return p
	}
	p.guard("verdict", func() { p.buildVerdict(o, info) })
	p.guard("case", func() { p.buildCase(o) })
	var steps []ReportStep
	var replayed *spec.State
	if o.Verdict != Ok {
		ok := false
		p.guard("steps (spec replay)", func() {
			steps, replayed = explain(o)
			p.buildSteps(o, steps)
			ok = true
		})
		if !ok {
			steps, replayed = nil, nil
			p.guard("recorded history", func() { p.buildHistory(o) })
		}
	}
	p.guard("final state", func() { p.buildFinal(o, steps, replayed) })
	return p
}

func (p *htmlPage) buildVerdict(o *Outcome, info HTMLInfo) {
	p.Verdict = o.Verdict.String()
	switch o.Verdict {
	case Ok:
		p.VerdictClass = "ok"
	case Illegal:
		p.VerdictClass = "illegal"
	default:
		p.VerdictClass = "unknown"
	}
	p.Kind, p.Name, p.Detail = o.Kind, o.Name, strings.TrimRight(o.Detail, "\n")
	switch o.Kind {
	case "":
		if o.Verdict == Ok {
			p.What = "every check passed"
		}
	case "invariant":
		p.What = "invariant " + o.Name + " does not hold"
		if o.At < 0 {
			p.What += " on the implementation's final state"
		} else {
			p.What += " after an operation (atomic mode: checked after every op)"
		}
		for i := range spec.Invariants {
			if spec.Invariants[i].Name == o.Name {
				p.Source = spec.Invariants[i].Source
			}
		}
		if p.Source != "" {
			p.Detail = strings.TrimSuffix(p.Detail, " ["+p.Source+"]")
		}
	case "linearizability":
		p.Lin = true
		p.What = "no order of the recorded operations is a legal spec execution; the operation that cannot be linearized: " + o.Name
		if o.At >= len(o.History) || (o.At < 0 && o.Name == "final state") {
			p.What = "every operation is linearizable, but no order ends in the implementation's final state"
		}
		switch {
		case info.Linearization == "":
			p.LinNote = "no linearization.html was written for this outcome"
		case !relativeLink(info.Linearization):
			p.LinNote = "linearization.html is at " + info.Linearization + " (not linked: not a relative path)"
		default:
			p.LinHref = info.Linearization
			p.LinNote = "porcupine's history timeline; the failing operation is marked there in red (\"fails: " + o.Name + "\")"
		}
	case "differential":
		p.What = "the implementation's state differs from the spec's after " + o.Name
	case "timeout":
		p.What = "the check ran out of its budget: unknown, never a pass"
	default:
		p.What = o.Kind + ": " + o.Name
	}
}

// relativeLink reports whether s is a relative URL path: no scheme, no
// host, not rooted.
func relativeLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, `\`)
}

func (p *htmlPage) buildCase(o *Outcome) {
	c := &o.Case
	faults := "none"
	if len(c.Faults) > 0 {
		faults = strings.Join(c.Faults, ", ")
	}
	wasm := ""
	if c.Wasm {
		wasm = " (wasm)"
	}
	p.Case = []htmlKV{
		{"preset", c.Preset + wasm},
		{"Ps, Ms", fmt.Sprintf("%d Ps, %d Ms", c.Ps, c.Ms)},
		{"mode", c.Mode},
		{"seed", fmt.Sprint(c.Seed)},
		{"faults", faults},
		{"history", fmt.Sprintf("%d ops, %d context switches", len(o.History), Switches(o.History))},
	}
	p.Workload = c.Text
	if p.Workload == "" && c.Workload.Main != nil {
		p.Workload = c.Workload.String()
	}
	if p.Workload == "" {
		p.Workload = "(not recorded: a history judged without its case)"
	}
	p.Schedule = fmt.Sprint(c.Choices)
}

func (p *htmlPage) buildSteps(o *Outcome, steps []ReportStep) {
	order := "call order"
	if o.Kind == "linearizability" {
		order = "linearization order: porcupine's longest linearizable prefix, then the operation that cannot follow"
	}
	p.StepsTitle = "Steps"
	p.StepsNote = "the spec replays the recorded operations in " + order + "; each row shows the spec state change the operation made (old \u2192 new)"
	var rows []htmlStep
	anchored := false
	for _, st := range steps {
		h := htmlStep{N: fmt.Sprint(st.N), Actor: st.Actor, Op: strings.TrimPrefix(st.Op, st.Actor+" "), Result: st.Result, Why: st.Why}
		h.Failing = st.Failed || (o.At >= 0 && st.Event == o.At)
		if h.Failing && !anchored {
			h.Anchor, anchored = true, true
		}
		for _, c := range st.Changes {
			h.Changes = append(h.Changes, parseChange(c))
		}
		rows = append(rows, h)
	}
	if o.Verdict == Illegal && !anchored && o.Kind == "invariant" && o.At < 0 {
		// The invariant failed on the final state, after every step.
		rows = append(rows, htmlStep{N: "end", Actor: "", Op: "the implementation's final state",
			Why: "invariant " + o.Name + " does not hold (the final state is below)", Failing: true, Anchor: true})
		anchored = true
	}
	if len(steps) == 0 {
		p.StepsNote = "no steps: the history is empty or its case cannot be replayed on the spec"
	}
	p.Steps, p.Replayed = rows, true
	if anchored {
		p.FailLink = true
		for i, r := range rows {
			switch {
			case !r.Anchor:
			case r.N == "end":
				p.FailLabel = "the final state, after the last step, fails: marked \u21d2 at the end of the steps table"
			case i < len(steps) && steps[i].Event == o.At:
				p.FailLabel = "step " + r.N + " fails: " + r.Op + ", marked \u21d2 in the steps table"
			default:
				// The replay stopped at an op the spec refuses in this
				// order, before the failure the verdict names.
				p.FailLabel = "the spec's replay departs from the implementation at step " + r.N + ": " + r.Op + ", marked \u21d2 in the steps table"
			}
		}
	}
}

// buildHistory lists the recorded events in history order, without the
// spec replay (which could not be rendered).
func (p *htmlPage) buildHistory(o *Outcome) {
	var rows []htmlStep
	for i := range o.History {
		e := &o.History[i]
		h := htmlStep{N: fmt.Sprint(i + 1), Actor: actorName(e.M), Op: e.Op, Failing: i == o.At}
		if op, err := OpOf(e); err == nil {
			h.Op = strings.TrimPrefix(op.String(), h.Actor+" ")
		}
		h.Result = describeOutput(e)
		rows = append(rows, h)
	}
	p.History = rows
}

func (p *htmlPage) buildFinal(o *Outcome, steps []ReportStep, replayed *spec.State) {
	if o.Final == nil {
		return
	}
	implLines := dumpLines(o.Final.Dump())
	compare := replayed != nil && len(steps) > 0 && len(steps) == len(o.History) && !steps[len(steps)-1].Failed
	p.FinalShown = true
	if !compare {
		p.FinalTitle = "The implementation's final state"
		if o.Verdict != Ok {
			p.FinalNote = "the spec replay did not reach the end of the history, so there is no spec state to set it against"
		}
		for _, kv := range implLines {
			p.FinalRows = append(p.FinalRows, htmlStateRow{Key: kv.K, Impl: plainToks(kv.V)})
		}
		return
	}
	p.FinalTitle = "The implementation's final state against the spec's"
	p.FinalCompare = true
	for _, l := range spec.Diff(replayed, o.Final) {
		p.FinalDiff = append(p.FinalDiff, parseChange(l))
	}
	if len(p.FinalDiff) == 0 {
		p.FinalNote = "the spec's state after these steps equals the implementation's final state"
	} else {
		p.FinalNote = "the spec's state after these steps \u2192 the implementation's final state; differing fields are highlighted"
	}
	specLines := dumpLines(replayed.Dump())
	specOf := make(map[string]string, len(specLines))
	for _, kv := range specLines {
		specOf[kv.K] = kv.V
	}
	seen := make(map[string]bool, len(implLines))
	for _, kv := range implLines {
		seen[kv.K] = true
		row := htmlStateRow{Key: kv.K, SpecShown: true}
		sv, ok := specOf[kv.K]
		switch {
		case !ok:
			row.NoSpec, row.Differs, row.Impl = true, true, plainToks(kv.V)
		case sv == kv.V:
			row.Spec, row.Impl = plainToks(sv), plainToks(kv.V)
		default:
			row.Differs = true
			row.Spec, row.Impl = tokenDiff(sv, kv.V)
		}
		p.FinalRows = append(p.FinalRows, row)
	}
	for _, kv := range specLines {
		if !seen[kv.K] {
			p.FinalRows = append(p.FinalRows, htmlStateRow{Key: kv.K, Spec: plainToks(kv.V), NoImpl: true, Differs: true, SpecShown: true})
		}
	}
}

// dumpLines splits a spec.State.Dump into its "key: value" lines.
func dumpLines(d string) []htmlKV {
	var out []htmlKV
	for _, l := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
		if l == "" {
			continue
		}
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			k, v = "", l
		}
		out = append(out, htmlKV{k, v})
	}
	return out
}

func plainToks(s string) []htmlTok {
	var out []htmlTok
	for _, f := range strings.Fields(s) {
		out = append(out, htmlTok{T: f})
	}
	return out
}

// tokenDiff marks the fields of two dump values that differ: field by
// field when both have as many, else the middle between the common start
// and the common end.
func tokenDiff(a, b string) (ta, tb []htmlTok) {
	fa, fb := strings.Fields(a), strings.Fields(b)
	for _, f := range fa {
		ta = append(ta, htmlTok{T: f})
	}
	for _, f := range fb {
		tb = append(tb, htmlTok{T: f})
	}
	if len(fa) == len(fb) {
		for i := range fa {
			if fa[i] != fb[i] {
				ta[i].Changed, tb[i].Changed = true, true
			}
		}
		return ta, tb
	}
	pre := 0
	for pre < len(fa) && pre < len(fb) && fa[pre] == fb[pre] {
		pre++
	}
	suf := 0
	for suf < len(fa)-pre && suf < len(fb)-pre && fa[len(fa)-1-suf] == fb[len(fb)-1-suf] {
		suf++
	}
	for i := pre; i < len(fa)-suf; i++ {
		ta[i].Changed = true
	}
	for i := pre; i < len(fb)-suf; i++ {
		tb[i].Changed = true
	}
	return ta, tb
}

// parseChange reads one spec.Diff line: "key: new -> line" for a new
// entity, "key: f=a -> f=b, g=c -> g=d" for changed fields, or "key: line
// -> line" when the lines' shapes differ. Anything else is kept raw.
func parseChange(l string) htmlChange {
	key, rest, ok := strings.Cut(l, ": ")
	if !ok {
		return htmlChange{Raw: l}
	}
	c := htmlChange{Key: key}
	var parts []htmlPart
	for _, seg := range strings.Split(rest, ", ") {
		if len(seg) > 1 && (seg[0] == '+' || seg[0] == '-') && !strings.Contains(seg, " ") {
			if seg[0] == '+' {
				parts = append(parts, htmlPart{Added: seg[1:]})
			} else {
				parts = append(parts, htmlPart{Removed: seg[1:]})
			}
			continue
		}
		if strings.Count(seg, " -> ") != 1 {
			parts = nil
			break
		}
		old, nu, _ := strings.Cut(seg, " -> ")
		parts = append(parts, splitPart(old, nu))
	}
	if parts == nil {
		if strings.Count(rest, " -> ") != 1 {
			c.Raw = rest
			return c
		}
		old, nu, _ := strings.Cut(rest, " -> ")
		parts = []htmlPart{splitPart(old, nu)}
	}
	c.Parts = parts
	return c
}

// splitPart names the shared field of "f=a -> f=b", and trims the common
// start of whole-line changes into Context.
func splitPart(old, nu string) htmlPart {
	if fo, vo, ok := strings.Cut(old, "="); ok && !strings.Contains(old, " ") && !strings.Contains(nu, " ") {
		if fn, vn, ok := strings.Cut(nu, "="); ok && fo == fn {
			return htmlPart{Field: fo, Old: vo, New: vn}
		}
	}
	if !strings.Contains(old, " ") || !strings.Contains(nu, " ") {
		return htmlPart{Old: old, New: nu}
	}
	fa, fb := strings.Fields(old), strings.Fields(nu)
	pre := 0
	for pre < len(fa) && pre < len(fb) && fa[pre] == fb[pre] {
		pre++
	}
	if pre == 0 {
		return htmlPart{Old: old, New: nu}
	}
	return htmlPart{Context: strings.Join(fa[:pre], " "), Old: strings.Join(fa[pre:], " "), New: strings.Join(fb[pre:], " ")}
}

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gexit: {{.Verdict}}{{if .Kind}} ({{.Kind}}{{if .Name}}: {{.Name}}{{end}}){{end}}</title>
<style>
* { box-sizing: border-box; }
body { margin: 0; padding: 14px 18px 40px; font: 14px/1.4 system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2330; background: #f6f7f9; }
code, pre, .mono, td.op, td.res, .chg, .state td { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
h1 { font-size: 20px; margin: 0; display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
h2 { font-size: 15px; margin: 18px 0 6px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-size: 15px; text-transform: uppercase; letter-spacing: .04em; }
.badge.illegal { background: #c62828; } .badge.ok { background: #2e7d32; } .badge.unknown { background: #b26a00; }
.headline { overflow-wrap: anywhere; }
.failure { margin-top: 10px; padding: 10px 14px; background: #fff; border: 1px solid #e0b4b4; border-left: 6px solid #c62828; border-radius: 4px; }
.failure.ok { border-color: #b7d7b9; border-left-color: #2e7d32; } .failure.unknown { border-color: #e6cfa3; border-left-color: #b26a00; }
.failure .what { font-weight: 600; margin-bottom: 6px; overflow-wrap: anywhere; }
.failure .cite { margin-top: 6px; color: #394150; } .failure .cite b { color: #1d2330; }
.problems { margin-top: 10px; padding: 8px 14px; background: #fff4e5; border: 1px solid #f0b45c; border-radius: 4px; }
.problems li { overflow-wrap: anywhere; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 14px; margin-top: 12px; }
.card { background: #fff; border: 1px solid #d9dde3; border-radius: 4px; padding: 8px 12px; min-width: 0; }
.card h2 { margin-top: 0; }
.chips { display: flex; flex-wrap: wrap; gap: 4px 18px; margin-bottom: 6px; }
.chips .lbl, dl.kv dt { color: #5a6272; }
dl.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; margin: 0; }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
.cmds code { display: block; padding: 3px 6px; margin: 3px 0; background: #f0f2f5; border-radius: 3px; overflow-wrap: anywhere; white-space: pre-wrap; }
.note { color: #5a6272; margin: 0 0 6px; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; background: #fff; }
th, td { border: 1px solid #d9dde3; padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eceff3; font-weight: 600; }
table.steps col.n { width: 56px; } table.steps col.actor { width: 64px; } table.steps col.op { width: 20%; } table.steps col.res { width: 22%; }
tr.fail td { background: #fde8e8; } tr.fail td.n { color: #c62828; font-weight: 700; }
tr.fail { outline: 2px solid #c62828; outline-offset: -2px; }
.why { margin-top: 3px; color: #8e1b1b; font-weight: 600; overflow-wrap: anywhere; }
.chg { overflow-wrap: anywhere; }
.chg .key { font-weight: 700; }
.fld { color: #394150; }
.ctx { color: #7a8291; }
del, ins { text-decoration: none; padding: 0 2px; border-radius: 2px; }
del { background: #fbd5d5; color: #7f1d1d; }
ins { background: #cdebd0; color: #14532d; }
table.state col.key { width: 110px; }
table.state tr.differs td.key { color: #c62828; font-weight: 700; }
.tok-changed { background: #fff0a8; outline: 1px solid #e0c200; border-radius: 2px; }
.missing { color: #7a8291; font-style: italic; }
a { color: #1a56b0; }
</style>
</head>
<body>
<header>
<h1><span class="badge {{.VerdictClass}}">{{.Verdict}}</span>{{if .Kind}}<span class="headline">{{.Kind}}{{if .Name}}: <span class="mono">{{.Name}}</span>{{end}}</span>{{end}}</h1>
<div class="failure {{.VerdictClass}}" id="failure">
{{if .What}}<div class="what">{{.What}}</div>{{end}}
{{if .Detail}}<pre>{{.Detail}}</pre>{{end}}
{{if .Source}}<div class="cite"><b>runtime citation:</b> {{.Source}}</div>{{end}}
{{if .FailLink}}<div class="cite"><a href="#failing-step">{{.FailLabel}}</a></div>{{end}}
{{if .Lin}}<div class="cite"><b>history timeline:</b> {{if .LinHref}}<a href="{{.LinHref}}">linearization.html</a> &mdash; {{end}}{{.LinNote}}</div>{{end}}
</div>
{{if .Problems}}<div class="problems"><b>Parts of this report could not be rendered:</b><ul>{{range .Problems}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
</header>
<div class="grid">
<section class="card" id="case">
<h2>Case</h2>
<div class="chips">{{range .Case}}<span><span class="lbl">{{.K}}</span> {{.V}}</span>{{end}}</div>
<dl class="kv">{{if .Workload}}<dt>workload</dt><dd><code>{{.Workload}}</code></dd>{{end}}
{{if .Schedule}}<dt>schedule</dt><dd><code>{{.Schedule}}</code></dd>{{end}}</dl>
</section>
<section class="card cmds" id="reproduce">
<h2>Reproduce</h2>
{{range .Reproduce}}<code>{{.}}</code>{{else}}<p class="note">no reproduce command was recorded</p>{{end}}
{{range .Notes}}<p class="note">{{.}}</p>{{end}}
</section>
</div>
{{if .Replayed}}<section id="steps">
<h2>{{.StepsTitle}}</h2>
<p class="note">{{.StepsNote}}</p>
<table class="steps">
<colgroup><col class="n"><col class="actor"><col class="op"><col class="res"><col class="chg"></colgroup>
<thead><tr><th>#</th><th>actor</th><th>operation</th><th>result</th><th>spec state changes (old &rarr; new)</th></tr></thead>
<tbody>
{{range .Steps}}<tr{{if .Failing}} class="fail"{{end}}{{if .Anchor}} id="failing-step"{{end}}>
<td class="n">{{if .Failing}}&rArr;&nbsp;{{end}}{{.N}}</td><td>{{.Actor}}</td><td class="op">{{.Op}}</td><td class="res">{{.Result}}</td>
<td>{{range .Changes}}{{template "change" .}}{{end}}{{if .Why}}<div class="why">FAILS: {{.Why}}</div>{{end}}</td>
</tr>
{{end}}</tbody>
</table>
</section>{{end}}
{{if .History}}<section id="history">
<h2>Recorded history</h2>
<p class="note">the spec replay could not be rendered (see above); these are the recorded operations in history order</p>
<table class="steps">
<colgroup><col class="n"><col class="actor"><col class="op"><col class="res"><col class="chg"></colgroup>
<thead><tr><th>#</th><th>actor</th><th>operation</th><th>result</th><th></th></tr></thead>
<tbody>
{{range .History}}<tr{{if .Failing}} class="fail"{{end}}><td class="n">{{if .Failing}}&rArr;&nbsp;{{end}}{{.N}}</td><td>{{.Actor}}</td><td class="op">{{.Op}}</td><td class="res">{{.Result}}</td><td></td></tr>
{{end}}</tbody>
</table>
</section>{{end}}
{{if .FinalShown}}<section id="final">
<h2>{{.FinalTitle}}</h2>
{{if .FinalNote}}<p class="note">{{.FinalNote}}</p>{{end}}
{{if .FinalDiff}}<div class="card" style="margin-bottom:8px">{{range .FinalDiff}}{{template "change" .}}{{end}}</div>{{end}}
<table class="state">
<colgroup><col class="key">{{if .FinalCompare}}<col><col>{{else}}<col>{{end}}</colgroup>
<thead><tr><th></th>{{if .FinalCompare}}<th>spec, after the steps</th>{{end}}<th>implementation</th></tr></thead>
<tbody>
{{range .FinalRows}}<tr{{if .Differs}} class="differs"{{end}}><td class="key">{{.Key}}</td>{{if .SpecShown}}<td>{{if .NoSpec}}<span class="missing">(absent)</span>{{else}}{{template "toks" .Spec}}{{end}}</td>{{end}}<td>{{if .NoImpl}}<span class="missing">(absent)</span>{{else}}{{template "toks" .Impl}}{{end}}</td></tr>
{{end}}</tbody>
</table>
</section>{{end}}
</body>
</html>
{{define "change"}}<div class="chg">{{if .Key}}<span class="key">{{.Key}}</span>: {{end}}{{if .Raw}}{{.Raw}}{{else}}{{range $i, $p := .Parts}}{{if $i}}, {{end}}{{if $p.Added}}<ins>+{{$p.Added}}</ins>{{else if $p.Removed}}<del>-{{$p.Removed}}</del>{{else}}{{if $p.Field}}<span class="fld">{{$p.Field}}</span> {{end}}{{if $p.Context}}<span class="ctx">{{$p.Context}}</span> {{end}}<del>{{$p.Old}}</del>&nbsp;&rarr;&nbsp;<ins>{{$p.New}}</ins>{{end}}{{end}}{{end}}</div>{{end}}
{{define "toks"}}{{range $i, $t := .}}{{if $i}} {{end}}{{if $t.Changed}}<span class="tok-changed">{{$t.T}}</span>{{else}}{{$t.T}}{{end}}{{end}}{{end}}
`
