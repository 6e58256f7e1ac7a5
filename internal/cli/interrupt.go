package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Interrupted returns a context that is done at the first Ctrl-C (SIGINT)
// or SIGTERM, for a program to wind down in its own time. By then the
// signals are Go's again: a second Ctrl-C ends the program at once, even if
// the winding down never ends. (signal.NotifyContext would keep catching
// them until its stop function is called, usually deferred to the end of
// main: the end that never comes.)
func Interrupted() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		signal.Stop(sigs) // before the context is done, so a second one is not caught
		cancel()
	}()
	return ctx
}
