package main

import (
	"context"
	"flag"
	"os"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/verify"
)

func runVerify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fresh := fs.Bool("fresh", false, "try every mistake of the catalogs, also those caught before with nothing changed since")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return verify.Run(ctx, ".", os.Stdout, verify.Options{Only: fs.Args(), Fresh: *fresh})
}
