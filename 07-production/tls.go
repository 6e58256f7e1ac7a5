package production

import (
	"errors"

	"google.golang.org/grpc/credentials"
)

// ServerCredentials are the server's side of mutual TLS, from the files
// certs.Write put in dir: certs.ServerCert and certs.ServerKey, certs.CA.
func ServerCredentials(dir string) (credentials.TransportCredentials, error) {
	// TODO(task 1): the server shows its certificate, and refuses in the handshake
	// any client without a certificate the CA in dir signed (TestTask1_…).
	return nil, errors.New("TODO(task 1): ServerCredentials — see 07-production/README.md")
}

// ClientCredentials are the client's side, from certs.CA, certs.ClientCert
// and certs.ClientKey in dir.
func ClientCredentials(dir string) (credentials.TransportCredentials, error) {
	// TODO(task 1): the client trusts exactly the CA in dir, and shows the client
	// certificate it signed (TestTask1_…).
	return nil, errors.New("TODO(task 1): ClientCredentials — see 07-production/README.md")
}
