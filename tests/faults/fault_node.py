"""Real `ifexnode run` processes for the fault tests: nodes that join one federation, run at the
debug log level with one log file per run, can be killed with SIGKILL, and are always stopped by
PID. Builds on tests/http/node_process.py (data dir, HTTP client)."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from node_process import BIN, Node, cli, free_port  # noqa: E402,F401

# Every process a fault test starts, so that `stop_everything` can end the survivors by PID
# whatever went wrong (a failed assertion leaves nodes and CLI writers running otherwise).
_live = set()
_live_lock = threading.Lock()


def spawn(args, **kw):
    proc = subprocess.Popen(args, **kw)
    with _live_lock:
        _live.add(proc)
    return proc


def reap(proc, sig=signal.SIGKILL, timeout=10):
    """Ends one process we started, by its PID, and waits for it."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    with _live_lock:
        _live.discard(proc)


def stop_everything():
    with _live_lock:
        procs = list(_live)
    for p in procs:
        reap(p)


def wait_until(predicate, timeout, what, every=0.05):
    """Polls `predicate` until it returns a true value (returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def set_config(data, section, key, value):
    """Sets `key` in `[section]` of DATA/ifexnode.toml (the file `init` wrote: one `key = value`
    a line); `value` is written as TOML (ints and bools as such, strings quoted)."""
    path = os.path.join(data, "ifexnode.toml")
    text = open(path).read()
    rendered = json.dumps(value) if not isinstance(value, bool) else ("true" if value else "false")
    head = re.search(r"^\[%s\]\n" % re.escape(section), text, re.M)
    if not head:
        raise AssertionError(f"no [{section}] in {path}")
    end = text.find("\n[", head.end())
    end = len(text) if end < 0 else end
    body = text[head.end():end]
    line = f"{key} = {rendered}"
    # A function, not a template: the value's own backslashes (TOML escapes) stay as they are.
    body, n = re.subn(r"^%s = .*$" % re.escape(key), lambda _: line, body, flags=re.M)
    if n == 0:
        body = line + "\n" + body
    with open(path, "w") as f:
        f.write(text[:head.end()] + body + text[end:])


class FaultNode(Node):
    """A node that logs at the debug level into one file per run (`runs`), can be killed with
    SIGKILL, and keeps its listening port across restarts when it can."""

    def __init__(self, name, role="member", tmp_root=None, network_key=None, log_dir=None):
        super().__init__(name, role, tmp_root)
        self.label = name
        # Logs may need to live elsewhere than the data (a test that fills the data's disk).
        self.log_dir = log_dir or self.tmp.name
        if network_key:
            cli("network-key", "set", "--data", self.data, network_key, "--replace")
        self.key = cli("id", "--data", self.data, "--json")[1]
        self.key = json.loads(self.key)["public_key"]
        self.runs = []  # log file of every run, in order
        self.log_level = "debug"

    def network_key(self):
        return cli("network-key", "show", "--data", self.data)[1].strip()

    def spawn_run(self, port=None):
        """Starts `run` without waiting for it (a crash test may kill it while it starts)."""
        self.port = port or self.port or free_port()
        self.log_path = os.path.join(self.log_dir, f"{self.label}-run-{len(self.runs) + 1:03d}.log")
        self.runs.append(self.log_path)
        self.log = open(self.log_path, "w")
        self.proc = spawn([BIN, "run", "--data", self.data, "--listen", f"127.0.0.1:{self.port}",
                           "--log-level", self.log_level],
                          stdout=self.log, stderr=subprocess.STDOUT)
        return self.proc

    def started(self):
        """True once this run listens; raises if it ended first (a port taken is retried by
        `start`, anything else is a failure of the node)."""
        text = open(self.log_path, errors="replace").read()
        if re.search(r"listening on 127\.0\.0\.1:%d\b" % self.port, text):
            return True
        if self.proc.poll() is not None:
            raise NodeExited(text)
        return False

    def start(self, timeout=60):
        for _ in range(5):
            self.spawn_run()
            try:
                wait_until(self.started, timeout, f"{self.label} to listen")
                return self
            except NodeExited as e:
                self.log.close()
                if "cannot listen" not in e.text:
                    raise AssertionError("the node exited at start:\n" + e.text[-4000:])
                self.port = free_port()
        raise AssertionError("no free port for the node")

    def kill9(self):
        """SIGKILL, as a power cut would: no handler runs, nothing is flushed."""
        if self.proc is not None:
            reap(self.proc, signal.SIGKILL)
        if self.log:
            self.log.close()
            self.log = None

    def stop(self):
        if self.proc is not None:
            reap(self.proc, signal.SIGTERM)
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def log_text(self, last=None):
        paths = self.runs if last is None else self.runs[-last:]
        return "".join(open(p, errors="replace").read() for p in paths)

    # ---- the store, read by the command line (works with the node running or dead) ----
    def entry_list(self):
        out = cli("list", "--data", self.data, "--json", "--limit", "100000000")[1]
        return json.loads(out)

    def ids(self):
        return [e["id"] for e in self.entry_list()]

    def verify(self):
        """`ifexnode verify --json`; returns the report, fails on a fault."""
        code, out, err = cli("verify", "--data", self.data, "--json", check=False)
        report = json.loads(out) if out.strip().startswith("{") else {}
        if code != 0 or not report.get("ok"):
            raise AssertionError(f"verify failed ({code}) on {self.data}: {out}{err}")
        return report


class NodeExited(Exception):
    def __init__(self, text):
        super().__init__("node exited")
        self.text = text


def refused_start(node):
    """Runs `run` on NODE's data, which must refuse to start; returns what it printed."""
    done = subprocess.run([BIN, "run", "--data", node.data, "--listen", f"127.0.0.1:{free_port()}"],
                          capture_output=True, text=True, timeout=60)
    if done.returncode == 0:
        raise AssertionError(f"{node.label} started, and should not have:\n{done.stdout}")
    return done.stdout + done.stderr


def federation(names, tmp_root=None, role="member"):
    """Nodes sharing one network key, each on every other's roster (so each accepts the others'
    alerts and welcomes their connections). Peers (who dials whom) are left to the test."""
    first = FaultNode(names[0], role, tmp_root)
    net = first.network_key()
    nodes = [first] + [FaultNode(n, role, tmp_root, network_key=net) for n in names[1:]]
    for n in nodes:
        for other in nodes:
            if other is not n:
                cli("roster", "add", "--data", n.data, other.key, "--name", other.label)
    return nodes


def sample_alert(i, tag="fault", body_bytes=0):
    body = f"Body of {tag} alert {i}: a newspaper office was raided and its servers seized."
    if body_bytes > len(body):
        body = (body + " ") * (body_bytes // (len(body) + 1) + 1)
        body = body[:body_bytes].strip()
    return {"lang": "en", "country": "TN", "categories": ["press-freedom"],
            "title": f"{tag} alert {i}", "summary": f"Summary of {tag} alert {i}",
            "body": body, "event_date": f"2024-02-{1 + i % 28:02d}"}
