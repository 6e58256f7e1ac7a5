#!/usr/bin/env python3
"""Greets someone through step 01's Greeter, from Python.

    python3 01-unary/python/greeter_client.py --name Ada

It keeps the contract of the Go client (01-unary/cmd/client): one request,
one reply, a deadline on the call. It prints the greeting, or a failed call
as "Code: message" on stderr, the code spelled as grpc-go spells it
("InvalidArgument: name must not be empty"), and then exits with status 1.
Generate the stubs first: see README.md beside this file.
"""

import argparse
import os
import sys

# protoc writes greeter_pb2.py and greeter_pb2_grpc.py into gen/ beside this
# file, and the second imports the first as a top-level module ("import
# greeter_pb2"): so gen/ itself goes on the import path. Appended, so that a
# PYTHONPATH given on the command line comes first.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

try:
    import grpc
    import greeter_pb2
    import greeter_pb2_grpc
except ImportError as err:
    sys.exit(f"{err} ({sys.executable}): install grpcio and generate the stubs, see 01-unary/python/README.md")


def code_name(code):
    """A status code as grpc-go prints it: StatusCode.INVALID_ARGUMENT is
    "InvalidArgument", and StatusCode.CANCELLED is "Canceled"."""
    if code == grpc.StatusCode.CANCELLED:
        return "Canceled"
    if code == grpc.StatusCode.OK:
        return "OK"
    return code.name.title().replace("_", "")


def fail(code, message):
    """Print "Code: message" on stderr and exit with status 1, as cli.Exit does."""
    print(f"{code}: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description="Greet someone through step 01's Greeter.")
    parser.add_argument("--addr", default="localhost:50051", help="server address (default %(default)s)")
    parser.add_argument("--name", default="world", help="who to greet (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="how long the call may take, in seconds (default %(default)s)")
    args = parser.parse_args()

    # A name that is not UTF-8 (bytes on the command line that do not decode)
    # cannot be put in a proto string: refuse it before sending, as the Go
    # client does, instead of failing inside the serializer.
    try:
        args.name.encode("utf-8")
    except UnicodeEncodeError:
        fail("InvalidArgument", "name is not valid UTF-8")

    # A channel, like grpc.NewClient, connects lazily: a server that is not
    # there shows up as the call's UNAVAILABLE. Leaving the block closes it.
    with grpc.insecure_channel(args.addr) as channel:
        stub = greeter_pb2_grpc.GreeterStub(channel)
        try:
            # timeout= is the call's deadline: it travels to the server, whose
            # context ends with it, just as a Go context.WithTimeout does.
            reply = stub.SayHello(greeter_pb2.HelloRequest(name=args.name), timeout=args.timeout)
        except grpc.RpcError as err:
            fail(code_name(err.code()), err.details())
    print(reply.message)


if __name__ == "__main__":
    main()
