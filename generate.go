// Package workshop is the root of the gRPC streaming workshop. It holds no code
// of its own, only the directive that regenerates every step's protobuf code:
//
//	go generate ./...
//
// buf compiles the .proto files in Go (no protoc to install). It lives in a
// separate tools module, go.tool.mod, because its many dependencies have
// nothing to do with the lessons and would otherwise crowd the learner's go.mod.
// buf then runs protoc-gen-go and protoc-gen-go-grpc, which are tools of the
// main go.mod so the generated code always matches the runtime libraries.
package workshop

//go:generate go tool -modfile=go.tool.mod buf generate
