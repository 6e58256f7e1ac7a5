#!/usr/bin/env python3
"""Draws strokes through step 06's Drawing service and prints the mirrored
points as they stream back, from Python: the drawing session without the page.

    printf '100 50\\n120 60\\n\\n800 500\\n' | python3 06-drawing/python/mirror_client.py

Each line of the input is one point, "x y" in canvas pixels (0 to width, 0 to
height); a blank line ends the stroke, so the next point starts a new one.
The points go up one Mirror stream as they are read, the first with the
canvas (--width, --height, --kaleidoscope), and each image the server sends
back is printed the moment it arrives:

    stroke 1: (700, 50) LEFT_RIGHT

At the end of the input the stream is half-closed and the client waits for
the last images; the server then ends the stream with OK. A point outside the
canvas ends it with InvalidArgument, after the images of the earlier points.
Ctrl-C cancels the call. A failed call prints "Code: message" on stderr, the
code spelled as grpc-go spells it, and exits 1.
Generate the stubs first: see README.md beside this file.
"""

import argparse
import json
import os
import re
import sys
import threading

# protoc writes drawing_pb2.py and drawing_pb2_grpc.py into gen/ beside this
# file, and the second imports the first as a top-level module ("import
# drawing_pb2"): so gen/ itself goes on the import path. Appended, so that a
# PYTHONPATH given on the command line comes first.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

try:
    import grpc
    import drawing_pb2
    import drawing_pb2_grpc
except ImportError as err:
    sys.exit(f"{err} ({sys.executable}): install grpcio and generate the stubs, see 06-drawing/python/README.md")

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# A drawing is a session, like the Go bridge's: the channel pings the server
# every 20 s and gives the connection up when a ping goes unanswered for 10 s
# (cli.SessionKeepalive in Go). The server accepts a ping every 10 s at most.
SESSION_KEEPALIVE = [
    ("grpc.keepalive_time_ms", 20_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.http2.max_pings_without_data", 0),
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


class Printer:
    """Prints whole lines from several threads: images come from the main
    thread, notes about skipped lines from the thread gRPC reads points on."""

    def __init__(self, out):
        self._out = out
        self._lock = threading.Lock()

    def line(self, text):
        with self._lock:
            print(text, file=self._out, flush=True)


def parse_point(line):
    """(x, y) from "x y" or "x,y" (int32 each), or None."""
    m = re.fullmatch(r"([+-]?[0-9]+)\s*[ ,]\s*([+-]?[0-9]+)", line)
    if not m:
        return None
    x, y = int(m.group(1)), int(m.group(2))
    if not (INT32_MIN <= x <= INT32_MAX and INT32_MIN <= y <= INT32_MAX):
        return None
    return x, y


def format_image(point):
    """ "stroke 1: (700, 50) LEFT_RIGHT": an image the server sent."""
    reflection = drawing_pb2.Reflection.Name(point.reflection)[len("REFLECTION_"):]
    return f"stroke {point.stroke}: ({point.x}, {point.y}) {reflection}"


def stroke_points(lines, canvas, printer):
    """The request iterator. gRPC runs it on a thread of its own and sends
    each point the moment it is yielded, while the main thread receives. The
    first point carries the canvas; a blank line ends a stroke (strokes are
    numbered from 1, as the page numbers them). When it ends (end of input),
    gRPC half-closes the stream, as CloseSend does in Go. It must not raise:
    gRPC would end the call with UNKNOWN."""
    stroke, drawn = 1, False  # drawn: the current stroke has a point
    first = True
    for line in lines:
        line = line.strip()
        if not line:
            if drawn:
                stroke, drawn = stroke + 1, False
            continue
        xy = parse_point(line)
        if xy is None:
            printer.line(f"{json.dumps(line, ensure_ascii=False)} is not a point (x y): skipped")
            continue
        point = drawing_pb2.StrokePoint(stroke=stroke, x=xy[0], y=xy[1])
        if first:
            point.canvas.CopyFrom(canvas)
            first = False
        drawn = True
        yield point


def main():
    parser = argparse.ArgumentParser(description="Mirror strokes read from stdin through step 06's Drawing service.")
    parser.add_argument("--addr", default="localhost:50051", help="server address (default %(default)s)")
    parser.add_argument("--width", type=int, default=800, help="canvas width in pixels (default %(default)s)")
    parser.add_argument("--height", type=int, default=500, help="canvas height in pixels (default %(default)s)")
    parser.add_argument("--kaleidoscope", action="store_true", help="three images per point instead of one")
    args = parser.parse_args()

    sys.stdin.reconfigure(errors="replace")
    if sys.stdin.isatty():
        print("Type points as x y, one per line; an empty line ends a stroke. Ctrl-D to finish, Ctrl-C to give up.",
              file=sys.stderr)
    printer = Printer(sys.stdout)
    canvas = drawing_pb2.Canvas(width=args.width, height=args.height, kaleidoscope=args.kaleidoscope)

    with grpc.insecure_channel(args.addr, options=SESSION_KEEPALIVE) as channel:
        stub = drawing_pb2_grpc.DrawingStub(channel)
        # One stream for the whole session: the points go in, the call is the
        # iterator of images coming out. No timeout: the session lasts as
        # long as the input does.
        call = stub.Mirror(stroke_points(iter(sys.stdin.readline, ""), canvas, printer))
        try:
            for image in call:
                printer.line(format_image(image))
        except KeyboardInterrupt:
            call.cancel()  # the server's Recv fails with CANCELLED, and so does this call
            fail(call)
        except grpc.RpcError as err:
            fail(err)  # the error is the call itself: code() and details() say how it ended


if __name__ == "__main__":
    main()
