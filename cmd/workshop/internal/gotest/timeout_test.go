package gotest

import (
	"slices"
	"strings"
	"testing"
)

// A test binary that hit -timeout=2s while TestTask2_Hangs/sub was running,
// as go test -json reports it: the panic goes to the running test, which
// never gets a pass or fail.
const timedOut = `{"Action":"run","Package":"p","Test":"TestTask1_Adds"}
{"Action":"pass","Package":"p","Test":"TestTask1_Adds"}
{"Action":"run","Package":"p","Test":"TestTask2_Hangs"}
{"Action":"run","Package":"p","Test":"TestTask2_Hangs/sub"}
{"Action":"output","Package":"p","Test":"TestTask2_Hangs/sub","Output":"panic: test timed out after 2s\n"}
{"Action":"output","Package":"p","Test":"TestTask2_Hangs/sub","Output":"\trunning tests:\n"}
{"Action":"output","Package":"p","Test":"TestTask2_Hangs/sub","Output":"\t\tTestTask2_Hangs (2s)\n"}
{"Action":"output","Package":"p","Test":"TestTask2_Hangs/sub","Output":"\t\tTestTask2_Hangs/sub (2s)\n"}
{"Action":"output","Package":"p","Test":"TestTask2_Hangs/sub","Output":"\n"}
{"Action":"output","Package":"p","Test":"TestTask2_Hangs/sub","Output":"goroutine 17 [running]:\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t2.005s\n"}
{"Action":"fail","Package":"p","Elapsed":2.005}
`

func TestParseNamesTheHungTest(t *testing.T) {
	r, err := Parse(strings.NewReader(timedOut))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Package("p")
	if p.TimedOut != "test timed out after 2s" {
		t.Errorf("TimedOut = %q, want %q", p.TimedOut, "test timed out after 2s")
	}
	if want := []string{"TestTask2_Hangs", "TestTask2_Hangs/sub"}; !slices.Equal(p.Hung, want) {
		t.Errorf("Hung = %q, want %q", p.Hung, want)
	}
	if a := p.Test("TestTask2_Hangs").Action; a != "run" {
		t.Errorf("hung test's Action = %q, want run", a)
	}
}

// A compile error is reported under the test build's name; the package's
// own result carries the compiler's messages too.
const buildFailed = `{"ImportPath":"p [p.test]","Action":"build-output","Output":"# p [p.test]\n"}
{"ImportPath":"p [p.test]","Action":"build-output","Output":"p/a.go:2:25: undefined: x\n"}
{"ImportPath":"p [p.test]","Action":"build-fail"}
{"Action":"start","Package":"p"}
{"Action":"output","Package":"p","Output":"FAIL\tp [build failed]\n"}
{"Action":"fail","Package":"p","Elapsed":0,"FailedBuild":"p [p.test]"}
`

func TestParseGivesThePackageItsCompileErrors(t *testing.T) {
	r, err := Parse(strings.NewReader(buildFailed))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Package("p")
	if !p.BuildFailed || !slices.Contains(p.BuildOutput, "p/a.go:2:25: undefined: x") {
		t.Errorf("BuildFailed, BuildOutput = %v, %q; want true and the compiler's message", p.BuildFailed, p.BuildOutput)
	}
}
