"""A real `ifexnode run` process for tests: data dir made with `init`, bound to a free loopback
port, stopped by PID (SIGTERM, then SIGKILL after a bound) whatever happens in the test."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

BIN = os.environ.get("IFEXNODE_BIN", "ifexnode")


def cli(*args, check=True, timeout=120):
    """Runs the ifexnode binary; returns (exit code, stdout, stderr)."""
    done = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"ifexnode {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.returncode, done.stdout, done.stderr


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, name="hub", role="hub", tmp_root=None):
        base = tmp_root or os.environ.get("IFEX_TEST_TMP") or None
        if base:
            os.makedirs(base, exist_ok=True)
        self.tmp = tempfile.TemporaryDirectory(prefix="http-", dir=base)
        self.data = os.path.join(self.tmp.name, "node")
        cli("init", "--data", self.data, "--name", name, "--role", role)
        with open(os.path.join(self.data, "admin.token")) as f:
            self.token = f.read().strip()
        self.proc = None
        self.port = None

    def start(self):
        # A free port is picked by the OS, then offered to the node; if another process takes it
        # in between, the node says so and another one is tried.
        for _ in range(5):
            if self._start_on(free_port()):
                return self
        raise AssertionError("the node did not start: " + open(self.log_path).read())

    def _start_on(self, port):
        self.log_path = os.path.join(self.tmp.name, "node.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BIN, "run", "--data", self.data, "--listen",
                                      f"127.0.0.1:{port}"], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(self.log_path) as f:
                text = f.read()
            if re.search(r"listening on 127\.0\.0\.1:%d" % port, text):
                self.port = port
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        if "cannot listen" in open(self.log_path).read():
            return False
        raise AssertionError("the node did not start: " + open(self.log_path).read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def close(self):
        self.stop()
        self.tmp.cleanup()

    # ---- HTTP ----
    def request(self, method, path, body=None, headers=None, token=None):
        """Returns (status, headers dict with lower-case names, body bytes)."""
        url = f"http://127.0.0.1:{self.port}{path}"
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(url, data=data, method=method)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def get_json(self, path, expect=200, **kw):
        status, headers, body = self.request("GET", path, **kw)
        if status != expect:
            raise AssertionError(f"GET {path}: {status} (expected {expect}): {body[:300]!r}")
        return json.loads(body)

    def publish(self, alert, token=None):
        return self.request("POST", "/api/alerts", json.dumps(alert),
                            {"Content-Type": "application/json"}, token=token or self.token)

    def wait_indexed(self, timeout=60):
        """Until every stored entry is in the catalog and the search index (bounded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.get_json("/api/status", token=self.token)
            if st.get("indexed") == st.get("entries"):
                return st
            time.sleep(0.05)
        log = getattr(self, "log_path", None)
        try:
            with open(log, errors="replace") as f:
                tail = f.read()[-3000:]
        except (OSError, TypeError) as e:
            tail = f"(the log cannot be read: {e})"
        raise AssertionError(f"not indexed in {timeout} s: {st}\nthe node's log ends with:\n{tail}")
