package production

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/grpc/credentials"

	"github.com/grpc-streaming-workshop/workshop/07-production/certs"
)

// ServerCredentials are the server's side of mutual TLS, from the files
// certs.Write put in dir: the server shows its certificate, and refuses,
// during the handshake, any client without a certificate the CA signed.
func ServerCredentials(dir string) (credentials.TransportCredentials, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, certs.ServerCert), filepath.Join(dir, certs.ServerKey))
	if err != nil {
		return nil, err
	}
	ca, err := loadCA(dir)
	if err != nil {
		return nil, err
	}
	return credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca,
		MinVersion:   tls.VersionTLS13,
	}), nil
}

// ClientCredentials are the client's side: it trusts exactly the workshop's
// CA (not the system's roots), and shows the client certificate it signed.
func ClientCredentials(dir string) (credentials.TransportCredentials, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, certs.ClientCert), filepath.Join(dir, certs.ClientKey))
	if err != nil {
		return nil, err
	}
	ca, err := loadCA(dir)
	if err != nil {
		return nil, err
	}
	return credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      ca,
		MinVersion:   tls.VersionTLS13,
	}), nil
}

// loadCA reads the CA's certificate into a pool of its own.
func loadCA(dir string) (*x509.CertPool, error) {
	path := filepath.Join(dir, certs.CA)
	pemData, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}
