"""room_client.py against the finished room: two members with tokens talk
over mutual TLS; no token, a forged one, or another CA are refused."""

import os
import subprocess

import pytest

from conftest import BUILD_TIMEOUT, ROOT

CLIENT = "room_client.py"
PROTO = "room.proto"


@pytest.fixture(scope="module")
def tools(tmp_path_factory):
    """07's cmd/certs and cmd/token, built once."""
    out = str(tmp_path_factory.mktemp("07-tools"))
    res = subprocess.run(["go", "build", "-o", out + os.sep, "./07-production/cmd/certs", "./07-production/cmd/token"],
                         cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def make_certs(tools, dir):
    subprocess.run([os.path.join(tools, "certs"), "-dir", dir], check=True, capture_output=True, timeout=60)
    return dir


@pytest.fixture(scope="module")
def certs(tools, tmp_path_factory):
    return make_certs(tools, str(tmp_path_factory.mktemp("07-certs")))


@pytest.fixture
def server_args(certs):
    return ["-certs", certs, "-debug-addr", "127.0.0.1:0"]


def mint(tools, certs, name):
    return subprocess.run([os.path.join(tools, "token"), "-certs", certs, "-name", name],
                          check=True, capture_output=True, text=True, timeout=60).stdout.strip()


def test_two_members_talk_over_tls(server, client, sessions, tools, certs):
    ada = sessions(client, ["--addr", server.addr, "--certs", certs, "--token", mint(tools, certs, "ada")])
    ada.expect("* you are ada in room lobby")
    ada.expect("* ada joined")
    grace = sessions(client, ["--addr", server.addr, "--certs", certs, "--token", mint(tools, certs, "grace")])
    grace.expect("* you are grace in room lobby")
    grace.expect("* grace joined")
    ada.expect("* grace joined")

    ada.type("hello over TLS")
    ada.expect("ada: hello over TLS")
    grace.expect("ada: hello over TLS")
    grace.type("/quit")
    assert grace.end() == (0, ["* the stream ended: left"], "")
    ada.expect("* grace left (left)")
    ada.type("/quit")
    assert ada.end() == (0, ["* the stream ended: left"], "")


def test_no_token_or_a_forged_one_is_unauthenticated(server, client, tools, certs, tmp_path):
    rc, out, err = client.run(["--addr", server.addr, "--certs", certs])
    assert rc == 1 and err.startswith("Unauthenticated: "), f"stderr {err!r}"
    other = make_certs(tools, str(tmp_path / "other"))
    forged = mint(tools, other, "ada")  # signed with another key
    rc, out, err = client.run(["--addr", server.addr, "--certs", certs, "--token", forged])
    assert rc == 1 and err.startswith("Unauthenticated: token signature"), f"stderr {err!r}"


def test_another_ca_fails_the_handshake(server, client, tools, tmp_path):
    other = make_certs(tools, str(tmp_path / "other"))
    rc, out, err = client.run(["--addr", server.addr, "--certs", other, "--token", mint(tools, other, "ada")])
    # gRPC's C core logs the failed handshake first; the client's own line is the last.
    assert rc == 1 and err.splitlines()[-1].startswith("Unavailable: "), f"stderr {err!r}"
