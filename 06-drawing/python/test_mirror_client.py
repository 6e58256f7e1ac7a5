"""mirror_client.py against the finished Drawing service: points go up one
bidi stream as they are read, their images come back meanwhile."""

CLIENT = "mirror_client.py"
PROTO = "drawing.proto"


def test_each_image_comes_as_its_point_is_sent(server, client, sessions):
    s = sessions(client, ["--addr", server.addr])
    # Each image is awaited before the next point is typed.
    s.type("100 50")
    s.expect("stroke 1: (700, 50) LEFT_RIGHT")
    s.type("120,60")
    s.expect("stroke 1: (680, 60) LEFT_RIGHT")
    s.type("")  # a blank line starts a new stroke
    s.type("800 500")
    s.expect("stroke 2: (0, 500) LEFT_RIGHT")
    s.type("oops")
    s.expect('"oops" is not a point (x y): skipped')
    s.type("0 0")
    s.expect("stroke 2: (800, 0) LEFT_RIGHT")
    assert s.end() == (0, [], ""), "the end of input ends the stream with OK"


def test_kaleidoscope_sends_three_images_in_order(server, client):
    rc, out, err = client.run(["--addr", server.addr, "--kaleidoscope", "--width", "400", "--height", "300"],
                              b"100 50\n")
    assert (rc, out, err) == (0, "stroke 1: (300, 50) LEFT_RIGHT\nstroke 1: (100, 250) TOP_BOTTOM\n"
                                 "stroke 1: (300, 250) CENTRE\n", "")


def test_a_point_off_the_canvas_ends_the_stream(server, client):
    rc, out, err = client.run(["--addr", server.addr], b"100 50\n900 60\n10 10\n")
    assert (rc, out) == (1, "stroke 1: (700, 50) LEFT_RIGHT\n"), "the images of earlier points still arrive"
    assert err.startswith("InvalidArgument: "), f"stderr {err!r}"
