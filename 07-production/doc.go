// Package production is step 07 of the workshop: the chat room, secured and
// observed. The server speaks mutual TLS (tls.go), knows every caller by a
// signed token checked in interceptors (auth.go), tells a member who they
// are and why their stream ended in its metadata (server.go), and reports
// what it does in logs and metrics (observe.go, metrics.go). The room itself
// is given (room/). Read README.md for the lesson and the tasks.
package production
