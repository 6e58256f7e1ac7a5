// Package unary is step 01 of the workshop: the Greeter, a service with one
// unary rpc. Server (server.go) answers SayHello; Greet (client.go) calls it
// with a deadline. Read README.md for the lesson and the tasks.
package unary
