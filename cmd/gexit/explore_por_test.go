package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// -por is on by default for invariant checking: the same verdict as
// -por=false in fewer states, with its counts in the summary and -json;
// -liveness turns it off, and refuses an explicit -por.
func TestExplorePOR(t *testing.T) {
	// 2P2M1G, the default families: 8,604 states full, 8,172 reduced.
	args := []string{"explore", "-json", "-gs", "1"}
	states := map[string]float64{}
	for _, por := range []string{"", "-por=false"} {
		a := args
		if por != "" {
			a = append(append([]string{}, args...), por)
		}
		code, out, errOut := runCmd(a...)
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s: json: %v\n%s%s", por, err, out, errOut)
		}
		if code != exitOK || v["verdict"] != "ok" || v["complete"] != true {
			t.Fatalf("%s: exit %d verdict %v complete %v", por, code, v["verdict"], v["complete"])
		}
		_, hasPOR := v["por"]
		if hasPOR != (por == "") || v["bounds"].(map[string]any)["por"] != (por == "") {
			t.Fatalf("%s: por %v, bounds %v", por, v["por"], v["bounds"])
		}
		states[por] = v["states"].(float64)
	}
	if states[""] >= states["-por=false"] {
		t.Fatalf("the reduction explored %v states, the full graph %v", states[""], states["-por=false"])
	}
	code, out, _ := runCmd("explore", "-q", "-gs", "1")
	if code != exitOK || !strings.Contains(out, "partial-order reduction: ") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if code, _, errOut := runCmd("explore", "-q", "-liveness", "-por", "-gs", "1"); code != exitUsage || !strings.Contains(errOut, "-por") {
		t.Fatalf("-por -liveness: exit %d: %s", code, errOut)
	}
	code, out, _ = runCmd("explore", "-q", "-liveness", "-ps", "1", "-ms", "1", "-gs", "2")
	if code != exitOK || strings.Contains(out, "partial-order reduction") {
		t.Fatalf("-liveness: exit %d\n%s", code, out)
	}
}

// -depth bounds the full graph: the reduction follows a private acquirep
// alone and pushes the other actors' steps one level deeper, so -depth
// turns -por off unless it is given (TestPORDepthIsTheReducedGraphs
// shows a violation the full graph reaches at depth 9 that the reduced
// graph's depth 9 misses); given, the summary says whose depth it is.
func TestExploreDepthTurnsPOROff(t *testing.T) {
	code, out, errOut := runCmd("explore", "-json", "-depth", "5")
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitOK {
		t.Fatalf("exit %d json %v\n%s%s", code, err, out, errOut)
	}
	if _, hasPOR := v["por"]; hasPOR || v["bounds"].(map[string]any)["por"] != false {
		t.Fatalf("-depth 5: por %v, bounds %v: want the reduction off", v["por"], v["bounds"])
	}
	code, out, _ = runCmd("explore", "-q", "-depth", "5")
	if code != exitOK || !strings.Contains(out, "complete up to the -depth bound\n") {
		t.Fatalf("-depth 5: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd("explore", "-q", "-depth", "5", "-por")
	if code != exitOK || !strings.Contains(out, "complete up to the -depth bound of the reduced graph") {
		t.Fatalf("-depth 5 -por: exit %d\n%s", code, out)
	}
}
