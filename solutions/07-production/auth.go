package production

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/07-production/token"
)

// bearerPrefix is the scheme of the authorization header (RFC 6750).
const bearerPrefix = "Bearer "

// Bearer is the client's per-RPC credentials: every call carries
// "authorization: Bearer <tok>". A token is a secret, so it may only travel
// encrypted: RequireTransportSecurity makes grpc.NewClient refuse it with
// insecure credentials, and a connection without encryption refuse it.
func Bearer(tok string) credentials.PerRPCCredentials { return bearer(tok) }

type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": bearerPrefix + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return true }

// identityKey is the context key of the caller's verified claims.
type identityKey struct{}

// identity returns the claims the interceptors verified for this call.
func identity(ctx context.Context) (token.Claims, bool) {
	c, ok := ctx.Value(identityKey{}).(token.Claims)
	return c, ok
}

// authenticate verifies the call's bearer token with key and returns a
// context that carries its claims, or an Unauthenticated error.
func authenticate(ctx context.Context, key []byte) (context.Context, error) {
	values := metadata.ValueFromIncomingContext(ctx, "authorization")
	if len(values) != 1 {
		return nil, status.Error(codes.Unauthenticated, "want one authorization header: Bearer <token>")
	}
	raw, ok := strings.CutPrefix(values[0], bearerPrefix)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "the authorization header is not Bearer <token>")
	}
	claims, err := token.Verify(key, raw, time.Now())
	if err != nil {
		return nil, status.Error(codes.Unauthenticated, err.Error())
	}
	return context.WithValue(ctx, identityKey{}, claims), nil
}

// UnaryAuth refuses a unary call without a valid token, before its handler
// runs, and hands the handler the caller's identity in its context.
func UnaryAuth(key []byte) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := authenticate(ctx, key)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamAuth is UnaryAuth for streams. A stream's handler reads its context
// from the stream, so the stream is wrapped to return the new one.
func StreamAuth(key []byte) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := authenticate(ss.Context(), key)
		if err != nil {
			return err
		}
		return handler(srv, &authenticated{ServerStream: ss, ctx: ctx})
	}
}

// authenticated is a ServerStream whose context carries the caller's identity.
type authenticated struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *authenticated) Context() context.Context { return s.ctx }
