# gexit: a model checker harness for the Go runtime's goroutine exit path.

GO ?= go

.PHONY: test test-browser check explore bench verify fuzz

# test is what CI runs (.ci/run): vet, every test with the race detector,
# then, without -race, two lanes side by side (each about one core; the
# mutation table and the bundles each hold rapid's settings lock through
# their runs, so they need processes of their own):
#   - the mutation table (its time budgets need a core of their own);
#   - every fault's check -> bundle -> replay path under four seeds, then
#     the trace conformance of every workload under GOMAXPROCS 1, 2 and 4
#     (under -race conform runs smaller sizes), the Promela model against
#     the explorer at the bounds -race would take minutes over, the
#     CLI's mutants and liveness commands and the stutter lasso's output
#     (25-42 s each under -race, where
#     the packages they drive are raced by their own tests), the
#     reductions' planted faults (the symmetry reductions', and the
#     partial-order reduction's independence check) and the M key at 3 Ms
#     (moved here from the lane below to balance the two stages), and
#     report.html in a headless browser (skipped when chromium is not on
#     PATH);
# then, beside the runtime mutation table (a cold build of an
# instrumented runtime per mutant, nothing for -race to see), the
# explorer's pinned counts and liveness checks at the bounds -race
# would take minutes over, the partial-order reduction's planted faults
# at full size, with its 22-bound equivalence, the reductions' premises
# checked deep in the graph
# and the coverage keys (one worker: nothing for -race to see, 10-25x
# slower under it), the systematic campaigns, and the frontier spilled to
# disk at full size (in the explorer and the CLI).
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 10m ./...
	$(GO) test -count=1 -timeout 10m -run 'TestMutants$$' . & mutants=$$!; \
	$(GO) test -count=1 -timeout 10m -run 'TestEveryFaultBundles$$' . && \
	$(GO) test -count=1 -timeout 5m ./conform && \
	$(GO) test -count=1 -timeout 5m -run TestPromelaModelVerifies ./promela && \
	$(GO) test -count=1 -timeout 5m -run 'TestMutantsOne|TestExploreLivenessCommand|TestExploreStutterOutput' ./cmd/gexit && \
	$(GO) test -count=1 -timeout 5m -run 'TestReduceFindsPlantedFaults|TestPORChecksIndependence|TestExploreMsReductionAtThreeMs' ./checker && \
	$(GO) test -count=1 -run TestReportHTMLInBrowser -v ./checker; lane=$$?; \
	wait $$mutants; test $$? -eq 0 && test $$lane -eq 0
	$(GO) test -count=1 -timeout 10m -run 'TestRuntimeMutants$$' ./rtcheck & rtmut=$$!; \
	$(GO) test -count=1 -timeout 10m -run 'TestExploreCountsUnchanged|TestLiveness|TestFreeCounterexampleReplays|TestExploreClean|TestSystematicCampaign|TestExploreSpill|TestExploreChecksPremisesDeep|TestExploreReachesSpillAndRefill|TestPOREquivalentVerdicts|TestPORFindsPlantedFaults|TestCoverageKeyDeterminesBranches' ./checker; lane=$$?; \
	wait $$rtmut; test $$? -eq 0 && test $$lane -eq 0
	$(GO) test -count=1 -timeout 5m -run 'TestExploreSpillCommand' ./cmd/gexit

# test-browser renders the committed bundle checker/testdata/browser-bundle
# as report.html in headless chromium (apt-get install chromium) and checks
# the DOM: the verdict, every step, the failing step marked; and takes a
# 1400x1000 screenshot. GEXIT_BROWSER_OUT=dir keeps the page and screenshot.
test-browser:
	$(GO) test -count=1 -run TestReportHTMLInBrowser -v ./checker

# check runs the main job on its defaults.
check:
	$(GO) run ./cmd/gexit check

explore:
	$(GO) run ./cmd/gexit explore

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# verify: formatting, vet, and go.mod/go.sum tidy.
verify:
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)
	$(GO) vet ./...
	@cp go.mod /tmp/gexit-go.mod.bak; cp go.sum /tmp/gexit-go.sum.bak; \
	$(GO) mod tidy; \
	if ! diff -q go.mod /tmp/gexit-go.mod.bak >/dev/null || ! diff -q go.sum /tmp/gexit-go.sum.bak >/dev/null; then \
		cp /tmp/gexit-go.mod.bak go.mod; cp /tmp/gexit-go.sum.bak go.sum; \
		echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; fi
