"""chat_client.py against the finished chat room: two Python members in one
room see each other join, speak and leave; a latecomer gets the History."""

import os
import re

CLIENT = "chat_client.py"
PROTO = "chat.proto"
NOTHING_YET = "* you are in; nothing was said yet (type /quit to leave)"
GOODBYE = "* you left the room — goodbye"
# Times print in local time: a zone that is not UTC shows that they do.
ZONE = {"TZ": "Asia/Kathmandu"} if os.path.exists("/usr/share/zoneinfo/Asia/Kathmandu") else None


def said(who, text):
    """A line of the room: 15:04:05 who: text."""
    return re.compile(r"\d\d:\d\d:\d\d " + re.escape(f"{who}: {text}") + "$")


def test_two_members_see_each_other(server, client, sessions):
    ada = sessions(client, ["--addr", server.addr, "--name", "ada"], ZONE)
    ada.expect(NOTHING_YET)
    ada.expect("* ada joined")
    grace = sessions(client, ["--addr", server.addr, "--name", "grace"], ZONE)
    grace.expect(NOTHING_YET)
    grace.expect("* grace joined")
    ada.expect("* grace joined")

    ada.type("hello from ada")
    line = ada.next_line()
    assert said("ada", "hello from ada").match(line), line
    grace.expect(line)  # the same line, the same time, for every member
    grace.type("hello \x1b[31m")
    line = grace.next_line()
    assert said("grace", "hello ?[31m").match(line), f"control characters print as ?: {line!r}"
    ada.expect(line)

    # A latecomer gets the History, then its input ends: it leaves.
    rc, out, err = client.run(["--addr", server.addr, "--name", "late"], env=ZONE)
    lines = out.splitlines()
    assert (rc, err) == (0, ""), err
    assert lines[0] == "* you are in; the last 2 message(s) (type /quit to leave):"
    assert said("ada", "hello from ada").match(lines[1]) and said("grace", "hello ?[31m").match(lines[2])
    assert lines[3:] == ["* late joined", GOODBYE]
    for member in (ada, grace):
        member.expect("* late joined")
        member.expect("* late left")

    grace.type("/quit")
    assert grace.end() == (0, [GOODBYE], "")
    ada.expect("* grace left")
    ada.type("/quit")
    assert ada.end() == (0, [GOODBYE], "")


def test_a_taken_or_empty_name_is_refused(server, client, sessions):
    ada = sessions(client, ["--addr", server.addr, "--name", "ada"])
    ada.next_line()
    ada.expect("* ada joined")
    rc, out, err = client.run(["--addr", server.addr, "--name", "ada"])
    assert rc == 1 and err.startswith("AlreadyExists: "), f"stderr {err!r}"
    rc, out, err = client.run(["--addr", server.addr, "--name", ""])
    assert rc == 1 and err.startswith("InvalidArgument: "), f"stderr {err!r}"
    ada.type("/quit")
    assert ada.end()[0] == 0


def test_ctrl_c_leaves_the_room(server, client, sessions):
    ada = sessions(client, ["--addr", server.addr, "--name", "ada"])
    ada.next_line()
    ada.expect("* ada joined")
    gone = sessions(client, ["--addr", server.addr, "--name", "gone"])
    while gone.next_line() != "* gone joined":
        pass  # the History, if any
    ada.expect("* gone joined")
    rc, rest, err = gone.end(interrupt=True)
    assert rc == 1 and err.startswith("Canceled: "), f"stderr {err!r}"
    ada.expect("* gone left")
    ada.type("/quit")
    assert ada.end()[0] == 0
