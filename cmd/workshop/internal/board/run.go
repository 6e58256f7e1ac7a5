package board

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/gotest"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// DefaultTimeout bounds one step's test run. Every streaming test has a
// deadline of a few seconds of its own, and a step whose later tasks are
// not done yet may spend seconds on each of their tests; a step that runs
// this long has a test stuck somewhere its deadline does not reach.
const DefaultTimeout = 60 * time.Second

// Options tune how the steps' tests are run.
type Options struct {
	// Timeout bounds the tests of one step (go test -timeout); 0 means DefaultTimeout.
	Timeout time.Duration
	// BinDir keeps the compiled test binaries between runs, so that a step
	// nobody touched is not linked again; "" means a temporary folder.
	BinDir string
	// Progress, if set, is told what is happening: "compile" once, then
	// "test" and "done" for each step.
	Progress func(phase, step string)
	// Skip, if set, is a pattern of tests not to run (go test -skip): the
	// board leaves out the browser tests, which take seconds each, so that
	// it answers in about a second; watch, go test and verify run them.
	Skip string
	// ReuseResults lets a step whose test binary is the same as at its last
	// run keep that run's result instead of running again, as go test keeps
	// passes. The steps' tests are deterministic (no verdict rests on
	// timing), so the same binary gives the same verdict; a hang is not
	// kept, since a loaded machine may have caused it. The board sets it;
	// watch, which runs because something changed or the learner asked,
	// does not.
	ReuseResults bool
	// Early, if set, is told the result of the step named EarlyStep before
	// the others whenever the tests must be compiled: that step is compiled
	// and run first, the rest after. The board sets it for a clone's first
	// run only, where compiling everything takes a minute or more; later an
	// edit recompiles one step, and a second go command would only add time.
	EarlyStep string
	Early     func(*Step)

	// noVet leaves go vet out of the build (the early step's: vet would
	// first analyse every package gRPC is made of, 10 s on a fresh clone;
	// the full build that follows vets).
	noVet bool
}

// runTests compiles the tests of the steps' packages in one go command and
// runs each step's test binary, all steps at once, returning what
// `go test -json` would have reported.
//
// Why not simply `go test -json`: the go command caches only passing
// results, so every red step — most of them, for a learner — would be linked
// again on every run, seconds of work for an unchanged step. `go test -c`
// leaves a binary that is up to date alone, and a test binary of this
// workshop runs in milliseconds.
func runTests(ctx context.Context, root string, all []steps.Step, opt Options) (*gotest.Report, []gotest.VetFinding, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string, string) {}
	}
	binDir := opt.BinDir
	if binDir == "" {
		tmp, err := os.MkdirTemp("", "workshop-tests-")
		if err != nil {
			return nil, nil, err
		}
		defer os.RemoveAll(tmp)
		binDir = tmp
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return nil, nil, err
	}
	module, err := modulePath(root)
	if err != nil {
		return nil, nil, err
	}

	// test2json turns a test binary's output into go test -json events; it
	// is found (and, on a fresh cache, built) while the tests compile.
	converter := make(chan []string, 1)
	go func() { converter <- test2json(ctx, root, binDir) }()

	var out bytes.Buffer
	stamp, stampErr := fingerprint(root, all)
	if stampErr != nil {
		stamp = "" // nothing is reused: every binary is built and run
	}
	built, vetted, err := buildTests(ctx, root, binDir, module, all, stamp, opt.noVet, progress, &out)
	if err != nil {
		return nil, nil, err
	}
	t2j := <-converter

	// Each step's events are gathered apart and appended in step order, so
	// the report reads like one go test run.
	results := make([][]byte, len(all))
	var wg sync.WaitGroup
	for i, s := range all {
		importPath := module + "/" + s.Name
		if p := built.Package(importPath); p != nil && p.Action == "skip" {
			continue // no test files
		}
		if failed := failedBuild(built, importPath); failed != "" {
			// The compiler's messages are in out already; this event ties
			// them to the package, as go test does. A stale binary from an
			// earlier build must not run.
			results[i] = jsonEvent(importPath, "fail", "", failed)
			continue
		}
		bin := testBinary(binDir, s)
		if _, err := os.Stat(bin); err != nil {
			return nil, nil, fmt.Errorf("go test -c made no test binary for %s: %v", s.Name, err)
		}
		var cache *resultCache
		if opt.ReuseResults {
			cache = newResultCache(bin, opt)
		}
		if events := cache.load(); events != nil {
			results[i] = events
			progress("done", s.Name)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			progress("test", s.Name)
			results[i] = runBinary(ctx, t2j, bin, s.Dir(), importPath, opt.Timeout, opt.Skip)
			if ctx.Err() == nil {
				cache.store(results[i], importPath)
			}
			progress("done", s.Name)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	for _, r := range results {
		out.Write(r)
	}
	report, err := gotest.Parse(&out)
	return report, gotest.ParseVet(vetted), err
}

// buildTests compiles the steps' test binaries into binDir with one
// `go test -c`, while go vet checks the same packages, and returns what
// each reported (build failures included).
//
// When no Go file, go.mod or go.sum has changed since the last build into
// binDir, the binaries there are current and even asking the go command
// (a second or more on a small laptop) is skipped: its reports from then
// are reused. That is what lets the board answer in about a second.
//
// The go command's events are written to out. With noVet, go vet is not
// run (it first analyses every package gRPC is made of, 10 s on a fresh
// clone).
func buildTests(ctx context.Context, root, binDir, module string, all []steps.Step, stamp string, noVet bool, progress func(phase, step string), out *bytes.Buffer) (*gotest.Report, []byte, error) {
	if built, data := upToDate(binDir, module, all, stamp); built != nil {
		out.Write(data)
		return built, readVet(binDir), nil
	}
	stampFile, reportFile, vetFile := filepath.Join(binDir, "inputs.sum"), filepath.Join(binDir, "build.json"), filepath.Join(binDir, "vet.json")
	os.Remove(stampFile)

	progress("compile", "")
	vetted := make(chan []byte, 1)
	if noVet {
		vetted <- nil
	} else {
		go func() {
			var pkgs []string
			for _, s := range all {
				pkgs = append(pkgs, "./"+s.Name)
			}
			vetted <- gotest.RunVet(ctx, root, pkgs...)
		}()
	}
	// -ldflags=-w leaves out the debugger's tables (DWARF), which nearly
	// halves the link, the slow part of re-running a step after a save;
	// a panic's stack trace still names files and lines. go test's own
	// few vet checks are off: go vet runs them all beside the build.
	args := []string{"test", "-c", "-json", "-vet=off", "-ldflags=-w", "-o", binDir + string(filepath.Separator)}
	for _, s := range all {
		args = append(args, "./"+s.Name)
	}
	var stderr bytes.Buffer
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir, build.Stdout, build.Stderr = root, out, &stderr
	buildErr := build.Run()
	vet := <-vetted
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	built, err := gotest.Parse(bytes.NewReader(out.Bytes()))
	if err != nil {
		return nil, nil, err
	}
	if buildErr != nil && !slices.ContainsFunc(built.Packages, func(p *gotest.Package) bool { return p.BuildFailed }) {
		// Not a package that fails to build (go.mod, say): nothing was
		// built, and binaries left from an earlier run must not stand in.
		os.Remove(stampFile)
		return nil, nil, fmt.Errorf("go test -c: %v\n%s", buildErr, stderr.String())
	}
	// A build without vet (the early step's) is not remembered: the next
	// board builds again, and vets.
	if stamp != "" && !noVet && os.WriteFile(reportFile, out.Bytes(), 0o644) == nil && os.WriteFile(vetFile, vet, 0o644) == nil {
		os.WriteFile(stampFile, []byte(stamp), 0o644)
	}
	return built, vet, nil
}

// mustBuild reports whether the steps' tests must be compiled before they
// can run: nothing built into opt.BinDir yet, or something changed since.
func mustBuild(root string, all []steps.Step, opt Options) bool {
	if opt.BinDir == "" {
		return true
	}
	module, err := modulePath(root)
	if err != nil {
		return true
	}
	stamp, err := fingerprint(root, all)
	if err != nil {
		return true
	}
	built, _ := upToDate(opt.BinDir, module, all, stamp)
	return built == nil
}

// upToDate returns the go command's report of the last build into binDir,
// parsed and as it was written, if that build was of the same inputs
// (stamp) and left every binary it made in place; otherwise nil: the steps
// must be built.
func upToDate(binDir, module string, all []steps.Step, stamp string) (*gotest.Report, []byte) {
	if stamp == "" {
		return nil, nil
	}
	if old, err := os.ReadFile(filepath.Join(binDir, "inputs.sum")); err != nil || string(old) != stamp {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(binDir, "build.json"))
	if err != nil {
		return nil, nil
	}
	built, err := gotest.Parse(bytes.NewReader(data))
	if err != nil || !binariesPresent(built, binDir, module, all) {
		return nil, nil
	}
	return built, data
}

// resultCache keeps the events of a step's last run, under a key naming
// everything the run depended on: the test binary (its build ID, which the
// go command changes whenever the binary's content does), the tests left
// out and the timeout. A nil *resultCache keeps nothing.
type resultCache struct{ file, key string }

func newResultCache(bin string, opt Options) *resultCache {
	id, err := buildID(bin)
	if err != nil {
		return nil
	}
	return &resultCache{
		file: strings.TrimSuffix(bin, ".exe") + ".result",
		key:  fmt.Sprintf("%s %q %v\n", id, opt.Skip, opt.Timeout),
	}
}

// load returns the remembered events, or nil.
func (c *resultCache) load() []byte {
	if c == nil {
		return nil
	}
	data, err := os.ReadFile(c.file)
	if err != nil {
		return nil
	}
	events, ok := bytes.CutPrefix(data, []byte(c.key))
	if !ok {
		return nil
	}
	return events
}

// store remembers events if the run ended with a verdict, pass or fail, and
// forgets any earlier result if it did not (a hang, a crash before the
// verdict): those are run again.
func (c *resultCache) store(events []byte, importPath string) {
	if c == nil {
		return
	}
	r, err := gotest.Parse(bytes.NewReader(events))
	p := r.Package(importPath)
	if err != nil || p == nil || (p.Action != "pass" && p.Action != "fail") || p.TimedOut != "" || len(p.Hung) > 0 {
		os.Remove(c.file)
		return
	}
	os.WriteFile(c.file, append([]byte(c.key), events...), 0o644)
}

// buildID reads the build ID the go command gives every binary it links
// (what `go tool buildid` prints): on Linux in an ELF note, elsewhere near
// the start of the file after a marker.
func buildID(bin string) (string, error) {
	if f, err := elf.Open(bin); err == nil {
		defer f.Close()
		// The note: name size, ID size, type (4 bytes each), "Go\x00\x00", ID.
		if sec := f.Section(".note.go.buildid"); sec != nil {
			if data, err := sec.Data(); err == nil && len(data) > 16 {
				if n := int(f.ByteOrder.Uint32(data[4:8])); 16+n <= len(data) {
					return string(data[16 : 16+n]), nil
				}
			}
		}
		return "", errors.New("no build ID in " + bin)
	}
	f, err := os.Open(bin)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	_, rest, ok := bytes.Cut(head[:n], []byte("\xff Go build ID: \""))
	if !ok {
		return "", errors.New("no build ID in " + bin)
	}
	id, _, ok := bytes.Cut(rest, []byte(`"`))
	if !ok || len(id) == 0 {
		return "", errors.New("no build ID in " + bin)
	}
	return string(id), nil
}

// testBinary is where go test -c -o binDir/ puts step s's test binary.
func testBinary(binDir string, s steps.Step) string {
	bin := filepath.Join(binDir, s.Name+".test")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	return bin
}

// binariesPresent reports whether every step that built has its binary.
func binariesPresent(built *gotest.Report, binDir, module string, all []steps.Step) bool {
	for _, s := range all {
		importPath := module + "/" + s.Name
		if p := built.Package(importPath); (p != nil && p.Action == "skip") || failedBuild(built, importPath) != "" {
			continue
		}
		if _, err := os.Stat(testBinary(binDir, s)); err != nil {
			return false
		}
	}
	return true
}

// fingerprint sums up what the steps' tests are built from and read: the
// name, size and modification time of every file in the module (outside
// solutions/, which the board does not build, and hidden folders such as
// .git): Go files, go.mod and go.sum, files embedded in a binary (06's
// page) and test data.
func fingerprint(root string, all []steps.Step) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), os.Getenv("GOFLAGS"), os.Getenv("GOTOOLCHAIN"))
	for _, s := range all {
		fmt.Fprintln(h, s.Name) // a different set of steps is a different build
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == steps.SolutionsDir) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") {
			return nil // an editor's swap file, say
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil)), err
}

// runBinary runs one test binary in its package's folder, as go test does,
// and returns its output as go test -json events. The binary is a child of
// this process, not of test2json, so cancelling ctx stops it at once.
func runBinary(ctx context.Context, t2j []string, bin, dir, importPath string, timeout time.Duration, skip string) []byte {
	var events bytes.Buffer
	fail := func(msg string) []byte {
		for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
			events.Write(jsonEvent(importPath, "output", l+"\n", ""))
		}
		events.Write(jsonEvent(importPath, "fail", "", ""))
		return events.Bytes()
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return fail(err.Error())
	}
	defer pr.Close()
	args := []string{"-test.v=test2json", "-test.timeout=" + timeout.String(), "-test.paniconexit0"}
	if skip != "" {
		args = append(args, "-test.skip="+skip)
	}
	test := exec.CommandContext(ctx, bin, args...)
	test.Dir = dir
	test.Stdout, test.Stderr = pw, pw // one pipe keeps the panic report in order
	conv := exec.CommandContext(ctx, t2j[0], append(t2j[1:], "-t", "-p", importPath)...)
	conv.Stdin, conv.Stdout = pr, &events
	if err := conv.Start(); err != nil {
		pw.Close()
		return fail("test2json: " + err.Error())
	}
	startErr := test.Start()
	pw.Close()
	var testErr error
	if startErr == nil {
		testErr = test.Wait()
	}
	convErr := conv.Wait()
	switch {
	case startErr != nil:
		return fail(startErr.Error())
	case convErr != nil:
		return fail("test2json: " + convErr.Error())
	}
	if testErr != nil && !hasPackageResult(events.Bytes(), importPath) {
		// A panic or a timeout ends the binary before it prints its verdict.
		return fail(fmt.Sprintf("FAIL\t%s\t(%v)", importPath, testErr))
	}
	return events.Bytes()
}

// hasPackageResult reports whether events hold the package's final pass or fail.
func hasPackageResult(events []byte, importPath string) bool {
	r, err := gotest.Parse(bytes.NewReader(events))
	return err == nil && r.Package(importPath) != nil && r.Package(importPath).Action != ""
}

// jsonEvent is one go test -json event about the package as a whole.
func jsonEvent(pkg, action, output, failedBuild string) []byte {
	data, _ := json.Marshal(struct {
		Action, Package     string
		Output, FailedBuild string `json:",omitempty"`
	}{action, pkg, output, failedBuild})
	return append(data, '\n')
}

// failedBuild returns the name of the failed build of the package or its
// test variant ("pkg [pkg.test]"), or "".
func failedBuild(r *gotest.Report, importPath string) string {
	for _, p := range r.Packages {
		if p.BuildFailed && (p.ImportPath == importPath || strings.HasPrefix(p.ImportPath, importPath+" [")) {
			return p.ImportPath
		}
	}
	return ""
}

var (
	test2jsonOnce sync.Once
	test2jsonCmd  []string
)

// test2json returns the command line of Go's test2json: the binary the go
// command built and cached (asked once per process), or else `go tool test2json`.
func test2json(ctx context.Context, root, binDir string) []string {
	test2jsonOnce.Do(func() {
		test2jsonCmd = []string{"go", "tool", "test2json"}
		// The path the go command gave last time, if it is still there.
		remembered := filepath.Join(binDir, "test2json.path")
		if data, err := os.ReadFile(remembered); err == nil {
			if _, err := os.Stat(string(data)); err == nil {
				test2jsonCmd = []string{string(data)}
				return
			}
		}
		cmd := exec.CommandContext(ctx, "go", "tool", "-n", "test2json")
		cmd.Dir = root
		out, err := cmd.Output()
		path := strings.TrimSpace(string(out))
		if err != nil || strings.Contains(path, "\n") {
			return
		}
		if _, err := os.Stat(path); err == nil {
			test2jsonCmd = []string{path}
			os.WriteFile(remembered, []byte(path), 0o644)
		}
	})
	return test2jsonCmd
}

// modulePath reads the module path from root/go.mod.
func modulePath(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", errors.New("go.mod has no module line")
}
