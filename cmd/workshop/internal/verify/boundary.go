package verify

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// checkBoundaries: a step's tests use, of the learner's files, only what a
// task names — every function, type, method, field, constant or variable
// declared in a learner file that a test refers to is written in backticks
// in the step's README. A test that reads a field the learner was never
// told about, or calls a helper of the solution's own design, grades the
// shape of the code: a correct solution of another shape fails it.
//
// The steps are type-checked in one load, with their tests.
func checkBoundaries(ctx context.Context, root string, all []steps.Step) []result {
	var patterns []string
	for _, s := range all {
		patterns = append(patterns, s.Pattern())
	}
	pkgs, err := packages.Load(&packages.Config{
		Context: ctx,
		Dir:     root,
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Tests:   true,
	}, patterns...)
	if err != nil {
		return []result{{"the steps and their tests type-check", err}}
	}
	var results []result
	for _, s := range all {
		results = append(results, result{s.Name + ": tests use, of the learner's files, only what a task names", checkBoundary(s, pkgs)})
	}
	return results
}

// checkBoundary checks the test files of step s among the loaded pkgs.
func checkBoundary(s steps.Step, pkgs []*packages.Package) error {
	learner, err := s.LearnerFiles()
	if err != nil {
		return err
	}
	isLearner := map[string]bool{}
	for _, f := range learner {
		isLearner[filepath.Join(s.Dir(), f)] = true
	}
	readme, err := os.ReadFile(filepath.Join(s.Dir(), "README.md"))
	if err != nil {
		return err
	}
	named := namedInCode(string(readme))

	var problems []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		if !strings.HasPrefix(p.Fset.Position(firstPos(p)).Filename, s.Dir()+string(filepath.Separator)) {
			continue
		}
		for _, e := range p.Errors {
			return fmt.Errorf("%s: %v", p.PkgPath, e)
		}
		for _, file := range p.Syntax {
			path := p.Fset.Position(file.Pos()).Filename
			if !strings.HasSuffix(path, "_test.go") {
				continue
			}
			ast.Inspect(file, func(n ast.Node) bool {
				id, ok := n.(*ast.Ident)
				if !ok {
					return true
				}
				obj := p.TypesInfo.Uses[id]
				if obj == nil || !isLearner[p.Fset.Position(obj.Pos()).Filename] || named[obj.Name()] {
					return true
				}
				if _, isPkg := obj.(*types.PkgName); isPkg {
					return true
				}
				at := p.Fset.Position(id.Pos())
				rel, _ := filepath.Rel(s.Root, at.Filename)
				decl, _ := filepath.Rel(s.Dir(), p.Fset.Position(obj.Pos()).Filename)
				problem := fmt.Sprintf("%s:%d: the test uses %s, declared in %s, which %s/README.md never names in backticks",
					filepath.ToSlash(rel), at.Line, obj.Name(), filepath.ToSlash(decl), s.Name)
				if !seen[problem] {
					seen[problem] = true
					problems = append(problems, problem)
				}
				return true
			})
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("tests may use of the learner's files only what a task names:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

// firstPos is where the first file of p begins (no position if it has none).
func firstPos(p *packages.Package) token.Pos {
	if len(p.Syntax) == 0 {
		return token.NoPos
	}
	return p.Syntax[0].Pos()
}

var (
	codeSpan   = regexp.MustCompile("`[^`\n]+`")
	identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
)

// namedInCode returns every identifier the markdown text writes in a code
// span: "`Hub.Join(name)`" names Hub, Join and name.
func namedInCode(markdown string) map[string]bool {
	named := map[string]bool{}
	for _, span := range codeSpan.FindAllString(markdown, -1) {
		for _, id := range identifier.FindAllString(span, -1) {
			named[id] = true
		}
	}
	return named
}
