"""What the Python clients' tests (NN-step/python/test_*.py) share: the
finished Go server of a step on a free loopback port, the stubs generated
with the command the step's python/README.md shows, and a way to run a
client and read what it prints line by line.

    /usr/bin/python3 -m pytest 01-unary/python     (from the repository root)

The tests check the gRPC contract (codes, and the words a proto or README
fixes), not the words of the Go clients. Every process started here is
stopped when its test ends, and every wait is bounded.
"""

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.abspath(__file__))
WAIT = 15  # seconds any one expected line, exit or listening server may take
BUILD_TIMEOUT = 420  # seconds for a cold go build on 2 shared cores


def step_of(request):
    """The step folder of the test file asking: NN-step/python/test_x.py."""
    return os.path.basename(os.path.dirname(os.path.dirname(str(request.path))))


# ---- the finished server ------------------------------------------------------

def build_server(step, out):
    """Builds the step's cmd/server with the solution laid over the skeleton
    (`go build -overlay`: the tree is not touched) into out."""
    solution = os.path.join(ROOT, "solutions", step)
    replace = {}
    for folder, dirs, files in os.walk(solution):
        dirs[:] = [d for d in dirs if d != "testdata"]  # the catalogs, not code
        for f in files:
            rel = os.path.relpath(os.path.join(folder, f), solution)
            replace[os.path.join(ROOT, step, rel)] = os.path.join(solution, rel)
    overlay = os.path.join(out, "overlay.json")
    with open(overlay, "w") as f:
        json.dump({"Replace": replace}, f)
    binary = os.path.join(out, "server")
    res = subprocess.run(["go", "build", f"-overlay={overlay}", "-o", binary, f"./{step}/cmd/server"],
                         cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    if res.returncode != 0:
        pytest.fail(f"building the finished {step} server failed:\n{res.stdout}{res.stderr}")
    return binary


class Server:
    """A finished server on a port of its own choosing (-addr 127.0.0.1:0:
    no other process can take it between a choice and the bind), its address
    read from its log, the log in a file."""

    LISTENING = re.compile(r"(?:listening on |addr=)(127\.0\.0\.1:\d+)")

    def __init__(self, binary, log_path, args=()):
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen([binary, "-addr", "127.0.0.1:0", *args], stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + WAIT
        while (found := self.LISTENING.search(self.log())) is None:
            if self.proc.poll() is not None:
                self._fail(f"{binary} exited before it listened:\n{self.log()}")
            if time.monotonic() > deadline:
                self._fail(f"{binary} did not say where it listens within {WAIT}s:\n{self.log()}")
            time.sleep(0.05)
        self.addr = found.group(1)

    def _fail(self, message):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        pytest.fail(message)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_for_log(self, text):
        """Waits (at most WAIT s) until the server's log holds text."""
        deadline = time.monotonic() + WAIT
        while text not in self.log():
            if time.monotonic() > deadline:
                pytest.fail(f"the server's log never said {text!r}; it says:\n{self.log()}")
            time.sleep(0.05)

    def stop(self):
        """Ctrl-C, as a person would: the server stops gracefully."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@pytest.fixture(scope="module")
def server_binary(request, tmp_path_factory):
    """The step's finished server, built once for the tests of one file."""
    step = step_of(request)
    return build_server(step, str(tmp_path_factory.mktemp(step)))


@pytest.fixture
def server_args():
    """The flags a step's server needs beside -addr: none, unless a test
    file overrides this fixture (07's server needs its certificates)."""
    return []


@pytest.fixture
def server(server_binary, server_args, tmp_path):
    """The step's finished server, started afresh for each test."""
    s = Server(server_binary, str(tmp_path / "server.log"), server_args)
    yield s
    s.stop()


# ---- the client -------------------------------------------------------------

def gen_command(step, proto, out):
    """The generate command of the step's python/README.md, writing to out."""
    return (f"mkdir -p {out} && $PY -m grpc_tools.protoc -I {step} "
            f"--python_out={out} --grpc_python_out={out} {step}/{proto}")


@pytest.fixture(scope="module")
def client(request, tmp_path_factory):
    """A Client for the step's Python client script, with its stubs
    generated by the command its README shows."""
    step = step_of(request)
    script = request.module.CLIENT
    proto = request.module.PROTO
    with open(os.path.join(ROOT, step, "python", "README.md")) as f:
        readme = f.read()
    shown = gen_command(step, proto, f"{step}/python/gen")
    assert shown in readme, f"{step}/python/README.md does not show the command that generates the stubs:\n    {shown}"
    gen = str(tmp_path_factory.mktemp(f"{step}-gen"))
    res = subprocess.run(["bash", "-c", gen_command(step, proto, gen)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, PY=sys.executable))
    assert res.returncode == 0, f"protoc failed:\n{res.stdout}{res.stderr}"
    return Client(step, script, gen)


class Client:
    """Runs one step's Python client with the Python running the tests."""

    def __init__(self, step, script, gen):
        self.cmd = [sys.executable, os.path.join(ROOT, step, "python", script)]
        self.env = dict(os.environ, PYTHONPATH=gen, PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")

    def run(self, args, stdin=b"", env=None):
        """Runs the client to its end: (exit status, stdout, stderr) as text."""
        p = subprocess.Popen(self.cmd + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=dict(self.env, **(env or {})), start_new_session=True)
        try:
            out, err = p.communicate(stdin, timeout=WAIT)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            pytest.fail(f"the client did not end within {WAIT}s\nstdout:\n{out.decode()}\nstderr:\n{err.decode()}")
        return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    def session(self, args, env=None):
        return Session(self.cmd + args, dict(self.env, **(env or {})))


class Session:
    """A client whose input is typed line by line and whose output is read
    line by line as it comes: to prove it streams, a test awaits each
    expected line before it types the next."""

    def __init__(self, cmd, env):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, start_new_session=True)
        self.lines = queue.Queue()  # stdout, line by line; None at its end
        self._stderr = []
        self._stderr_done = threading.Event()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        for raw in iter(self.proc.stdout.readline, b""):
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def _read_stderr(self):
        for raw in iter(self.proc.stderr.readline, b""):
            self._stderr.append(raw.decode("utf-8", "replace"))
        self._stderr_done.set()

    def stderr(self):
        return "".join(self._stderr)

    def type(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def next_line(self):
        try:
            line = self.lines.get(timeout=WAIT)
        except queue.Empty:
            pytest.fail(f"the client printed nothing more within {WAIT}s; stderr: {self.stderr()!r}")
        if line is None:
            self.lines.put(None)
            pytest.fail(f"the client's output ended early; stderr: {self.stderr()!r}")
        return line

    def expect(self, wanted):
        got = self.next_line()
        assert got == wanted
        return got

    def end(self, interrupt=False):
        """Closes the input (or interrupts, as Ctrl-C does) and waits for the
        exit; returns (exit status, the output lines not read yet, stderr)."""
        if interrupt:
            self.proc.send_signal(signal.SIGINT)
        else:
            self.proc.stdin.close()
        try:
            rc = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the client did not exit within {WAIT}s after its input " +
                        ("was interrupted" if interrupt else "ended"))
        rest = []
        while (line := self.lines.get(timeout=WAIT)) is not None:
            rest.append(line)
        self._stderr_done.wait(timeout=WAIT)
        return rc, rest, self.stderr()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def sessions():
    """Starts Sessions through a client; kills any still running when the
    test ends, however it ends."""
    started = []

    def start(client, args, env=None):
        s = client.session(args, env)
        started.append(s)
        return s

    yield start
    for s in started:
        s.kill()

