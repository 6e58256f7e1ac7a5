package grpctest

import "flag"

// RepeatableProperties makes the steps' rapid property tests give the same
// verdict every run of the same test binary, as every other test does (the
// board keeps a verdict while the binary is unchanged): rapid draws from a
// fixed seed unless -rapid.seed chooses another, writes no fail files into
// the step's folder (its message already holds the smallest failing case),
// and shrinks a failure for at most 5 s, well within the test's own bound.
// Call it from an init function of the test package: flags given on the
// command line still win.
func RepeatableProperties() {
	if f := flag.Lookup("rapid.seed"); f != nil && f.Value.String() == "0" {
		f.Value.Set("20260101")
	}
	flag.Set("rapid.nofailfile", "true")
	flag.Set("rapid.shrinktime", "5s")
}
