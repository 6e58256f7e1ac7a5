package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/gotest"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/hints"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
	"github.com/grpc-streaming-workshop/workshop/internal/tasks"
)

// checkTeachingAll: for every step, the solution files stand in for
// skeleton files, TODOs state goals and the hints are in HINTS.md.
func checkTeachingAll(all []steps.Step) []result {
	var results []result
	for _, s := range all {
		results = append(results,
			result{s.Name + ": solution files stand in for skeleton files", checkSolutionFiles(s)},
			result{s.Name + ": TODOs state goals, and the hints are in " + hints.File + ", not the README", checkTeaching(s)})
	}
	return results
}

// checkSkeletons runs the tests of every step's skeleton, in one `go test`
// so the go command can use both cores: every task test must fail.
func checkSkeletons(ctx context.Context, root string, all []steps.Step) []result {
	skeleton, err := gotest.Run(ctx, root, append([]string{"-count=1", "-timeout=2m"}, patterns(all)...)...)
	if err != nil {
		return []result{{"skeleton tests run", err}}
	}
	var results []result
	for _, s := range all {
		results = append(results, checkSkeleton(s, stepPackages(skeleton, s))...)
	}
	return results
}

// checkSolutions runs the tests of every step with all solutions overlaid,
// in one `go test`: every test must pass under the race detector.
func checkSolutions(ctx context.Context, root, tmp string, all []steps.Step) []result {
	overlay, err := steps.WriteOverlay(tmp, all...)
	if err != nil {
		return []result{{"solutions are laid over the skeletons", err}}
	}
	solved, err := gotest.Run(ctx, root, append([]string{"-overlay=" + overlay, "-race", "-count=1", "-timeout=5m"}, patterns(all)...)...)
	if err != nil {
		return []result{{"solution tests run", err}}
	}
	var results []result
	for _, s := range all {
		results = append(results, checkSolution(s, stepPackages(solved, s)))
	}
	return results
}

func patterns(all []steps.Step) []string {
	var p []string
	for _, s := range all {
		p = append(p, s.Pattern())
	}
	return p
}

// stepPackages returns the packages of r that belong to step s.
func stepPackages(r *gotest.Report, s steps.Step) []*gotest.Package {
	var pkgs []*gotest.Package
	for _, p := range r.Packages {
		if slices.Contains(strings.Split(p.ImportPath, "/"), s.Name) {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs
}

// checkSolutionFiles: each solution file replaces a skeleton file of the same
// name, and holds no task left to do.
func checkSolutionFiles(s steps.Step) error {
	files, err := s.LearnerFiles()
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s is empty", s.SolutionDir())
	}
	var problems []string
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(s.Dir(), f)); err != nil {
			problems = append(problems, fmt.Sprintf("%s/%s has no skeleton %s/%s to replace", steps.SolutionsDir, s.Name, s.Name, f))
		}
		data, err := os.ReadFile(filepath.Join(s.SolutionDir(), f))
		if err != nil {
			return err
		}
		if len(tasks.TODOTasks(data)) > 0 {
			problems = append(problems, fmt.Sprintf("%s/%s/%s still has a TODO(task N)", steps.SolutionsDir, s.Name, f))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// checkSkeleton: the skeleton and its tests compile, every TODO(task N) has a
// TestTaskN_ test, and every task test fails.
func checkSkeleton(s steps.Step, pkgs []*gotest.Package) []result {
	var build []string
	for _, p := range pkgs {
		if p.BuildFailed {
			build = append(build, p.BuildOutput...)
			if len(p.BuildOutput) == 0 {
				build = append(build, p.ImportPath+": does not build")
			}
		}
	}
	if len(pkgs) == 0 {
		build = append(build, "no packages found")
	}
	builds := result{s.Name + ": skeleton and its tests compile", nil}
	if len(build) > 0 {
		builds.err = fmt.Errorf("%s", strings.Join(build, "\n"))
		return []result{builds}
	}
	results := []result{builds}

	tested := map[int]bool{}
	for _, p := range pkgs {
		for _, t := range p.Tests {
			n, ok := tasks.TaskOfTest(t.Name)
			if !ok || !t.TopLevel() {
				continue
			}
			tested[n] = true
			var err error
			switch t.Action {
			case "pass":
				err = fmt.Errorf("%s passes on the skeleton: a task test must fail until the task is done", t.Name)
			case "skip":
				err = fmt.Errorf("%s is skipped on the skeleton: a task test must fail until the task is done", t.Name)
			default:
				if !board.MentionsTODO(p, t.Name) {
					err = fmt.Errorf("%s fails on the skeleton without quoting the skeleton's TODO(task N) error, so the board shows the task as begun (✗) on a fresh clone: put the error the code returned in the message", t.Name)
				}
			}
			results = append(results, result{fmt.Sprintf("%s: %s fails on the skeleton", s.Name, t.Name), err})
		}
	}

	todos, err := skeletonTasks(s)
	var missing []string
	for _, n := range todos {
		if !tested[n] {
			missing = append(missing, fmt.Sprintf("TODO(task %d) has no TestTask%d_… test", n, n))
		}
	}
	if err == nil && len(todos) == 0 {
		err = fmt.Errorf("the skeleton has no TODO(task N)")
	}
	if err == nil && len(missing) > 0 {
		err = fmt.Errorf("%s", strings.Join(missing, "\n"))
	}
	results = append(results, result{s.Name + ": every TODO(task N) has a failing test", err})
	return results
}

// skeletonTasks lists the task numbers of the TODO(task N) markers in the
// step's learner-edited files.
func skeletonTasks(s steps.Step) ([]int, error) {
	files, err := s.LearnerFiles()
	if err != nil {
		return nil, err
	}
	var todo []int
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(s.Dir(), f))
		if err != nil {
			return nil, err
		}
		for _, n := range tasks.TODOTasks(data) {
			if !slices.Contains(todo, n) {
				todo = append(todo, n)
			}
		}
	}
	slices.Sort(todo)
	return todo, nil
}

// checkSolution: with the solution overlaid, every test builds and passes
// under -race. A skipped test is reported but not counted as a failure: only
// a test that needs a missing tool (a browser) may skip, and CI makes it fail.
func checkSolution(s steps.Step, pkgs []*gotest.Package) result {
	var problems []string
	passed := 0
	for _, p := range pkgs {
		if p.BuildFailed {
			problems = append(problems, append([]string{p.ImportPath + " does not build with the solution:"}, p.BuildOutput...)...)
			continue
		}
		for _, t := range p.Tests {
			switch {
			case t.Action == "pass":
				if t.TopLevel() {
					passed++
				}
			case t.Action == "skip":
				fmt.Fprintf(os.Stderr, "  ⚠ %s: %s skipped: %s\n", s.Name, t.Name, strings.TrimSpace(strings.Join(t.Output, " ")))
			case t.TopLevel() || t.Action == "fail":
				problems = append(problems, append([]string{t.Name + " " + verb(t.Action) + ":"}, t.Output...)...)
			}
		}
		if p.Action == "fail" && len(problems) == 0 {
			problems = append(problems, append([]string{p.ImportPath + " failed:"}, p.Output...)...)
		}
	}
	name := fmt.Sprintf("%s: solution passes all %d tests with -race", s.Name, passed)
	if len(problems) > 0 {
		return result{s.Name + ": solution passes its tests with -race", fmt.Errorf("%s", strings.Join(problems, "\n"))}
	}
	if passed == 0 {
		return result{name, fmt.Errorf("no test ran")}
	}
	return result{name, nil}
}

func verb(action string) string {
	if action == "run" {
		return "never finished (hung?)"
	}
	return "failed"
}
