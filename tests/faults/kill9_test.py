"""kill -9 of a running node while it ingests from a peer and publishes locally (issue 6, faults).

Node A runs; node B (another `ifexnode run`) publishes alerts that reach A over gossip (one at a
time through its HTTP API, and in bursts of 25 signed in one transaction by `import-archive`),
while this test publishes to A through its HTTP API and through `ifexnode publish`. At a random
moment A is killed with SIGKILL; then `ifexnode verify` must pass on A's data dir and every id A
acknowledged must be in it, and A is restarted. Acknowledged means:
  - an HTTP 201 from POST /api/alerts (the id in the body),
  - an id printed by `ifexnode publish --json` (printed only once durable),
  - an id A logged as `stored` (debug level) when it took it from B: the line is written after the
    commit, and it is what A claims in its clock on every later handshake, which is the gossip
    protocol's only acknowledgement to a peer (docs/protocol.md, "Replication": no message
    answers an entries message; the receiver's clock says what it holds).
At the end A runs undisturbed until both nodes hold every id either acknowledged and all of B's
store, A and B hold the same set, no log is frozen (a lost own entry re-signed with the same seq would show up at B as a fork), and `verify`
passes on both.

IFEX_FAULT_ITERATIONS (default 100) sets the number of kills; IFEX_FAULT_SEED the random seed."""
import datetime
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from archive_fixture import write_archive  # noqa: E402
from fault_node import (BIN, cli, federation, sample_alert, set_config,  # noqa: E402
                        spawn, reap, stop_everything, wait_until)

ITERATIONS = int(os.environ.get("IFEX_FAULT_ITERATIONS", "100"))
SEED = int(os.environ.get("IFEX_FAULT_SEED", str(int(time.time() * 1000) % 1_000_000)))
# When to kill, measured from the spawn of A: a fifth of the kills while it starts, half at any
# moment up to MAX_KILL_DELAY_S (catch-up, live push, idle), the rest within 20 ms after A logs a
# commit of B's entries (the next group commit is then likely in flight).
EARLY_KILL_S = 0.08
MAX_KILL_DELAY_S = 0.8
BURST = 25                   # alerts B signs at once, every BURST_PAUSE_S
BURST_PAUSE_S = 2.0
STORED_LINE = re.compile(r"^(\S+) debug stored ([0-9a-f]{64}) \S+ #(\d+) from .*$", re.M)


class Acks:
    """Ids acknowledged to someone, with how; appended from several threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ids = {}

    def add(self, entry_id, how):
        with self.lock:
            self.ids.setdefault(entry_id, how)

    def snapshot(self):
        with self.lock:
            return dict(self.ids)


class Publisher(threading.Thread):
    """Calls `publish_once` until stopped, at most every `pause` seconds; a refused connection
    (the node is down) is ordinary here and only counted."""

    def __init__(self, name, publish_once, pause):
        super().__init__(name=name, daemon=True)
        self.publish_once = publish_once
        self.pause = pause
        self.stop_event = threading.Event()
        self.attempts = 0
        self.failures = 0
        self.error = None

    def run(self):
        try:
            while not self.stop_event.is_set():
                self.attempts += 1
                if not self.publish_once(self.attempts):
                    self.failures += 1
                self.stop_event.wait(self.pause)
        except Exception as e:  # reported by the main thread
            self.error = e

    def finish(self):
        self.stop_event.set()
        self.join(timeout=60)
        if self.error:
            raise self.error


def http_publisher(node, acks, tag):
    def publish_once(i):
        if node.port is None:
            return False
        try:
            status, _, body = node.publish(sample_alert(i, tag))
        except (OSError, http.client.HTTPException):
            return False
        if status == 201:
            acks.add(json.loads(body)["id"], f"HTTP 201 from {node.label}")
            return True
        if status >= 500:
            raise AssertionError(f"POST to {node.label}: {status} {body[:300]!r}")
        return False
    return publish_once


def cli_publisher(node, acks):
    def publish_once(i):
        proc = spawn([BIN, "publish", "--data", node.data, "--json", "--lang", "en",
                      "--country", "KE", "--category", "press-freedom", "--title", f"cli alert {i}",
                      "--summary", "s", "--body", f"Published by the command line, number {i}."],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=60)
        finally:
            reap(proc)
        if proc.returncode != 0:
            raise AssertionError(f"ifexnode publish failed ({proc.returncode}): {err}")
        acks.add(json.loads(out)["id"], "printed by ifexnode publish")
        return True
    return publish_once


def archive_burster(node, acks):
    """B signs a burst of alerts in one transaction (`import-archive`), so that A, when it is up,
    ingests catch-up and pushed batches of tens of entries at a time."""
    def burst_once(i):
        path = write_archive(os.path.join(node.tmp.name, f"burst-{i}.jsonl"), BURST,
                             f"burst{i}", body_bytes=300)
        out = cli("import-archive", "--data", node.data, path, "--json")[1]
        if json.loads(out)["imported"] != BURST:
            raise AssertionError(f"import-archive on B: {out}")
        os.remove(path)
        acks.add(f"burst {i}", "imported by B")  # counted; B's ids are compared at the end
        return True
    return burst_once


def wait_for_kill_moment(node, proc, rng):
    """Lets A run until the chosen moment; returns (seconds since spawn, kind of moment).
    Every wait is on the process, so a node that dies by itself is noticed."""
    started = time.monotonic()
    kind = rng.choices(["start-up", "any", "after a commit"], [0.2, 0.5, 0.3])[0]
    if kind == "after a commit":
        deadline = started + 2 * MAX_KILL_DELAY_S
        while time.monotonic() < deadline and proc.poll() is None:
            if STORED_LINE.search(open(node.log_path, errors="replace").read()):
                break
            try:
                proc.wait(timeout=0.005)
            except subprocess.TimeoutExpired:
                pass
        pause = rng.uniform(0, 0.02)
    elif kind == "start-up":
        pause = rng.uniform(0, EARLY_KILL_S)
    else:
        pause = rng.uniform(EARLY_KILL_S, MAX_KILL_DELAY_S)
    try:
        proc.wait(timeout=pause)
    except subprocess.TimeoutExpired:
        pass
    return time.monotonic() - started, kind


def stored_claims(log_path):
    """Ids a run logged as stored (complete lines only: a line cut by the kill claims nothing)."""
    text = open(log_path, errors="replace").read()
    return {m.group(2) for m in STORED_LINE.finditer(text)}


def last_store_time(log_path):
    """Wall-clock time (s) of the run's last `stored` line, or None."""
    text = open(log_path, errors="replace").read()
    stamps = [m.group(1) for m in STORED_LINE.finditer(text)]
    if not stamps:
        return None
    stamp = datetime.datetime.strptime(stamps[-1], "%Y-%m-%dT%H:%M:%S.%fZ")
    return stamp.replace(tzinfo=datetime.timezone.utc).timestamp()


def check_acknowledged(node, acks, what):
    ids = node.ids()
    held = set(ids)
    if len(held) != len(ids):
        raise AssertionError(f"{node.label} lists {len(ids) - len(held)} ids twice ({what})")
    missing = {i: how for i, how in acks.items() if i not in held}
    if missing:
        sample = list(missing.items())[:10]
        raise AssertionError(f"{len(missing)} acknowledged ids are not in {node.label} ({what}): "
                             f"{sample}\nlast log of {node.label}:\n{node.log_text(last=1)[-6000:]}")
    return len(held)


def main():
    print(f"kill9_test: {ITERATIONS} iterations, seed {SEED} (IFEX_FAULT_SEED to replay)")
    rng = random.Random(SEED)
    a, b = federation(["A", "B"])
    # A dials B (so A's port may change between runs); the short backoff makes A reconnect at
    # once after each restart.
    for n in (a, b):
        set_config(n.data, "network", "reconnect_min_ms", 20)
        set_config(n.data, "network", "reconnect_max_ms", 200)
    publishers = []
    started = time.monotonic()
    try:
        b.start()
        cli("peer", "add", "--data", a.data, f"ws://127.0.0.1:{b.port}/gossip", b.key)
        acked_by_a = Acks()   # what A acknowledged: 201s, publish's ids, logged `stored`
        acked_by_b = Acks()   # what B acknowledged (A must end up holding it)
        bursts = Acks()
        # Rates keep the store at a few thousand entries after 100 kills, so that the checks
        # after each kill (verify, list) stay cheap.
        publishers = [Publisher("http->A", http_publisher(a, acked_by_a, "A-http"), 0.05),
                      Publisher("cli->A", cli_publisher(a, acked_by_a), 0.4),
                      Publisher("http->B", http_publisher(b, acked_by_b, "B-http"), 0.2),
                      Publisher("bursts on B", archive_burster(b, bursts), BURST_PAUSE_S)]
        for p in publishers:
            p.start()

        figures = {"killed_before_listening": 0, "killed_while_connected": 0,
                   "killed_while_ingesting": 0, "stored_claims": 0,
                   "checks": 0, "kill_delays": [], "moments": {}}
        for it in range(1, ITERATIONS + 1):
            proc = a.spawn_run()
            delay, moment = wait_for_kill_moment(a, proc, rng)
            log = open(a.log_path, errors="replace").read()
            if proc.returncode is not None:
                if "cannot listen" in log:   # the port was taken meanwhile: not the node's fault
                    a.port = None
                    continue
                raise AssertionError(f"A exited by itself ({proc.returncode}) in run {it}:\n"
                                     f"{log[-6000:]}")
            killed_at = time.time()
            a.kill9()
            port_was = a.port
            a.port = None   # the HTTP publisher waits until the next run
            if "listening on" not in log:
                figures["killed_before_listening"] += 1
            if "connected to" in log:
                figures["killed_while_connected"] += 1
            figures["kill_delays"].append(delay)
            figures["moments"][moment] = figures["moments"].get(moment, 0) + 1
            last_store = last_store_time(a.log_path)
            if last_store is not None and killed_at - last_store < 0.05:
                figures["killed_while_ingesting"] += 1
            for entry_id in stored_claims(a.log_path):
                acked_by_a.add(entry_id, f"logged as stored by A in run {it}")
            report = a.verify()
            acks = acked_by_a.snapshot()
            held = check_acknowledged(a, acks, f"after kill {it}")
            figures["checks"] += len(acks)
            figures["stored_claims"] = sum(1 for h in acks.values() if h.startswith("logged"))
            if it % 10 == 0 or it == ITERATIONS:
                print(f"  kill {it:4d} at {delay * 1000:6.0f} ms: verify ok ({report['entries']} "
                      f"entries), {len(acks)} acknowledged ids all present, A holds {held}; "
                      f"{time.monotonic() - started:.1f} s", flush=True)
            a.port = port_was

        for p in publishers:
            p.finish()
        print("  publishers: " + ", ".join(f"{p.name} {p.attempts} tries, {p.failures} refused"
                                            for p in publishers))
        publishers = []

        # Undisturbed: everything acknowledged anywhere reaches both nodes.
        a.start()
        final_a, final_b = acked_by_a.snapshot(), acked_by_b.snapshot()
        for entry_id in stored_claims(a.log_path):
            final_a.setdefault(entry_id, "logged as stored by A in the last run")
        everything = set(final_a) | set(final_b) | set(b.ids())
        wait_until(lambda: everything <= set(a.ids()) and everything <= set(b.ids()), 180,
                   "both nodes to hold every acknowledged id", every=0.5)
        for n in (a, b):
            n.verify()
            check_acknowledged(n, {**final_a, **final_b}, "at the end")
            members = n.get_json("/api/status")["members"]
            frozen = [m for m in members if m["frozen"]]
            if frozen:
                raise AssertionError(f"{n.label} froze a log (a fork: an entry was re-signed): "
                                     f"{frozen}")
        a_ids, b_ids = set(a.ids()), set(b.ids())
        if a_ids != b_ids:
            raise AssertionError(f"A and B differ: {len(a_ids - b_ids)} only in A, "
                                 f"{len(b_ids - a_ids)} only in B")
        delays = sorted(figures["kill_delays"])
        print(f"kill9_test: {len(delays)} kills (delay {delays[0] * 1000:.0f}-{delays[-1] * 1000:.0f}"
              f" ms, median {delays[len(delays) // 2] * 1000:.0f} ms; aimed at: "
              f"{', '.join(f'{k} {v}' for k, v in sorted(figures['moments'].items()))}), "
              f"{figures['killed_before_listening']} before A listened, "
              f"{figures['killed_while_connected']} after A connected to B, "
              f"{figures['killed_while_ingesting']} within 50 ms of A logging an entry of B "
              f"stored; "
              f"verify passed after every kill; {figures['checks']} id checks of acknowledged ids "
              f"({len(final_a)} acknowledged by A: "
              f"{sum(1 for h in final_a.values() if h.startswith('HTTP'))} HTTP 201, "
              f"{sum(1 for h in final_a.values() if h.startswith('printed'))} publish, "
              f"{sum(1 for h in final_a.values() if h.startswith('logged'))} logged as stored "
              f"from B; {len(final_b)} HTTP 201 from B, {len(bursts.snapshot()) * BURST} "
              f"imported by B in bursts of {BURST}); both hold {len(a_ids)} entries; "
              f"{time.monotonic() - started:.1f} s")
    finally:
        for p in publishers:
            p.stop_event.set()
        stop_everything()
        for p in publishers:
            p.join(timeout=60)
        for n in (a, b):
            n.close()


if __name__ == "__main__":
    main()
