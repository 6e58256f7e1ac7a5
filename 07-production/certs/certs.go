// Package certs makes the workshop's own small public-key infrastructure
// with crypto/x509: a certificate authority (CA), a server certificate for
// localhost that it signs, and a client certificate it signs, written as
// PEM files into a folder. Tests make a fresh one per test; `go run
// ./07-production/cmd/certs -dir DIR` makes one for the programs.
//
// Private keys never belong in git: the folder is the caller's, and each
// key file is readable by its owner only.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/grpc-streaming-workshop/workshop/07-production/token"
)

// The files Write makes in its folder.
const (
	CA         = "ca.pem"         // the CA's certificate: whom to trust
	ServerCert = "server.pem"     // the server's certificate, for localhost, 127.0.0.1 and ::1
	ServerKey  = "server-key.pem" // its private key
	ClientCert = "client.pem"     // a client certificate the CA signed
	ClientKey  = "client-key.pem" // its private key
	TokenKey   = "token.key"      // the key that signs tokens (see package token)
)

// Validity is how long the certificates are valid from now.
const Validity = 24 * time.Hour

// ServerName is the name the server's certificate is for, and the one a
// client checks (its address's host, or grpc.WithAuthority).
const ServerName = "localhost"

// Write makes a new CA, a server and a client certificate signed by it, and
// a token-signing key, in dir (created if need be).
func Write(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	ca := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "workshop CA"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(Validity),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, CA), "CERTIFICATE", caDER, 0o644); err != nil {
		return err
	}
	ca, _ = x509.ParseCertificate(caDER)

	server := leaf(now, "workshop server", x509.ExtKeyUsageServerAuth)
	server.DNSNames = []string{ServerName}
	server.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if err := issue(dir, ServerCert, ServerKey, server, ca, caKey); err != nil {
		return err
	}
	client := leaf(now, "workshop client", x509.ExtKeyUsageClientAuth)
	if err := issue(dir, ClientCert, ClientKey, client, ca, caKey); err != nil {
		return err
	}
	return token.WriteKey(filepath.Join(dir, TokenKey), token.NewKey())
}

func leaf(now time.Time, name string, usage x509.ExtKeyUsage) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(Validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
}

// issue makes a key for tmpl, has the CA sign it, and writes both.
func issue(dir, certFile, keyFile string, tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, certFile), "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, keyFile), "PRIVATE KEY", keyDER, 0o600)
}

func writePEM(path, kind string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), mode)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}
