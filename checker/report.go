package checker

import (
	"fmt"
	"strings"
)

// TextReport renders an outcome for humans.
func TextReport(o *Outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s", o.Verdict)
	if o.Kind != "" {
		fmt.Fprintf(&b, " (%s: %s)", o.Kind, o.Name)
	}
	fmt.Fprintf(&b, "\n%s\n", o.Detail)
	fmt.Fprintf(&b, "case: preset %s, %d Ps, %d Ms, mode %s, seed %d, faults %v\nworkload: %s\nschedule: %v\n",
		o.Case.Preset, o.Case.Ps, o.Case.Ms, o.Case.Mode, o.Case.Seed, o.Case.Faults, o.Case.Text, o.Case.Choices)
	for i := range o.History {
		mark := "  "
		if i == o.At {
			mark = "=>"
		}
		e := &o.History[i]
		fmt.Fprintf(&b, "%s %3d. [%d,%d] %s\n", mark, i+1, e.Call, e.Return, describeEvent(e))
	}
	return b.String()
}
