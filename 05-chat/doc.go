// Package chat is step 05 of the workshop: a chat room over bidirectional
// streams that no member can empty. Each participant holds one Connect
// stream; what one member does (say too much, stop reading, leave) must not
// cost the others anything but latency. Server (server.go) is the stream
// handler, Chat (client.go) the participant's side. Read README.md for the
// lesson and the tasks.
package chat
