// Package unary is step 01 of the workshop: the Greeter, a service with one
// unary rpc, and the programs around it. Server (server.go) answers
// SayHello; Greet (client.go) calls it with a deadline; Serve (serve.go)
// runs a gRPC server until it is told to stop gracefully; GreetAt (dial.go)
// connects, greets and closes. Read README.md for the lesson and the tasks.
package unary
