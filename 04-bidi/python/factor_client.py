#!/usr/bin/env python3
"""Factors the numbers you type, one per line, through step 04's Factorizer,
printing each answer the moment it arrives: the classic bidi client, from Python.

    python3 04-bidi/python/factor_client.py
    printf '12\\n97\\nfoo\\n1\\n' | python3 04-bidi/python/factor_client.py

It keeps the contract of the Go client (04-bidi/cmd/client): every number is
sent on one Factorize stream as soon as it is read, answers are printed as
they stream back (between the lines you type), a line that is not a number is
skipped with a note, and a number below 2 gets the server's in-band error. At
the end of the input (Ctrl-D) the stream is half-closed and the client waits
for the last answers; Ctrl-C cancels the call. A failed call prints
"Code: message" on stderr, the code spelled as grpc-go spells it, and exits 1.
Generate the stubs first: see README.md beside this file.
"""

import argparse
import os
import re
import sys
import threading

# protoc writes factor_pb2.py and factor_pb2_grpc.py into gen/ beside this
# file, and the second imports the first as a top-level module ("import
# factor_pb2"): so gen/ itself goes on the import path. Appended, so that a
# PYTHONPATH given on the command line comes first.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

try:
    import grpc
    import factor_pb2
    import factor_pb2_grpc
except ImportError as err:
    sys.exit(f"{err} ({sys.executable}): install grpcio and generate the stubs, see 04-bidi/python/README.md")

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def code_name(code):
    """A status code as grpc-go prints it: StatusCode.INVALID_ARGUMENT is
    "InvalidArgument", and StatusCode.CANCELLED is "Canceled"."""
    if code == grpc.StatusCode.CANCELLED:
        return "Canceled"
    if code == grpc.StatusCode.OK:
        return "OK"
    return code.name.title().replace("_", "")


class Printer:
    """Prints whole lines from several threads: answers come from the main
    thread, notes about skipped lines from the thread gRPC reads requests on.
    Each line is flushed at once, so that it shows up while input is open."""

    def __init__(self, out):
        self._out = out
        self._lock = threading.Lock()

    def line(self, text):
        with self._lock:
            print(text, file=self._out, flush=True)


def parse_int64(text):
    """The number text spells in base 10, as Go's strconv.ParseInt(text, 10,
    64) reads it (an optional sign, ASCII digits, within int64), or None."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    n = int(text)
    return n if INT64_MIN <= n <= INT64_MAX else None


_GO_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v",
               '"': r"\"", "\\": r"\\"}


def go_quote(text):
    """text in double quotes, escaped as Go's %q does, so that a skipped line
    reads the same from both clients. A byte that was not UTF-8 reached here
    as a surrogate (stdin is read with errors="surrogateescape") and prints
    as \\xNN, as in Go."""
    out = []
    for ch in text:
        cp = ord(ch)
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif 0xDC80 <= cp <= 0xDCFF:
            out.append(f"\\x{cp - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif cp < 0x80:
            out.append(f"\\x{cp:02x}")
        elif cp < 0x10000:
            out.append(f"\\u{cp:04x}")
        else:
            out.append(f"\\U{cp:08x}")
    return '"' + "".join(out) + '"'


def format_answer(reply):
    """The line an answer prints as: "12 = 2 × 2 × 3", "97 is prime" or
    "1: error: number must be at least 2, got 1"."""
    if reply.error:
        return f"{reply.number}: error: {reply.error}"
    if list(reply.primes) == [reply.number]:
        return f"{reply.number} is prime"
    return f"{reply.number} = " + " × ".join(str(p) for p in reply.primes)


def requests(lines, printer):
    """The request iterator. gRPC runs it on a thread of its own and sends
    each request the moment it is yielded, while the main thread receives;
    when it ends (end of input), gRPC half-closes the stream, as CloseSend
    does in Go. Requests are numbered 1, 2, 3, …: an id is used once per stream.
    It must not raise: gRPC would end the call with UNKNOWN."""
    request_id = 0
    for line in lines:
        line = line.strip()
        if not line:
            continue
        number = parse_int64(line)
        if number is None:
            printer.line(f"{go_quote(line)} is not a number: skipped")
            continue
        request_id += 1
        yield factor_pb2.FactorRequest(id=request_id, number=number)


def fail(call):
    """Print how call ended as "Code: message" on stderr and exit with
    status 1, as cli.Exit does in Go."""
    print(f"{code_name(call.code())}: {call.details()}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description="Factor numbers read from stdin through step 04's Factorizer.")
    parser.add_argument("--addr", default="localhost:50051", help="server address (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=0,
                        help="how long the whole session may take, in seconds (0: no limit)")
    args = parser.parse_args()

    # Bytes that are not UTF-8 do not stop the reading: they come through as
    # surrogates, and such a line is reported as not a number.
    sys.stdin.reconfigure(errors="surrogateescape")
    if sys.stdin.isatty():
        print("Type numbers, one per line. Ctrl-D to finish, Ctrl-C to give up.", file=sys.stderr)
    printer = Printer(sys.stdout)

    with grpc.insecure_channel(args.addr) as channel:
        stub = factor_pb2_grpc.FactorizerStub(channel)
        # One call, one stream: the request iterator goes in, and the call
        # itself is the iterator of replies coming out.
        call = stub.Factorize(requests(iter(sys.stdin.readline, ""), printer), timeout=args.timeout or None)
        try:
            for reply in call:
                printer.line(format_answer(reply))
        except KeyboardInterrupt:
            # Ctrl-C: cancel the call. The server sees CANCELLED and stops
            # factoring; here the call ends with CANCELLED too.
            call.cancel()
            fail(call)
        except grpc.RpcError as err:
            # The error is the call itself: code() and details() say how it ended.
            fail(err)


if __name__ == "__main__":
    main()
