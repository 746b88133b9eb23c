package checker

// HTMLInfo is what the campaign knows beyond the Outcome.
type HTMLInfo struct {
	Reproduce     []string
	Linearization string
	Notes         []string
	RenderErrors  []string
}

// HTMLReport is a stand-in until the renderer lands.
func HTMLReport(o *Outcome, info HTMLInfo) []byte {
	return fallbackHTML(TextReport(o), nil)
}
