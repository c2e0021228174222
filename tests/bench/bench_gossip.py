#!/usr/bin/env python3
"""Gossip benchmarks with real `ifexnode run` processes on loopback. Prints figures, asserts
nothing about time (docs/performance.md records the output and this command).

  bench_gossip.py --bin build/node/ifexnode --fill build/tests/bench/fill_store pair --entries 10000
  bench_gossip.py --bin ... --fill ... federation --nodes 20 --alerts 60 --rate 2

pair:       A holds N ~1 KiB alerts, B starts empty and dials A: time until B holds them all,
            entries/s, bytes B received / payload bytes, peak RSS of both nodes.
federation: a hub linked to every member, each member to 3 random others; alerts published at
            random members at a steady rate; per alert, the time from the publisher's node
            picking it up to the last node storing it (median, p99); copies received per node
            per alert; wire bytes / payload bytes; peak RSS per node.
Every node it starts is stopped at the end, also on error or Ctrl-C.
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


class Node:
    def __init__(self, bench, name, port, network_key=None):
        self.bench, self.name, self.port = bench, name, port
        self.dir = os.path.join(bench.root, name)
        cmd = [bench.bin, "init", "--data", self.dir, "--name", name, "--kdf", "interactive",
               "--listen", f"127.0.0.1:{port}", "--json"]
        if network_key:
            cmd += ["--network-key", network_key]
        self.key = json.loads(run(cmd))["public_key"]
        self.proc = None
        self.log_path = self.dir + ".log"

    def cli(self, *args):
        return run([self.bench.bin, *args, "--data", self.dir])

    def network_key(self):
        return run([self.bench.bin, "network-key", "show", "--data", self.dir]).strip()

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.bench.bin, "run", "--data", self.dir, "--log-level",
                                      "debug"], stderr=self.log, stdout=subprocess.DEVNULL)

    def peak_rss_kib(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()

    def status(self):
        return json.loads(self.cli("status", "--json"))


class Bench:
    def __init__(self, args):
        self.bin, self.fill = os.path.abspath(args.bin), os.path.abspath(args.fill)
        self.root = tempfile.mkdtemp(prefix="ifex-bench-gossip-")
        self.nodes = []
        self.next_port = 20000 + os.getpid() % 20000

    def node(self, name, network_key=None):
        n = Node(self, name, self.next_port, network_key)
        self.next_port += 1
        self.nodes.append(n)
        return n

    def close(self):
        for n in self.nodes:
            n.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def link(a, b):
    """a dials b; both accept each other's alerts."""
    a.cli("roster", "add", b.key)
    b.cli("roster", "add", a.key)
    a.cli("peer", "add", f"ws://127.0.0.1:{b.port}/gossip", b.key)


def clock_of(status, author):
    for c in status["clocks"]:
        if c["author"] == author:
            return c["seq"]
    return 0


def payload_bytes(node, count):
    """Sum of the entries' encoded sizes, from a bundle of the node's log (minus its framing)."""
    path = os.path.join(node.bench.root, node.name + ".bundle")
    node.cli("export", "--out", path, "--author", node.key)
    return os.path.getsize(path) - 9 - 13 - 5 * count


def bench_pair(b, entries):
    a = b.node("a")
    c = b.node("b", a.network_key())
    link(c, a)
    run([b.fill, "--data", a.dir, "--count", str(entries)])
    payload = payload_bytes(a, entries)
    a.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    c.start()
    deadline = t0 + 600
    while clock_of(c.status(), a.key) < entries:
        if time.monotonic() > deadline:
            raise SystemExit("pair: timed out")
        time.sleep(0.05)
    wall = time.monotonic() - t0
    time.sleep(1.2)  # one status period, so the counters include the last frames
    st = c.status()
    rss = (a.peak_rss_kib(), c.peak_rss_kib())
    print(f"pair, {entries} entries of ~1 KiB: {wall:.2f} s, {entries / wall:.0f} entries/s, "
          f"B received {st['counters']['bytes_in']} bytes for {payload} payload bytes "
          f"(ratio {st['counters']['bytes_in'] / payload:.3f}), peak RSS A {rss[0] / 1024:.1f} MiB, "
          f"B {rss[1] / 1024:.1f} MiB")


STAMP = re.compile(r"^(\S+Z) debug (stored|local) ([0-9a-f]{64}) ")


def read_events(node):
    events = {}
    with open(node.log_path) as f:
        for line in f:
            m = STAMP.match(line)
            if m:
                t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
                events.setdefault(m.group(3), (m.group(2), t))
    return events


def bench_federation(b, count, alerts, rate, seed):
    rng = random.Random(seed)
    hub = b.node("hub")
    net = hub.network_key()
    members = [b.node(f"m{i:02d}", net) for i in range(1, count)]
    everyone = [hub] + members
    for m in members:
        link(m, hub)
    for i, m in enumerate(members):
        for other in rng.sample([x for x in members if x is not m], 3):
            if other.key not in m.cli("peer", "list"):
                link(m, other)
    for n in everyone:  # every node accepts every member's alerts
        for m in everyone:
            if m is not n:
                n.cli("roster", "add", m.key)
    for n in everyone:
        n.start()
    time.sleep(3)  # let the dialers connect
    published = []
    for i in range(alerts):
        who = rng.choice(members)
        out = run([b.bin, "publish", "--data", who.dir, "--lang", "en", "--country", "TN",
                   "--category", "press-freedom", "--title", f"federation alert {i}",
                   "--body", "x" * 800])
        published.append((out.strip(), who))
        time.sleep(1.0 / rate)
    deadline = time.monotonic() + 120
    expected = {}
    for _, who in published:
        expected[who.key] = expected.get(who.key, 0) + 1
    while True:
        done = all(clock_of(n.status(), k) >= v for n in everyone for k, v in expected.items())
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(1.5)
    statuses = {n.name: n.status() for n in everyone}
    rss = [n.peak_rss_kib() for n in everyone]
    for n in everyone:
        n.stop()
    events = {n.name: read_events(n) for n in everyone}
    latencies, missing = [], 0
    for entry_id, who in published:
        t_pub = events[who.name].get(entry_id, (None, None))[1]
        arrivals = [events[n.name].get(entry_id, (None, None))[1] for n in everyone if n is not who]
        if t_pub is None or any(t is None for t in arrivals):
            missing += 1
            continue
        latencies.append(max(arrivals) - t_pub)
    received = sum(s["counters"]["entries_received"] for s in statuses.values())
    wire = sum(s["counters"]["bytes_in"] for s in statuses.values())
    copies = received / (alerts * (count - 1))
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
    print(f"federation, {count} nodes (hub + {count - 1} members, each member 4+ links), "
          f"{alerts} alerts at {rate}/s: delivered everywhere {alerts - missing}/{alerts}; "
          f"time to reach every node median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {p(0.99) * 1000:.0f} ms; copies received per node per alert {copies:.2f}; "
          f"duplicates {sum(s['counters']['duplicates'] for s in statuses.values())}; "
          f"bytes received per node per alert {wire / (alerts * count):.0f}; "
          f"peak RSS per node median {statistics.median(r for r in rss if r) / 1024:.1f} MiB")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="build/node/ifexnode")
    p.add_argument("--fill", default="build/tests/bench/fill_store")
    sub = p.add_subparsers(dest="mode", required=True)
    pp = sub.add_parser("pair")
    pp.add_argument("--entries", type=int, default=10000)
    fp = sub.add_parser("federation")
    fp.add_argument("--nodes", type=int, default=20)
    fp.add_argument("--alerts", type=int, default=60)
    fp.add_argument("--rate", type=float, default=2.0)
    fp.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    b = Bench(args)
    try:
        if args.mode == "pair":
            bench_pair(b, args.entries)
        else:
            bench_federation(b, args.nodes, args.alerts, args.rate, args.seed)
    finally:
        b.close()


if __name__ == "__main__":
    main()
