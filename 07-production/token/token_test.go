package token_test

import (
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/grpc-streaming-workshop/workshop/07-production/token"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

func init() { grpctest.RepeatableProperties() }

// now is the clock of every property: tokens expire relative to it.
var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func claims() *rapid.Generator[token.Claims] {
	return rapid.Custom(func(t *rapid.T) token.Claims {
		return token.Claims{
			Name:    rapid.StringN(1, 40, -1).Draw(t, "name"),
			Role:    rapid.SampledFrom([]string{token.Member, token.Admin}).Draw(t, "role"),
			Expires: now.Add(time.Duration(rapid.Int64Range(-1e12, 1e12).Draw(t, "ttl"))),
		}
	})
}

// A token says what it was minted with while it is valid, and is refused,
// saying why, once it has expired, under another key, or with any byte changed.
func TestTokensRoundTripAndRefuseTampering(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		key := []byte(rapid.StringN(token.KeySize, token.KeySize, -1).Draw(t, "key"))
		c := claims().Draw(t, "claims")
		tok := token.Mint(key, c)

		got, err := token.Verify(key, tok, now)
		switch {
		case !now.Before(c.Expires):
			if !errors.Is(err, token.ErrExpired) {
				t.Fatalf("a token that expired at %v verified at %v: %v, want ErrExpired", c.Expires, now, err)
			}
		case err != nil:
			t.Fatalf("Verify(Mint(%+v)): %v", c, err)
		case got.Name != c.Name || got.Role != c.Role || !got.Expires.Equal(c.Expires):
			t.Fatalf("Verify(Mint(%+v)) = %+v", c, got)
		}

		other := append([]byte{1}, key...)
		if _, err := token.Verify(other, tok, now); !errors.Is(err, token.ErrSignature) {
			t.Fatalf("a token checked with another key: %v, want ErrSignature", err)
		}
		i := rapid.IntRange(0, len(tok)-1).Draw(t, "at")
		b := []byte(tok)
		b[i] ^= byte(rapid.IntRange(1, 255).Draw(t, "flip"))
		if _, err := token.Verify(key, string(b), now); err == nil {
			t.Fatalf("a token with byte %d changed still verified", i)
		}
	})
}
