// Package chat is step 05 of the workshop: a chat room over bidirectional
// streams that no member can empty. Each participant holds one Connect
// stream; the hub (hub.go) appends every event once to a bounded room log,
// and each member's one writer (member.go) follows the log with a cursor
// of its own; a member is cut only when it falls further behind than the
// log holds. A member who says too much is slowed by a rate limit in the
// read loop, which flow control carries back to its client. Names are
// checked so that none can pass for another (names.go). Server (server.go)
// is the stream handler, Chat (client.go) the participant's side. Read
// README.md for the lesson and the tasks.
package chat
