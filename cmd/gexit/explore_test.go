package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExploreCommand(t *testing.T) {
	code, out, _ := runCmd("explore", "-q", "-gs", "2", "-without", "system,gc,assist,dirty,syscalls,procresize,stacksize")
	if code != exitOK || !strings.Contains(out, "complete: every state") || !strings.Contains(out, "verdict: ok") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out, _ = runCmd("explore", "-json", "-gs", "2", "-depth", "4")
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	for _, k := range []string{"states", "transitions", "maxDepth", "violations", "seconds", "bytesPerState", "coverage", "neverReached"} {
		if _, ok := v[k]; !ok {
			t.Errorf("-json lacks %q", k)
		}
	}
	if code != exitOK || v["maxDepth"].(float64) != 4 {
		t.Fatalf("exit %d maxDepth %v", code, v["maxDepth"])
	}
	// Out of states before the space is exhausted: unknown, exit 3.
	if code, _, _ := runCmd("explore", "-q", "-max-states", "50"); code != exitUnknown {
		t.Fatalf("max-states: exit %d, want 3", code)
	}
}

// TestExploreMaxMemory: past -max-memory the run stops with verdict
// unknown (exit 3) and says why; the peak resident memory is reported.
func TestExploreMaxMemory(t *testing.T) {
	code, out, _ := runCmd("explore", "-json", "-max-memory", "1MB")
	var v struct {
		StoppedBy     string  `json:"stoppedBy"`
		PeakBytes     float64 `json:"peakBytes"`
		BytesPerState float64 `json:"bytesPerState"`
		Complete      bool    `json:"complete"`
		Verdict       string  `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if code != exitUnknown || v.StoppedBy != "max-memory" || v.Complete || v.Verdict != "unknown" || v.PeakBytes < 1e6 || v.BytesPerState <= 0 {
		t.Fatalf("exit %d, %+v", code, v)
	}
	code, out, _ = runCmd("explore", "-q", "-max-memory", "1MiB")
	if code != exitUnknown || !strings.Contains(out, "INCOMPLETE: stopped by -max-memory") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, bad := range []string{"lots", "-5GB", "1.5XB"} {
		if code, _, errOut := runCmd("explore", "-max-memory", bad); code != exitUsage || !strings.Contains(errOut, "-max-memory") {
			t.Errorf("-max-memory %q: exit %d %q", bad, code, errOut)
		}
	}
	for in, want := range map[string]uint64{"0": 0, "512": 512, "2KB": 2000, "2KiB": 2048, "1.5 GiB": 3 << 29, "8GB": 8e9} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestExploreBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"explore", "-ps", "0"},
		{"explore", "-consts", "huge"},
		{"explore", "-gs", "-1"},
		{"explore", "-without", "nonsense"},
		{"explore", "-depth", "x"},
		{"explore", "extra"},
		{"nosuchcommand"},
	} {
		code, out, errs := runCmd(args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if out != "" || strings.Count(strings.TrimSpace(errs), "\n") > 40 || errs == "" {
			t.Errorf("%v: stdout %q stderr %q", args, out, errs)
		}
	}
	if code, out, _ := runCmd("help"); code != exitOK || !strings.Contains(out, "explore") {
		t.Fatalf("help: %d %s", code, out)
	}
	if code, _, errs := runCmd("explore", "-h"); code != exitOK || !strings.Contains(errs, "Exit codes") {
		t.Fatalf("explore -h: %d %s", code, errs)
	}
}
