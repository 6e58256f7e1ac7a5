package verify

import (
	"strings"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/workshoptest"
)

func TestALinkToAMissingFileFails(t *testing.T) {
	root := t.TempDir()
	workshoptest.Write(t, root, "docs/claims/claims_test.go", "package claims\n")
	workshoptest.Write(t, root, "01-sum/README.md", "See [the claim](../docs/claims/claims_test.go), [the folder](../docs/claims/),\n"+
		"[a section](#run-it), [grpc.io](https://grpc.io/docs/) and [a moved file](../docs/claims/gone_test.go#L3).\n"+
		"```go\nv := m[k](x) // code, not a link: [i](j)\n```\n"+
		"[Outside](../../elsewhere.md)\n")
	err := checkLinks(root)
	if err == nil {
		t.Fatal("checkLinks passed, but 01-sum/README.md links to docs/claims/gone_test.go, which does not exist")
	}
	want := "01-sum/README.md links to ../docs/claims/gone_test.go#L3, which does not exist\n" +
		"01-sum/README.md links to ../../elsewhere.md, outside the repository"
	if err.Error() != want {
		t.Errorf("checkLinks says %q, want only %q", err, want)
	}
	if strings.Contains(err.Error(), "grpc.io") {
		t.Errorf("checkLinks followed a web address: %v", err)
	}
}
