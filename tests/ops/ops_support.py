"""Helpers for the operator-facing tests (tests/ops/): real `ifexnode` processes on loopback,
every one tracked and stopped by PID whatever happens in the test, every wait bounded."""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from node_process import BIN, Node, cli, free_port  # noqa: E402,F401  (re-exported)

_started = []


def spawn(args, log_path):
    """Starts `ifexnode ARGS...`, its output in log_path; tracked for stop_everything()."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen([BIN, *args], stdout=log, stderr=subprocess.STDOUT)
    _started.append(proc)
    return proc


def spawn_run(data, port, log_path, *extra):
    """Starts `ifexnode run` on DATA and 127.0.0.1:PORT, its output in log_path; tracked."""
    return spawn(["run", "--data", data, "--listen", f"127.0.0.1:{port}", *extra], log_path)


def reap(proc, sig=signal.SIGTERM, timeout=10):
    """Stops proc (by its PID) if it still runs: `sig`, then SIGKILL after `timeout` s."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    return proc.returncode


def stop_everything():
    while _started:
        reap(_started.pop())


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def wait_until(predicate, timeout, what, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def wait_listening(proc, port, log_path, timeout=30):
    """Until the node logs that it listens on PORT; raises with its log if it ended first."""
    pattern = re.compile(r"listening on 127\.0\.0\.1:%d\b" % port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pattern.search(read(log_path)):
            return
        if proc.poll() is not None:
            raise AssertionError(f"the node ended ({proc.returncode}): {read(log_path)}")
        time.sleep(0.05)
    raise AssertionError(f"the node did not listen in {timeout} s: {read(log_path)}")


def publish(data, title):
    """Publishes one alert with the CLI; returns its id."""
    import json
    _, out, _ = cli("publish", "--data", data, "--lang", "en", "--country", "TN", "--category",
                    "press-freedom", "--title", title, "--body", "b", "--json")
    return json.loads(out)["id"]
