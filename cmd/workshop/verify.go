package main

import (
	"context"
	"os"

	"github.com/grpc-streaming-workshop/workshop/internal/verify"
)

func runVerify(ctx context.Context, args []string) error {
	return verify.Run(ctx, ".", os.Stdout, args...)
}
