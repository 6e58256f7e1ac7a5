#!/usr/bin/env python3
"""Joins step 07's room over mutual TLS with a token, from Python.

    python3 07-production/python/room_client.py --certs /tmp/workshop07 --token "$TOKEN"

It keeps the contract of the Go client (07-production/cmd/client): it
trusts exactly the workshop's CA (ca.pem), shows the client certificate the
CA signed (client.pem, client-key.pem), and sends the token on every call
as "authorization: Bearer <token>". It prints the headers the server sent
("* you are ada in room lobby"), every event, and the trailer's end-reason
once the stream has ended. /quit or the end of the input leaves. A stream
the server ends with an error prints "Code: message" on stderr and exits 1.
Generate the stubs first: see README.md beside this file.
"""

import argparse
import os
import sys

# protoc writes room_pb2.py and room_pb2_grpc.py into gen/ beside this file.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

try:
    import grpc
    import room_pb2
    import room_pb2_grpc
except ImportError as err:
    sys.exit(f"{err} ({sys.executable}): install grpcio and generate the stubs, see 07-production/python/README.md")

QUIT = "/quit"


def code_name(code):
    """A status code as grpc-go prints it: UNAUTHENTICATED is "Unauthenticated"."""
    if code == grpc.StatusCode.CANCELLED:
        return "Canceled"
    return code.name.title().replace("_", "")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def credentials(certs, token):
    """Mutual TLS with the workshop's CA and client certificate, and, if
    given, the token on every call. access_token_call_credentials sends
    "authorization: Bearer <token>", and only over a secure channel: gRPC
    Python, like grpc-go, refuses to compose call credentials with an
    insecure channel."""
    tls = grpc.ssl_channel_credentials(
        root_certificates=read(os.path.join(certs, "ca.pem")),
        private_key=read(os.path.join(certs, "client-key.pem")),
        certificate_chain=read(os.path.join(certs, "client.pem")))
    if not token:
        return tls
    return grpc.composite_channel_credentials(tls, grpc.access_token_call_credentials(token))


def format_event(ev):
    kind = ev.WhichOneof("event")
    if kind == "message":
        return f"{ev.message.sender}: {ev.message.text}"
    if kind == "joined":
        return f"* {ev.joined.name} joined"
    if kind == "left":
        return f"* {ev.left.name} left ({ev.left.reason})"
    return f"* {ev}"


def client_events(lines):
    """The request iterator: a Join without a name (the token says who),
    then a Say per line. Its end half-closes the stream, as CloseSend does."""
    yield room_pb2.ClientEvent(join=room_pb2.Join())
    for line in lines:
        line = line.strip()
        if line == QUIT:
            return
        if line:
            yield room_pb2.ClientEvent(say=room_pb2.Say(text=line))


def first(metadata, key):
    return next((v for k, v in metadata or () if k == key), "")


def main():
    parser = argparse.ArgumentParser(description="Chat in step 07's room.")
    parser.add_argument("--addr", default="localhost:50051", help="server address (default %(default)s)")
    parser.add_argument("--certs", required=True, help="folder made by 07-production/cmd/certs")
    parser.add_argument("--token", default="", help="your token (07-production/cmd/token)")
    args = parser.parse_args()

    with grpc.secure_channel(args.addr, credentials(args.certs, args.token)) as channel:
        call = room_pb2_grpc.RoomStub(channel).Connect(client_events(iter(sys.stdin.readline, "")))
        try:
            # initial_metadata() waits for the headers: they come before any message.
            headers = call.initial_metadata()
            if first(headers, "member"):
                print(f"* you are {first(headers, 'member')} in room {first(headers, 'room')}", flush=True)
            for ev in call:
                print(format_event(ev), flush=True)
        except grpc.RpcError:
            pass  # the call itself says how it ended, below
        except KeyboardInterrupt:
            call.cancel()
        # The trailer is there once the stream has ended.
        reason = first(call.trailing_metadata(), "end-reason")
        if reason:
            print(f"* the stream ended: {reason}", flush=True)
        if call.code() != grpc.StatusCode.OK:
            print(f"{code_name(call.code())}: {call.details()}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
