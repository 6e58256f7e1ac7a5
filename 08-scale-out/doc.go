// Package scaleout is step 08 of the workshop: one chat room served by
// several replicas that share it through NATS JetStream. Each replica
// publishes what its members do to one stream and delivers the whole
// stream, in its order, to its own members; a member's place in the room is
// the stream's sequence number, so a client moves between replicas (when
// one stops, or rebalances its connections) without a gap or a duplicate.
// Server (server.go) is a replica, Dial and Chat (client.go) the member's
// side. Read README.md for the lesson and the tasks.
package scaleout
