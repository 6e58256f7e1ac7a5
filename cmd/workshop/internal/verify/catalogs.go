package verify

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/catalog"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// The smallest catalogs a step may have.
const (
	MinMistakes     = 10
	MinAlternatives = 5
)

// checkCatalogs tries both catalogs of every step against the step's tests,
// in one batch so that the go command keeps both cores busy: every mistake
// must be caught (some test fails, naming a task, within catalog.Deadline)
// and every alternative must pass every test. It ends with the lines
// "mutants: N caught, N missed" and "alternatives: N passed, N failed";
// verbose, it also says what caught each mistake.
func checkCatalogs(ctx context.Context, root, tmp string, all []steps.Step, out io.Writer, verbose, fresh bool) []result {
	var entries []catalog.Variant
	var results []result
	for _, s := range all {
		for _, k := range []struct {
			kind catalog.Kind
			min  int
			what string
		}{{catalog.Mistakes, MinMistakes, "plausible learner mistakes"}, {catalog.Alternatives, MinAlternatives, "correct solutions of other shapes"}} {
			c, err := catalog.Read(s, k.kind)
			if err == nil && len(c) < k.min {
				err = fmt.Errorf("%s/%s/%s holds %d, want at least %d %s", steps.SolutionsDir, s.Name, k.kind.Dir(), len(c), k.min, k.what)
			}
			if err != nil {
				results = append(results, result{s.Name + ": a catalog of " + string(k.kind), err})
			}
			entries = append(entries, c...)
		}
	}
	outcomes := catalog.Check(ctx, root, filepath.Join(tmp, "catalogs"), entries, fresh)

	count := map[catalog.Kind]int{}
	total := map[catalog.Kind]int{}
	cached := 0
	for _, s := range all {
		for _, kind := range []catalog.Kind{catalog.Mistakes, catalog.Alternatives} {
			var wrong []string
			n := 0
			for _, o := range outcomes {
				if o.Variant.Step != s || o.Variant.Kind != kind {
					continue
				}
				n++
				total[kind]++
				if verbose && o.OK() && kind == catalog.Mistakes {
					took := fmt.Sprintf("in %.1fs", o.Took.Seconds())
					if o.Cached {
						took = "before (nothing changed since)"
					}
					fmt.Fprintf(out, "  caught %s by %s: %s\n", took, o.By, o.Variant)
				}
				if o.OK() {
					count[kind]++
					if o.Cached {
						cached++
					}
					continue
				}
				wrong = append(wrong, fmt.Sprintf("%s\n    %s", o.Variant, strings.ReplaceAll(o.Problem, "\n", "\n    ")))
			}
			if n == 0 {
				continue
			}
			name := fmt.Sprintf("%s: the tests catch all %d mistakes of its catalog", s.Name, n)
			var err error
			if kind == catalog.Alternatives {
				name = fmt.Sprintf("%s: the tests pass all %d correct alternatives of its catalog", s.Name, n)
				if len(wrong) > 0 {
					err = fmt.Errorf("failed:\n%s", strings.Join(wrong, "\n"))
				}
			} else if len(wrong) > 0 {
				err = fmt.Errorf("missed:\n%s", strings.Join(wrong, "\n"))
			}
			results = append(results, result{name, err})
		}
	}
	alternatives := fmt.Sprintf("alternatives: %d passed, %d failed", count[catalog.Alternatives], total[catalog.Alternatives]-count[catalog.Alternatives])
	if cached > 0 {
		alternatives += fmt.Sprintf(" (%d entries judged before, with nothing they depend on changed since; -fresh tries them again)", cached)
	}
	return append(results,
		result{fmt.Sprintf("mutants: %d caught, %d missed", count[catalog.Mistakes], total[catalog.Mistakes]-count[catalog.Mistakes]), nil},
		result{alternatives, nil})
}
