package production_test

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/certs"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 1: mutual TLS. These tests serve only the health service, with
// ServerCredentials, and call it with ClientCredentials or with
// credentials of a test's own making.

const task1 = "task 1 in tls.go"

// healthOnly adds no service: the health service every workshop server has
// is enough to call.
func healthOnly(*grpc.Server) {}

// startTLS serves health over bufconn with ServerCredentials(dir).
func startTLS(t *testing.T, dir string) *grpctest.Server {
	t.Helper()
	return grpctest.Start(t, healthOnly, serverCreds(t, dir))
}

// check calls Health.Check over a connection with opts.
func check(t *testing.T, srv *grpctest.Server, opts ...grpc.DialOption) error {
	t.Helper()
	_, err := healthpb.NewHealthClient(srv.Dial(t, opts...)).Check(grpctest.Context(t, streamLimit), &healthpb.HealthCheckRequest{})
	return err
}

// copyFiles makes a folder of the named files, each from the folder given.
func copyFiles(t *testing.T, from map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range from {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTask1_MutualTLSConnects(t *testing.T) {
	dir := pki(t)
	srv := startTLS(t, dir)
	err := check(t, srv, clientCreds(t, dir)...)
	grpctest.WantCode(t, "Health.Check with ClientCredentials, against ServerCredentials of the same folder", err, codes.OK,
		task1+": the server shows server.pem, the client trusts ca.pem and shows client.pem")
}

func TestTask1_ClientWithoutCertificateIsRefused(t *testing.T) {
	dir := pki(t)
	srv := startTLS(t, dir)
	pem, err := os.ReadFile(filepath.Join(dir, certs.CA))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	noCert := credentials.NewTLS(&tls.Config{RootCAs: roots})
	err = check(t, srv, grpc.WithTransportCredentials(noCert), grpc.WithAuthority(certs.ServerName))
	grpctest.WantCode(t, "Health.Check from a client that trusts the CA but shows no certificate", err, codes.Unavailable,
		task1+": the server must refuse, in the TLS handshake, a client without a certificate (Unavailable is how the client sees that)")
}

func TestTask1_ClientCertificateFromAnotherCAIsRefused(t *testing.T) {
	dir, other := pki(t), pki(t)
	srv := startTLS(t, dir)
	// Trusts the right CA, but shows a certificate another CA signed.
	mixed := copyFiles(t, map[string]string{certs.CA: dir, certs.ClientCert: other, certs.ClientKey: other})
	err := check(t, srv, clientCreds(t, mixed)...)
	grpctest.WantCode(t, "Health.Check from a client whose certificate another CA signed", err, codes.Unavailable,
		task1+": the server must verify the client's certificate against ca.pem, not only ask for one")
}

func TestTask1_ClientTrustsOnlyTheWorkshopCA(t *testing.T) {
	dir, other := pki(t), pki(t)
	// A server whose certificate another CA signed, but which trusts the
	// client's CA: only the client's own check can refuse it.
	impostor := copyFiles(t, map[string]string{certs.CA: dir, certs.ServerCert: other, certs.ServerKey: other})
	srv := startTLS(t, impostor)
	err := check(t, srv, clientCreds(t, dir)...)
	grpctest.WantCode(t, "Health.Check to a server whose certificate another CA signed", err, codes.Unavailable,
		task1+": the client must trust exactly ca.pem, and check the server's certificate against it")
}

func TestTask1_AFolderWithoutACertificateIsAnError(t *testing.T) {
	dir := pki(t)
	serverCreds(t, dir) // a good folder loads
	clientCreds(t, dir)
	if err := os.WriteFile(filepath.Join(dir, certs.CA), []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, load := range map[string]func(string) (credentials.TransportCredentials, error){
		"ServerCredentials": production.ServerCredentials,
		"ClientCredentials": production.ClientCredentials,
	} {
		if _, err := load(dir); err == nil {
			t.Errorf("%s of a folder whose ca.pem holds no certificate returned no error — %s: a pool that trusts nothing must not pass silently", name, task1)
		}
	}
	if _, err := production.ClientCredentials(filepath.Join(dir, "missing")); err == nil {
		t.Errorf("ClientCredentials of a folder that does not exist returned no error — %s", task1)
	}
}
