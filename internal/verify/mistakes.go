package verify

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/internal/mistakes"
	"github.com/grpc-streaming-workshop/workshop/internal/steps"
)

// MinMistakes is the smallest catalog a step may have.
const MinMistakes = 10

// checkMistakes applies every mistake in every step's catalog to the
// solution and requires that the step's tests catch it: some test fails,
// naming a task, within mistakes.Deadline. It ends with the line
// "mutants: N caught, N missed"; verbose, it also says what caught each one.
func checkMistakes(ctx context.Context, root, tmp string, all []steps.Step, out io.Writer, verbose, fresh bool) []result {
	var catalog []mistakes.Mistake
	var results []result
	for _, s := range all {
		c, err := mistakes.Catalog(s)
		if err == nil && len(c) < MinMistakes {
			err = fmt.Errorf("%s/%s holds %d, want at least %d plausible learner mistakes", s.Name, mistakes.Dir, len(c), MinMistakes)
		}
		if err != nil {
			results = append(results, result{s.Name + ": a catalog of mistakes", err})
		}
		catalog = append(catalog, c...)
	}
	outcomes := mistakes.Check(ctx, root, filepath.Join(tmp, "mistakes"), catalog, fresh)

	caught, cached := 0, 0
	for _, s := range all {
		var missed []string
		n := 0
		for _, o := range outcomes {
			if o.Mistake.Step != s {
				continue
			}
			n++
			if verbose && o.Caught() {
				took := fmt.Sprintf("in %.1fs", o.Took.Seconds())
				if o.Cached {
					took = "before (nothing changed since)"
				}
				fmt.Fprintf(out, "  caught %s by %s: %s\n", took, o.By, o.Mistake)
			}
			if o.Caught() {
				caught++
				if o.Cached {
					cached++
				}
				continue
			}
			missed = append(missed, fmt.Sprintf("%s\n    %s", o.Mistake, strings.ReplaceAll(o.Problem, "\n", "\n    ")))
		}
		if n == 0 {
			continue
		}
		var err error
		if len(missed) > 0 {
			err = fmt.Errorf("missed:\n%s", strings.Join(missed, "\n"))
		}
		results = append(results, result{fmt.Sprintf("%s: the tests catch all %d mistakes of its catalog", s.Name, n), err})
	}
	summary := fmt.Sprintf("mutants: %d caught, %d missed", caught, len(outcomes)-caught)
	if cached > 0 {
		summary += fmt.Sprintf(" (%d caught before, with nothing they depend on changed since; -fresh tries them again)", cached)
	}
	return append(results, result{summary, nil})
}
