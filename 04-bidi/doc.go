// Package bidi is step 04 of the workshop: a live prime-factor service over
// one bidirectional stream. Server (server.go) answers each number on the
// Factorize stream as soon as it arrives; Factorize (client.go) sends numbers
// as they are typed while it prints answers as they come back. Read
// README.md for the lesson and the tasks.
package bidi
