// Package clientstream is step 03 of the workshop: running statistics over a
// client stream. The client (client.go) streams numbers read from an
// io.Reader; the server (server.go) keeps a running count, sum, min and max
// and answers once, when the client has finished. Read README.md for the
// lesson and the tasks.
package clientstream
