package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// markdownLink finds the target of a Markdown link: [text](target).
var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// checkLinks: every relative link in a Markdown file's prose (code blocks
// aside) leads to a file or folder of the tree. The prose links its claims to docs/claims, its
// measurements to docs/: a renamed file must not leave a sentence pointing
// nowhere.
func checkLinks(root string) error {
	var broken []string
	err := walkFiles(root, func(path string) error {
		if !strings.HasSuffix(path, ".md") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, m := range markdownLink.FindAllStringSubmatch(prose(string(data)), -1) {
			target, _, _ := strings.Cut(m[1], "#")
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			to := filepath.Join(filepath.Dir(path), filepath.FromSlash(target))
			if inTree, err := filepath.Rel(root, to); err != nil || strings.HasPrefix(target, "/") || inTree == ".." || strings.HasPrefix(inTree, ".."+string(filepath.Separator)) {
				broken = append(broken, fmt.Sprintf("%s links to %s, outside the repository", filepath.ToSlash(rel), m[1]))
			} else if _, err := os.Stat(to); err != nil {
				broken = append(broken, fmt.Sprintf("%s links to %s, which does not exist", filepath.ToSlash(rel), m[1]))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(broken) > 0 {
		return fmt.Errorf("%s", strings.Join(broken, "\n"))
	}
	return nil
}

// prose returns markdown without its fenced code blocks, whose brackets and
// parentheses are code, not links.
func prose(markdown string) string {
	var b strings.Builder
	inCode := false
	for line := range strings.Lines(markdown) {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			continue
		}
		if !inCode {
			b.WriteString(line)
		}
	}
	return b.String()
}
