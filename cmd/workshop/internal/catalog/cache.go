package catalog

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// An entry's outcome depends only on the module's Go files, go.mod, go.sum,
// the Go version and the entry itself. Like `go test`, which reuses a
// passing result while nothing it depends on has changed, Check reuses a
// verdict its kind wants (a catch, a pass): it is remembered under a hash
// of all of those, and any change to any Go file of the module runs every
// entry again. A miss or a failed alternative is never remembered.
type cache struct {
	dir    string // "" when there is no cache folder: nothing is remembered
	module string // the hash of the module's inputs
}

func openCache(root string) cache {
	base, err := os.UserCacheDir()
	if err != nil {
		return cache{}
	}
	sum, err := moduleSum(root)
	if err != nil {
		return cache{}
	}
	return cache{dir: filepath.Join(base, "grpc-streaming-workshop", "mutants"), module: sum}
}

// key is where the outcome of m is remembered.
func (c cache) key(m Variant) string {
	if c.dir == "" {
		return ""
	}
	data, err := os.ReadFile(m.path)
	if err != nil {
		return ""
	}
	return filepath.Join(c.dir, fmt.Sprintf("%x", sha256.Sum256(append([]byte(c.module+string(m.Kind)), data...))))
}

// judged reports whether m was judged as its kind wants when nothing
// changed since, and for a mistake the test that caught it.
func (c cache) judged(m Variant) (by string, ok bool) {
	key := c.key(m)
	if key == "" {
		return "", false
	}
	data, err := os.ReadFile(key)
	return strings.TrimPrefix(string(data), "ok "), err == nil && strings.HasPrefix(string(data), "ok ")
}

func (c cache) remember(m Variant, by string) {
	if key := c.key(m); key != "" && os.MkdirAll(c.dir, 0o755) == nil {
		os.WriteFile(key, []byte("ok "+by), 0o644)
	}
}

// moduleSum hashes the content of every Go file of the module at root (but
// testdata folders, which hold the catalogs), go.mod and go.sum, and the Go
// version.
func moduleSum(root string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), os.Getenv("GOFLAGS"))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") && name != "go.mod" && name != "go.sum" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(data))
		h.Write(data)
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil)), err
}
