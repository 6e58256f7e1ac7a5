package main

import (
	"context"
	"errors"
	"os"

	"github.com/grpc-streaming-workshop/workshop/internal/verify"
)

func runVerify(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return errors.New("verify takes no arguments")
	}
	return verify.Run(ctx, ".", os.Stdout)
}
