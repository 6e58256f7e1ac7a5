package production

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// Bearer is the client's per-RPC credentials: the token tok on every call.
func Bearer(tok string) credentials.PerRPCCredentials {
	// TODO(task 2): every call carries "authorization: Bearer <tok>", and never over
	// a connection without transport security (TestTask2_ATokenNeverTravelsInPlaintext).
	return todoCredentials{}
}

// todoCredentials stand in for Bearer's until task 2.
type todoCredentials struct{}

func (todoCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return nil, status.Error(codes.Unimplemented, "TODO(task 2): Bearer — see 07-production/README.md")
}

func (todoCredentials) RequireTransportSecurity() bool { return false }

// UnaryAuth refuses a unary call without a valid token signed with key,
// before its handler runs, and hands the handler the caller's identity.
func UnaryAuth(key []byte) grpc.UnaryServerInterceptor {
	// TODO(task 2): a missing, malformed, forged or expired token is Unauthenticated;
	// a valid one's claims reach the handler in its context (TestTask2_…).
	return func(context.Context, any, *grpc.UnaryServerInfo, grpc.UnaryHandler) (any, error) {
		return nil, status.Error(codes.Unimplemented, "TODO(task 2): UnaryAuth — see 07-production/README.md")
	}
}

// StreamAuth is UnaryAuth for streams.
func StreamAuth(key []byte) grpc.StreamServerInterceptor {
	// TODO(task 2): the same check for every stream; a stream's handler finds the
	// caller's identity in its stream's context (TestTask2_TheNameComesFromTheToken).
	return func(any, grpc.ServerStream, *grpc.StreamServerInfo, grpc.StreamHandler) error {
		return status.Error(codes.Unimplemented, "TODO(task 2): StreamAuth — see 07-production/README.md")
	}
}
