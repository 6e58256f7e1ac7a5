// Package verify proves the workshop works: that it is formatted and vetted,
// that its generated code is current, and that for every step the tests fail
// on the skeleton (so they teach something) and pass on the solution (so the
// tasks can be done). `go run ./cmd/workshop verify` runs it; so does CI.
package verify

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// Run runs every check on the workshop at root, reporting each on out as it
// finishes, then a line "N passed, N failed". It returns an error if any
// check failed.
func Run(ctx context.Context, root string, out io.Writer, opt Options) error {
	only := opt.Only
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	r := &reporter{out: out}

	var all []steps.Step
	if len(only) == 0 {
		r.check("gofmt: every .go file is formatted", checkGofmt(root))
		r.check("go vet ./... is clean (skeletons and solutions)", goCommand(ctx, root, "vet", "./..."))
		r.check("generated code is what `go generate ./...` produces", checkGenerated(ctx, root))
		r.check("the workshop's own packages pass their tests (go test -race ./internal/... ./cmd/...)", checkTooling(ctx, root))
		checkPython(ctx, root, r)
		if all, err = steps.Discover(root); err != nil {
			return err
		}
	}
	for _, name := range only {
		s, err := steps.Find(root, name)
		if err != nil {
			return err
		}
		all = append(all, s)
	}
	if len(all) == 0 {
		r.fail("steps found", fmt.Errorf("no folder named like 01-name under %s", root))
	}
	tmp, err := os.MkdirTemp("", "workshop-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, res := range checkSteps(ctx, root, tmp, all) {
		r.check(res.name, res.err)
	}
	for _, res := range checkCatalogs(ctx, root, tmp, all, out, len(only) > 0, opt.Fresh) {
		r.check(res.name, res.err)
	}

	fmt.Fprintf(out, "\n%d passed, %d failed\n", r.passed, r.failed)
	if r.failed > 0 {
		return fmt.Errorf("%d check(s) failed", r.failed)
	}
	return nil
}

// Options narrow or widen what Run does.
type Options struct {
	// Only names steps ("02") to check alone, skipping the checks of the
	// whole tree: the quick loop while writing a step.
	Only []string
	// Fresh tries every mistake of the catalogs, also those caught before
	// with nothing they depend on changed since (CI does).
	Fresh bool
}

// reporter prints each check as it completes and counts them.
type reporter struct {
	out            io.Writer
	passed, failed int
}

func (r *reporter) check(name string, err error) {
	if err != nil {
		r.fail(name, err)
		return
	}
	r.passed++
	fmt.Fprintf(r.out, "✓ %s\n", name)
}

func (r *reporter) fail(name string, err error) {
	r.failed++
	fmt.Fprintf(r.out, "✗ %s\n%s\n", name, indent(err.Error()))
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
