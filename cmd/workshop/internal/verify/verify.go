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
// check failed. The stages run in this order, each one function:
//
//  1. the tree: formatted, vetted, generated code current, the workshop's own
//     packages tested, every top-level entry described (whole tree only);
//  2. teaching: TODOs state goals, hints are in HINTS.md, words within
//     their budgets;
//  3. the boundary: tests use of the learner's files only what a task names;
//  4. skeletons: every task test fails, quoting its TODO;
//  5. solutions: every test passes with -race;
//  6. catalogs: every mistake is caught, every alternative passes;
//  7. Python: the Python clients keep the contract (whole tree only).
func Run(ctx context.Context, root string, out io.Writer, opt Options) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	whole := len(opt.Only) == 0
	all, err := stepsToCheck(root, opt.Only)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "workshop-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	r := &reporter{out: out}
	if whole {
		checkTree(ctx, root, r)
	}
	if len(all) == 0 {
		r.fail("steps found", fmt.Errorf("no folder named like 01-name under %s", root))
	}
	r.add(checkTeachingAll(all)...)
	r.check("the learner's path keeps its word budgets (README ≤ 900, a step's README ≤ 1,800, HINTS ≤ 1,000)", checkWords(root, all))
	r.add(checkBoundaries(ctx, root, all)...)
	r.add(checkSkeletons(ctx, root, all)...)
	r.add(checkSolutions(ctx, root, tmp, all)...)
	r.add(checkCatalogs(ctx, root, tmp, all, out, !whole, opt.Fresh)...)
	if whole {
		checkPython(ctx, root, all, r)
	}

	fmt.Fprintf(out, "\n%d passed, %d failed\n", r.passed, r.failed)
	if r.failed > 0 {
		return fmt.Errorf("%d check(s) failed", r.failed)
	}
	return nil
}

// stepsToCheck returns the steps named in only, or every step of the tree.
func stepsToCheck(root string, only []string) ([]steps.Step, error) {
	if len(only) == 0 {
		return steps.Discover(root)
	}
	var all []steps.Step
	for _, name := range only {
		s, err := steps.Find(root, name)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	return all, nil
}

// checkTree checks what belongs to no step: formatting, vet, generated
// code, the workshop's own packages, the layout's description and the
// Markdown links; each is
// reported as it finishes.
func checkTree(ctx context.Context, root string, r *reporter) {
	r.check("gofmt: every .go file is formatted", checkGofmt(root))
	r.check("go vet ./... is clean (skeletons and solutions)", goCommand(ctx, root, "vet", "./..."))
	r.check("generated code is what `go generate ./...` produces", checkGenerated(ctx, root))
	r.check("the workshop's own packages and the claims pass their tests (go test -race ./internal/... ./cmd/... ./docs/...)", checkTooling(ctx, root))
	r.check("README.md and CONTRIBUTING.md name every top-level entry of the tree", checkLayout(root))
	r.check("every relative link in the Markdown files leads somewhere", checkLinks(root))
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

// result is one named check and its outcome (nil: passed).
type result struct {
	name string
	err  error
}

// reporter prints each check as it completes and counts them.
type reporter struct {
	out            io.Writer
	passed, failed int
}

func (r *reporter) add(results ...result) {
	for _, res := range results {
		r.check(res.name, res.err)
	}
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
