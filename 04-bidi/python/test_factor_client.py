"""factor_client.py against the finished Factorizer: one bidi stream, a
number sent as each line is read, each answer printed as it arrives."""

CLIENT = "factor_client.py"
PROTO = "factor.proto"
BIG_PRIME = "9223372036854775783"  # the largest prime below 2^63: seconds of trial division


def test_each_answer_comes_before_the_next_line(server, client, sessions):
    s = sessions(client, ["--addr", server.addr])
    # Each answer is awaited before the next line is typed: a client that
    # sent only at the end of its input, or printed only then, stops here.
    s.type("12")
    s.expect("12 = 2 × 2 × 3")
    s.type("97")
    s.expect("97 is prime")
    s.type("foo")
    s.expect('"foo" is not a number: skipped')
    s.type("1")
    line = s.next_line()
    assert line.startswith("1: error: "), "a number below 2 gets an in-band error, and the stream goes on"
    s.type("360360")
    s.expect("360360 = 2 × 2 × 2 × 3 × 3 × 5 × 7 × 11 × 13")
    assert s.end() == (0, [], ""), "at the end of input the client half-closes and exits 0"


def test_ctrl_c_cancels_the_stream(server, client, sessions):
    s = sessions(client, ["--addr", server.addr])
    s.type("12")
    s.expect("12 = 2 × 2 × 3")  # the stream is open
    s.type(BIG_PRIME)  # the server factors it for seconds
    rc, rest, err = s.end(interrupt=True)
    assert rc == 1 and rest == [] and err.startswith("Canceled: "), f"stderr {err!r}"
    server.wait_for_log("code=Canceled")  # the server's handler ended too


def test_the_timeout_ends_the_stream(server, client):
    rc, out, err = client.run(["--addr", server.addr, "--timeout", "0.5"], (BIG_PRIME + "\n").encode())
    assert (rc, out) == (1, "") and err.startswith("DeadlineExceeded: "), f"stderr {err!r}"
