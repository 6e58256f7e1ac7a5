// Package serverstream is step 02 of the workshop: the Factorizer, a service
// with one server-streaming rpc. Server (server.go) streams the prime factors
// of a number as it finds them; Factorize (client.go) reads them as they
// arrive, and can stop after the first few. Read README.md for the lesson and
// the tasks.
package serverstream
