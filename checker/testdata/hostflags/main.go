// Command hostflags is a host program for TestCampaignLeavesHostFlags: it
// runs a campaign through package checker before parsing its own flags,
// then reports what it finds of its flag set.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gexit-dev/gexit/checker"
)

func main() {
	x := flag.Int("x", 0, "a flag of the host's own")
	before := flag.Parsed()
	c, err := checker.NewCampaign(checker.CampaignOptions{Cases: 150, Seed: 7})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	r := c.Run(context.Background())
	after := flag.Parsed()
	testFlag := flag.Lookup("test.short") != nil
	checks := flag.Lookup("rapid.checks").Value.String()
	set := 0
	flag.Visit(func(*flag.Flag) { set++ })
	flag.Parse()
	fmt.Printf("verdict=%s cases=%d parsedBefore=%v parsedAfter=%v testFlags=%v rapidChecks=%s visited=%d x=%d\n",
		r.Verdict, r.Cases, before, after, testFlag, checks, set, *x)
}
