// Package token is the workshop's small signed token: who a caller is (a
// name), what they may do (a role) and until when, signed with HMAC-SHA256
// under a key that only the server (and whoever mints tokens) holds.
//
// A token is two base64url parts joined by a dot: the claims as JSON, and
// the HMAC of that first part. It is a teaching format, as small as a
// signed token can be; a real system uses a standard one (a JWT, a PASETO,
// an OAuth access token checked by its issuer) through a kept library. The
// checks are the same: the signature first, in constant time, then the
// expiry.
package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// The roles a token may carry.
const (
	Member = "member" // may chat
	Admin  = "admin"  // may chat and remove members
)

// Claims are what a token says about its holder.
type Claims struct {
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Expires time.Time `json:"exp"`
}

// Why a token is refused. Verify wraps one of these.
var (
	ErrMalformed = errors.New("malformed token")
	ErrSignature = errors.New("token signature does not match")
	ErrExpired   = errors.New("token expired")
)

// KeySize is the length of a signing key in bytes: as long as the hash.
const KeySize = sha256.Size

// enc is base64url without padding, strict: the last character of a part
// has spare bits, and a lenient decoder would take four spellings of one
// signature, so a changed token could still verify.
var enc = base64.RawURLEncoding.Strict()

// NewKey returns a random signing key.
func NewKey() []byte {
	key := make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand's documented guarantee)
	return key
}

// Mint signs c with key.
func Mint(key []byte, c Claims) string {
	payload, err := json.Marshal(c)
	if err != nil {
		panic(err) // Claims always marshals
	}
	body := enc.EncodeToString(payload)
	return body + "." + enc.EncodeToString(sign(key, body))
}

// Verify checks that s was minted with key and has not expired at now, and
// returns its claims. The error wraps ErrMalformed, ErrSignature or ErrExpired.
func Verify(key []byte, s string, now time.Time) (Claims, error) {
	body, sig, ok := strings.Cut(s, ".")
	if !ok {
		return Claims{}, fmt.Errorf("%w: want two parts separated by a dot", ErrMalformed)
	}
	got, err := enc.DecodeString(sig)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: the signature is not base64url", ErrMalformed)
	}
	// hmac.Equal takes the same time whatever the bytes: a forger learns
	// nothing from how long a refusal took.
	if !hmac.Equal(got, sign(key, body)) {
		return Claims{}, ErrSignature
	}
	payload, err := enc.DecodeString(body)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: the claims are not base64url", ErrMalformed)
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil || c.Name == "" {
		return Claims{}, fmt.Errorf("%w: the claims are not a name, role and expiry", ErrMalformed)
	}
	if !now.Before(c.Expires) {
		return Claims{}, fmt.Errorf("%w at %s", ErrExpired, c.Expires.UTC().Format(time.RFC3339))
	}
	return c, nil
}

func sign(key []byte, body string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(body))
	return mac.Sum(nil)
}

// ReadKey reads a key written by WriteKey (hex).
func ReadKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) < KeySize {
		return nil, fmt.Errorf("%s: want %d bytes in hex", path, KeySize)
	}
	return key, nil
}

// WriteKey writes key to path in hex, readable by its owner only.
func WriteKey(path string, key []byte) error {
	return os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600)
}
