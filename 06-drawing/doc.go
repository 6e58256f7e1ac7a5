// Package drawing is step 06 of the workshop, the finale: the user draws in
// the browser and sees the mirror image appear as they draw, computed by
// Server (server.go) and carried over one bidi stream per page by Bridge
// (bridge.go). The page and its WebSocket are provided in web/. Read
// README.md for the lesson and the tasks.
package drawing
