// Package chat is step 05 of the workshop: a chat room over bidirectional
// streams. Each participant holds one Connect stream; the hub (hub.go) keeps
// the members and puts every event into each member's bounded outbox
// (member.go); one writer goroutine per stream sends it; a member too slow to
// keep up is disconnected instead of slowing the room. Server (server.go) is
// the stream handler, Chat (client.go) the participant's side. Read README.md
// for the lesson and the tasks.
package chat
