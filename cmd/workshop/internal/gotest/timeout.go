package gotest

import "strings"

// timeoutPanic starts the report a test binary prints when it runs longer
// than its -timeout, followed by the tests that were running:
//
//	panic: test timed out after 30s
//		running tests:
//			TestTask2_StreamsEachFactor (30s)
const timeoutPanic = "panic: test timed out after "

// findTimeout fills in TimedOut and Hung from the panic a timed-out test
// binary prints. test2json files it under the test that was running (or the
// package), and that test never gets a pass or fail event.
func (p *Package) findTimeout() {
	scan := func(lines []string) bool {
		for i, l := range lines {
			if !strings.HasPrefix(l, timeoutPanic) {
				continue
			}
			p.TimedOut = strings.TrimPrefix(l, "panic: ")
			for _, r := range lines[i+1:] {
				r = strings.TrimSpace(r)
				if r == "running tests:" {
					continue
				}
				name, _, ok := strings.Cut(r, " (")
				if !ok || !strings.HasPrefix(name, "Test") {
					break
				}
				p.Hung = append(p.Hung, name)
			}
			return true
		}
		return false
	}
	if scan(p.Output) {
		return
	}
	for _, t := range p.Tests {
		if scan(t.Output) {
			return
		}
	}
}
