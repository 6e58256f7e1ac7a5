// Command certs makes the workshop's own CA, a server certificate for
// localhost and a client certificate it signed, and a token-signing key:
//
//	go run ./07-production/cmd/certs -dir /tmp/workshop07
//
// The folder then holds private keys: keep it out of git (a folder under
// /tmp is a good place), and make a new one rather than share it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/grpc-streaming-workshop/workshop/07-production/certs"
)

func main() {
	dir := flag.String("dir", "", "folder to write the CA, the certificates, their keys and the token key into (created if need be)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "certs: -dir is required, e.g. -dir /tmp/workshop07")
		os.Exit(2)
	}
	if err := certs.Write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "certs:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s, %s, %s, %s, %s and %s in %s (valid for %v)\n",
		certs.CA, certs.ServerCert, certs.ServerKey, certs.ClientCert, certs.ClientKey, certs.TokenKey, *dir, certs.Validity)
}
