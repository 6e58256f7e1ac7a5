package grpctest

import (
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// ErrEndedWithOK is what Send returns when the server had already ended the
// stream with OK: a status is not an error then, but the message was not
// sent. It wraps io.EOF, which is how gRPC says the same.
var ErrEndedWithOK = fmt.Errorf("the server ended the stream with OK before this message was sent: %w", io.EOF)

// Send sends msg on a client's stream (client-streaming or bidi) and returns
// nil, or the reason the stream is over.
//
// When the server has already ended the stream, Send returns a bare io.EOF:
// it only says "no more sending". The reason (the status the server returned)
// is what a receive gives, so Send reads it from there: that is the error a
// failing test should show. Messages the server sent before it ended are
// skipped (read as emptypb.Empty, which keeps any message's fields as unknown
// ones); they no longer matter once the test has failed.
func Send(stream grpc.ClientStream, msg any) error {
	err := stream.SendMsg(msg)
	if !errors.Is(err, io.EOF) {
		return err
	}
	for {
		if err := stream.RecvMsg(new(emptypb.Empty)); err != nil {
			if errors.Is(err, io.EOF) {
				return ErrEndedWithOK
			}
			return err
		}
	}
}
