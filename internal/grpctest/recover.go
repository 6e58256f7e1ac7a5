package grpctest

import (
	"context"
	"runtime/debug"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// recoverUnary and recoverStream turn a panic in a handler into a failure of
// the running test, with the stack, and end the call with codes.Internal.
// gRPC itself does not recover handler panics: in a real server one panic
// ends the process.
func recoverUnary(t testing.TB) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer recoverAs(t, info.FullMethod, &err)
		return handler(ctx, req)
	}
}

func recoverStream(t testing.TB) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer recoverAs(t, info.FullMethod, &err)
		return handler(srv, ss)
	}
}

func recoverAs(t testing.TB, method string, err *error) {
	if r := recover(); r != nil {
		// A handler that outlived its test (the harness gave up waiting)
		// can no longer fail it: t.Errorf would panic the whole binary.
		if _, running := leakChecked.Load(t); running {
			t.Errorf("the %s handler panicked%s: %v\n%s", method, taskOf(t), r, debug.Stack())
		}
		*err = status.Errorf(codes.Internal, "handler panicked: %v", r)
	}
}
