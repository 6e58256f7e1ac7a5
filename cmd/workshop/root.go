package main

import (
	"bufio"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// selfCommand is how the workshop's own suggestions spell it: from the
// workshop's root, or, when run from a folder inside it, the path from there
// (set by main).
var selfCommand = "go run ./cmd/workshop"

// commandFrom spells the workshop command as run from the current folder.
func commandFrom(root string) string {
	wd, err := os.Getwd()
	if err != nil {
		return selfCommand
	}
	rel, err := filepath.Rel(wd, root)
	if err != nil || rel == "." {
		return selfCommand
	}
	return "go run " + filepath.ToSlash(rel) + "/cmd/workshop"
}

// findRoot returns the workshop's root: the folder holding go.mod, from the
// current folder upwards.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the workshop: no go.mod here or above")
		}
		dir = parent
	}
}

// findStep returns the workshop root and the step a command-line argument
// names ("01" or "01-unary").
func findStep(name string) (string, steps.Step, error) {
	root, err := findRoot()
	if err != nil {
		return "", steps.Step{}, err
	}
	step, err := steps.Find(root, name)
	return root, step, err
}

// cacheDir is where the workshop keeps what it learns between runs (compiled
// tests, hints shown) for the clone at root: in the user's cache folder,
// never in the clone.
func cacheDir(root string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	h := fnv.New32a()
	h.Write([]byte(root))
	return filepath.Join(dir, "grpc-streaming-workshop", strconv.FormatUint(uint64(h.Sum32()), 36)), nil
}

// style is how to print on stdout.
func style() board.Style {
	return board.Style{Color: board.Colors(os.Stdout), Command: selfCommand, Path: pathFromHere}
}

// pathFromHere spells rel, a slash-separated path from the workshop's root,
// from the current folder, so that advice such as "open 01-unary/server.go"
// works where the learner stands.
func pathFromHere(rel string) string {
	root, err := findRoot()
	if err != nil {
		return rel
	}
	wd, err := os.Getwd()
	if err != nil {
		return rel
	}
	from, err := filepath.Rel(wd, filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return rel
	}
	return filepath.ToSlash(from)
}

// stdin is read by line by confirm and by watch; one reader for both.
var stdin = bufio.NewReader(os.Stdin)

// confirm asks a yes/no question; only "y" or "yes" is a yes.
func confirm(question string) bool {
	fmt.Printf("%s [y/N] ", question)
	answer, _ := stdin.ReadString('\n')
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}
