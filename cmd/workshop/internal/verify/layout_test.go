package verify

import (
	"strings"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/workshoptest"
)

func TestAnUndescribedTopLevelEntryFails(t *testing.T) {
	root := t.TempDir()
	workshoptest.Write(t, root, "README.md", "# W\n\n## What is where\n\n```\nNN-step/   a step\ncmd/       the command\n```\n\n## Next\n\nextra/ is named here, outside the section.\n")
	workshoptest.Write(t, root, "CONTRIBUTING.md", "## Anatomy\n\n`NN-name/`, `cmd/`, `extra/`, README.md, CONTRIBUTING.md\n")
	workshoptest.Write(t, root, "01-sum/sum.go", "package sum\n")
	workshoptest.Write(t, root, "cmd/workshop/main.go", "package main\n")
	workshoptest.Write(t, root, "extra/x.go", "package extra\n")
	err := checkLayout(root)
	if err == nil {
		t.Fatal("checkLayout passed, but README.md's What is where names neither extra/ nor the two Markdown files")
	}
	for _, want := range []string{"README.md, ## What is where: extra/ is not described", "README.md, ## What is where: CONTRIBUTING.md is not described"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("checkLayout says %q, want it to say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "CONTRIBUTING.md, ## Anatomy") {
		t.Errorf("checkLayout complains of CONTRIBUTING.md, which names everything: %v", err)
	}
}
