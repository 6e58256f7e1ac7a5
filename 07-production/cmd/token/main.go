// Command token mints a token with the key of a folder that cmd/certs made:
//
//	go run ./07-production/cmd/token -certs /tmp/workshop07 -name ada
//	go run ./07-production/cmd/token -certs /tmp/workshop07 -name root -role admin
//
// It prints the token alone on a line, for a client's -token flag or a
// grpcurl header: -H "authorization: Bearer $(go run … )".
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/grpc-streaming-workshop/workshop/07-production/certs"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
)

func main() {
	dir := flag.String("certs", "", "folder made by cmd/certs: its token key signs the token")
	name := flag.String("name", "", "who the token says its holder is")
	role := flag.String("role", token.Member, "member or admin")
	ttl := flag.Duration("ttl", 8*time.Hour, "how long the token is valid")
	flag.Parse()
	if *dir == "" || *name == "" || (*role != token.Member && *role != token.Admin) {
		fmt.Fprintln(os.Stderr, "token: want -certs DIR -name NAME [-role member|admin] [-ttl 8h]")
		os.Exit(2)
	}
	key, err := token.ReadKey(filepath.Join(*dir, certs.TokenKey))
	if err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
	fmt.Println(token.Mint(key, token.Claims{Name: *name, Role: *role, Expires: time.Now().Add(*ttl)}))
}
