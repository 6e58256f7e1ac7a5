#!/usr/bin/env python3
"""Joins step 05's chat room and chats from the terminal, from Python.

    python3 05-chat/python/chat_client.py --name grace

It keeps the contract of the Go client (05-chat/cmd/client), and the two
chat in one room: the stream opens with a Join, each line you type is said
to the room, and every event is printed as the Go client prints it. /quit
(or the end of the input, Ctrl-D) leaves: the stream is half-closed and the
client reads on until the server ends it with OK. Ctrl-C cancels the call.
A stream the server ends with an error prints "Code: message" on stderr,
the code spelled as grpc-go spells it, and exits 1.
Generate the stubs first: see README.md beside this file.
"""

import argparse
import os
import sys
import time
import unicodedata

# protoc writes chat_pb2.py and chat_pb2_grpc.py into gen/ beside this file,
# and the second imports the first as a top-level module ("import chat_pb2"):
# so gen/ itself goes on the import path. Appended, so that a PYTHONPATH
# given on the command line comes first.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

try:
    import grpc
    from google.protobuf import text_format
    import chat_pb2
    import chat_pb2_grpc
except ImportError as err:
    sys.exit(f"{err} ({sys.executable}): install grpcio and generate the stubs, see 05-chat/python/README.md")

QUIT = "/quit"
# What the Go client prints once the room has let you go.
GOODBYE = "* you left the room — goodbye"

# A chat is a session that may stay quiet for long, so the channel pings the
# server every 20 s and gives the connection up when a ping goes unanswered
# for 10 s, as the Go client's cli.SessionKeepalive does: a server that
# vanished ends the session with UNAVAILABLE within about 30 s. The server
# accepts a ping every 10 s at most; more often, and it hangs up.
SESSION_KEEPALIVE = [
    ("grpc.keepalive_time_ms", 20_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.http2.max_pings_without_data", 0),  # keep pinging while nobody speaks
]


def code_name(code):
    """A status code as grpc-go prints it: StatusCode.INVALID_ARGUMENT is
    "InvalidArgument", and StatusCode.CANCELLED is "Canceled"."""
    if code == grpc.StatusCode.CANCELLED:
        return "Canceled"
    if code == grpc.StatusCode.OK:
        return "OK"
    return code.name.title().replace("_", "")


def fail(call):
    """Print how call ended as "Code: message" on stderr and exit with
    status 1, as cli.Exit does in Go."""
    print(f"{code_name(call.code())}: {call.details()}", file=sys.stderr)
    sys.exit(1)


def format_message(msg):
    """ "15:04:05 ada: hello", in local time. Control characters become "?":
    someone else's text must not move your cursor or recolour your terminal."""
    text = "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in msg.text)
    return f"{time.strftime('%H:%M:%S', time.localtime(msg.sent_at.seconds))} {msg.sender}: {text}"


def format_event(ev):
    """The line(s) an event prints as, the same as in the Go client."""
    kind = ev.WhichOneof("event")
    if kind == "message":
        return format_message(ev.message)
    if kind == "joined":
        return f"* {ev.joined.name} joined"
    if kind == "left":
        return f"* {ev.left.name} left"
    if kind == "history":
        messages = ev.history.messages
        if not messages:
            return "* you are in; nothing was said yet (type /quit to leave)"
        return "\n".join([f"* you are in; the last {len(messages)} message(s) (type /quit to leave):"] +
                         [format_message(m) for m in messages])
    return f"* {text_format.MessageToString(ev, as_one_line=True)}"  # an event this client does not know yet


def client_events(name, lines):
    """The request iterator. gRPC runs it on a thread of its own and sends
    each event the moment it is yielded, while the main thread receives: a
    Join first, then a Say for each line that is not blank. /quit or the end
    of the input ends it, and gRPC then half-closes the stream, as CloseSend
    does in Go. It must not raise: gRPC would end the call with UNKNOWN."""
    yield chat_pb2.ClientEvent(join=chat_pb2.Join(name=name))
    for line in lines:
        line = line.strip()
        if line == QUIT:
            return
        if line:
            yield chat_pb2.ClientEvent(say=chat_pb2.Say(text=line))


def main():
    parser = argparse.ArgumentParser(description="Chat in step 05's room.")
    parser.add_argument("--addr", default="localhost:50051", help="server address (default %(default)s)")
    parser.add_argument("--name", default="", help="your name in the room (1 to 32 characters)")
    args = parser.parse_args()

    # Bytes that are not UTF-8 become U+FFFD rather than end the session.
    sys.stdin.reconfigure(errors="replace")

    with grpc.insecure_channel(args.addr, options=SESSION_KEEPALIVE) as channel:
        stub = chat_pb2_grpc.ChatStub(channel)
        # No timeout: a chat is a session, it ends when you leave.
        call = stub.Connect(client_events(args.name, iter(sys.stdin.readline, "")))
        try:
            # Iterating the call receives: it ends when the server ends the
            # stream with OK (after /quit), and raises its status otherwise.
            for ev in call:
                print(format_event(ev), flush=True)
            print(GOODBYE, flush=True)
        except KeyboardInterrupt:
            # Ctrl-C: cancel the call. The server sees CANCELLED, and the
            # room sees you leave all the same.
            call.cancel()
            fail(call)
        except grpc.RpcError as err:
            # The error is the call itself: code() and details() say how it ended.
            fail(err)


if __name__ == "__main__":
    main()
