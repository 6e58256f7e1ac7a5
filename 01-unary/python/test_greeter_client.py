"""greeter_client.py against the finished Greeter: what greeter.proto and
the README promise a client of any language."""

import socket

CLIENT = "greeter_client.py"
PROTO = "greeter.proto"


def test_greets_by_name(server, client):
    assert client.run(["--addr", server.addr, "--name", "Ada"]) == (0, "Hello, Ada!\n", "")


def test_a_bad_name_is_invalid_argument(server, client):
    for name in ["", "   ", "a" * 101]:
        rc, out, err = client.run(["--addr", server.addr, "--name", name])
        assert (rc, out) == (1, "") and err.startswith("InvalidArgument: "), f"name {name!r}: stderr {err!r}"


def test_a_name_that_is_not_utf8_is_refused_before_sending(client):
    # Nothing listens on this address: the refusal comes before any call.
    rc, out, err = client.run([b"--addr", b"127.0.0.1:1", b"--name", b"bad\xff"])
    assert rc == 1 and err.startswith("InvalidArgument: "), f"stderr {err!r}"


def test_the_timeout_is_the_calls_deadline(client):
    # A listener that accepts and never answers: only the deadline ends the call.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        addr = f"127.0.0.1:{silent.getsockname()[1]}"
        rc, out, err = client.run(["--addr", addr, "--timeout", "0.5"])
    assert rc == 1 and err.startswith("DeadlineExceeded: "), f"stderr {err!r}"


def test_no_server_is_unavailable(client):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        addr = f"127.0.0.1:{s.getsockname()[1]}"  # bound, never listening
        rc, out, err = client.run(["--addr", addr])
    assert rc == 1 and err.startswith("Unavailable: "), f"stderr {err!r}"
