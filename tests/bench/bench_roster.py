#!/usr/bin/env python3
"""Roster changes in a loopback federation that governs itself (issue 13), with real `ifexnode
run` processes. Prints figures, asserts nothing about time (docs/performance.md records the
output and this command).

  bench_roster.py --bin build/node/ifexnode --nodes 20 --threshold 11 --changes 20 \
      --low-threshold 3 --low-changes 20

Set-up: a hub founds the federation (`federation create`, every other node a founding member,
the hub's URL as the only bootstrap URL) and the others join it with the invitation
(`federation join`): no `roster add`, no `peer add`. Every node dials the invitation's URLs, so
the graph is a star: each member dials the hub, nobody else.

Then R roster changes, alternately `propose add` of a fresh key (a node that never runs) and
`propose remove` of it; one more change (`propose threshold`) lowers K to --low-threshold, and a
second phase runs R changes under that K. Each change is signed by K distinct nodes' CLIs, one
after the other: the proposer (its proposal counts as its approval), then K-1 `approve`.
Measured per change:
  - proposal: from `propose` exiting to the proposal stored (logs) and listed as pending (API)
    by every node;
  - change: from the K-th signature's command exiting to every node's GET /api/federation
    listing the change as applied (each node polled every --poll-ms over a kept-alive HTTP
    connection, so a node's time is late by at most one poll period plus one request);
  - the same from the nodes' debug logs: the moment each node stored the last of the K
    signatures (the roster rule reads the store, so that is when the API's answer changes
    there). No polling error, and the figure the polled one should match.
Counts every command run, and the commands an operator would run without the federation.
Every node is stopped at the end, by PID, also on error, Ctrl-C or SIGTERM.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = 4  # parallel CLI commands while setting up


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default="build/node/ifexnode")
    p.add_argument("--nodes", type=int, default=20, help="hub included")
    p.add_argument("--threshold", type=int, default=11, help="K of the first phase")
    p.add_argument("--changes", type=int, default=20, help="roster changes in the first phase")
    p.add_argument("--low-threshold", type=int, default=3,
                   help="K of the second phase (the first phase's last change sets it); 0: none")
    p.add_argument("--low-changes", type=int, default=20)
    p.add_argument("--poll-ms", type=int, default=50, help="per node, while waiting")
    p.add_argument("--wait-s", type=float, default=60, help="bound on every wait")
    p.add_argument("--federation-size", type=int, default=80,
                   help="members of the federation the command counts are given for")
    return p.parse_args()


ARGS = parse_args()
# fault_node reads the binary's path when it is imported.
os.environ["IFEXNODE_BIN"] = os.path.abspath(ARGS.bin)
sys.path.insert(0, os.path.join(HERE, "..", "faults"))
sys.path.insert(0, HERE)
from fault_node import FaultNode, cli, free_port, set_config, stop_everything  # noqa: E402
from bench_gossip import LogTail, pct  # noqa: E402  (debug-log reader, percentile)

COMMANDS = {}  # subcommand -> how many times this bench ran it
COMMANDS_LOCK = threading.Lock()


def run_cli(*args):
    name = " ".join(a for a in args[:2] if not a.startswith("-"))
    with COMMANDS_LOCK:
        COMMANDS[name] = COMMANDS.get(name, 0) + 1
    return cli(*args)[1]


def parallel(tasks):
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return [f.result() for f in [pool.submit(t) for t in tasks]]


class Api:
    """GET /api/federation of one node over one kept-alive connection, with If-None-Match: an
    unchanged answer is a 304 and costs neither side a body."""

    def __init__(self, node):
        self.node, self.conn, self.etag, self.last = node, None, None, None

    def federation(self):
        for _ in range(3):  # a connection the node closed is reopened
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.node.port, timeout=10)
                headers = {"If-None-Match": self.etag} if self.etag else {}
                self.conn.request("GET", "/api/federation", headers=headers)
                res = self.conn.getresponse()
                body = res.read()
                if res.status == 304:
                    return self.last
                if res.status == 503:  # the genesis has not arrived yet: nothing applied
                    return {}
                if res.status != 200:
                    raise AssertionError(f"{self.node.label}: GET /api/federation {res.status}: "
                                         f"{body[:200]!r}")
                self.etag, self.last = res.getheader("ETag"), json.loads(body)
                return self.last
            except (http.client.HTTPException, OSError):
                if self.conn:
                    self.conn.close()
                self.conn = None
        raise AssertionError(f"{self.node.label}: GET /api/federation keeps failing")


class Poller:
    """Polls every node's API at once (a thread per node) until a predicate holds at each: the
    wall time each node's answer first satisfied it."""

    def __init__(self, nodes, poll_s, wait_s):
        self.apis = [Api(n) for n in nodes]
        self.poll_s, self.wait_s = poll_s, wait_s
        self.pool = concurrent.futures.ThreadPoolExecutor(len(nodes))
        self.requests = 0

    def _one(self, api, pred, deadline):
        count = 0
        while True:
            fed = api.federation()
            count += 1
            seen = time.time()
            if pred(fed):
                return seen, count
            if time.monotonic() > deadline:
                raise AssertionError(f"{api.node.label}: timed out after {self.wait_s} s")
            time.sleep(self.poll_s)

    def until(self, pred):
        deadline = time.monotonic() + self.wait_s
        got = [f.result() for f in [self.pool.submit(self._one, a, pred, deadline)
                                    for a in self.apis]]
        self.requests += sum(c for _, c in got)
        return [t for t, _ in got]

    def once(self, pred):
        """Whether the predicate holds at each node now (one request each)."""
        return list(self.pool.map(lambda a: pred(a.federation()), self.apis))

    def close(self):
        self.pool.shutdown()
        for a in self.apis:
            if a.conn:
                a.conn.close()


def pending_ids(fed):
    return {p["id"] for p in fed.get("pending", [])}


def applied_ids(fed):
    return {a["id"] for a in fed.get("applied", [])}


def fresh_key(root, i):
    """A key no node holds: `init` of a data directory that never runs."""
    data = os.path.join(root, f"newcomer-{i:03d}")
    run_cli("init", "--data", data, "--name", f"newcomer-{i}", "--kdf", "interactive")
    return json.loads(cli("id", "--data", data, "--json")[1])["public_key"]


class Federation:
    def __init__(self, root, count, threshold, poll_s, wait_s):
        self.root = root
        t0 = time.monotonic()
        self.hub = FaultNode("n00", "hub", root)
        self.members = parallel([lambda i=i: FaultNode(f"n{i:02d}", "member", root)
                                 for i in range(1, count)])
        self.nodes = [self.hub] + self.members
        for n in self.nodes:
            with COMMANDS_LOCK:
                COMMANDS["init"] = COMMANDS.get("init", 0) + 1
        # All members dial the hub from 127.0.0.1: the per-address cap (for one remote host)
        # would refuse the 9th. Lift it to the total cap.
        set_config(self.hub.data, "network", "max_connections_per_address", 128)
        self.hub.port = free_port()
        self.invitation = os.path.join(root, "invitation.txt")
        run_cli("federation", "create", "--data", self.hub.data, "--threshold", str(threshold),
                "--name", "bench", "--url", f"ws://127.0.0.1:{self.hub.port}/gossip",
                "--out", self.invitation,
                *sum((["--member", f"{m.key}={m.label}"] for m in self.members), []))
        parallel([lambda m=m: run_cli("federation", "join", "--data", m.data, "--invitation",
                                      self.invitation, "--replace-network-key")
                  for m in self.members])
        self.setup_s = time.monotonic() - t0
        self.keys = {n.key for n in self.nodes}
        self.logs = {}
        self.poller = None
        self.poll_s, self.wait_s = poll_s, wait_s

    def start(self):
        t0 = time.monotonic()
        for n in self.nodes:
            n.start()
        started = time.time()
        self.start_s = time.monotonic() - t0
        self.logs = {n.key: LogTail(n) for n in self.nodes}
        self.poller = Poller(self.nodes, self.poll_s, self.wait_s)
        seen = self.poller.until(lambda f: {m["key"] for m in f.get("members", [])} == self.keys)
        self.formed_s = max(seen) - started

    def topology(self):
        """Connected peers per node, from each node's /api/status (with its admin token)."""
        out = {}
        for n in self.nodes:
            st = n.get_json("/api/status", token=n.token)
            out[n.label] = sorted(p.get("name") or p.get("fingerprint", "?")
                                  for p in st.get("peers", []) if p.get("connected"))
        return out

    def sign(self, node, args):
        """One signing command at `node`; returns (stdout, wall time it exited)."""
        out = run_cli("federation", *args, "--data", node.data)
        return out, time.time()

    def local_ids(self, node):
        self.logs[node.key].poll()
        return {i for i, (kind, _, _) in self.logs[node.key].events.items() if kind == "local"}


def one_change(fed, index, change, signers):
    """Proposes `change` (a list of `propose` arguments) at signers[0], approves it at the
    others; returns the figures of this change."""
    before = {s.key: fed.local_ids(s) for s in signers}
    out, proposed_at = fed.sign(signers[0], ["propose", *change])
    proposal = out.strip().splitlines()[-1]
    if len(proposal) != 64:
        raise AssertionError(f"propose printed {out!r}")
    signed_at = {signers[0].key: proposed_at}
    visible = fed.poller.until(lambda f: proposal in pending_ids(f) | applied_ids(f))
    for s in signers[1:-1]:
        signed_at[s.key] = fed.sign(s, ["approve", proposal])[1]
    # K-1 signatures: the change must not be in effect anywhere yet, or the K-th is not what
    # the figure times.
    early = fed.poller.once(lambda f: proposal in applied_ids(f))
    if any(early):
        raise AssertionError(f"change {index}: applied with K-1 signatures at "
                             f"{[n.label for n, e in zip(fed.nodes, early) if e]}")
    last = signers[-1]
    t0 = fed.sign(last, ["approve", proposal])[1]
    signed_at[last.key] = t0
    applied = fed.poller.until(lambda f: proposal in applied_ids(f))

    # From the logs: the entries are the proposal and each approver's new `local` entry.
    from_log = []
    entry_ids = {}
    deadline = time.monotonic() + fed.wait_s
    for s in signers:
        while True:
            new = fed.local_ids(s) - before[s.key]
            if len(new) == 1:
                entry_ids[s.key] = new.pop()
                break
            if len(new) > 1 or time.monotonic() > deadline:
                raise AssertionError(f"{s.label}: {len(new)} new local entries for one change")
            time.sleep(0.05)
    for n in fed.nodes:
        times = []
        for s in signers:
            if s is n:
                times.append(signed_at[s.key])  # in its store when its command exited
                continue
            log = fed.logs[n.key]
            while entry_ids[s.key] not in log.poll():
                if time.monotonic() > deadline:
                    raise AssertionError(f"{n.label}: no log line for {s.label}'s signature")
                time.sleep(0.05)
            times.append(log.events[entry_ids[s.key]][1])
        from_log.append(max(times))
    proposal_log = [proposed_at if n is signers[0] else fed.logs[n.key].events[proposal][1]
                    for n in fed.nodes]
    # The K-th signer's own node took its signature in when its store poller ran (every
    # poll_interval_ms): the part of the figure that is not the network.
    pickup = fed.logs[last.key].events[entry_ids[last.key]][1] - t0
    # Then one hop to the hub (when the signer is a member), then the hub's pushes.
    hop = (fed.logs[fed.hub.key].events[entry_ids[last.key]][1] - t0 - pickup
           if last is not fed.hub else None)
    return {"index": index, "op": change[0], "k": len(signers), "pickup": pickup, "hop": hop,
            "last_signer": fed.nodes.index(last),
            "proposal_all": max(visible) - proposed_at,
            "proposal_log": max(proposal_log) - proposed_at,
            "applied": [t - t0 for t in applied],
            "from_log": [t - t0 for t in from_log]}


def signer_set(nodes, index, k):
    """K distinct nodes, a different window of the node list for each change."""
    start = (index * 7) % len(nodes)
    return [nodes[(start + j) % len(nodes)] for j in range(k)]


def run_phase(fed, first_index, k, count, root, last_change=None):
    results = []
    key = None
    for i in range(count + (1 if last_change else 0)):
        index = first_index + i
        if i == count:
            change = last_change
        elif key is None:
            key = fresh_key(root, index)
            change = ["add", key, "--name", f"newcomer-{index}"]
        else:
            change, key = ["remove", key], None
        r = one_change(fed, index, change, signer_set(fed.nodes, index, k))
        results.append(r)
        print(f"  change {index:2d} ({r['op']:9s}, K={k}): proposal at every node "
              f"{r['proposal_log'] * 1000:4.0f} ms after `propose`; in effect at every node "
              f"{max(r['from_log']) * 1000:4.0f} ms (logs), {max(r['applied']) * 1000:4.0f} ms "
              f"(API) after the K-th signature", flush=True)
    return results, key


def ms(x):
    return f"{x * 1000:.0f} ms"


def summarise(fed, label, results, poll_s):
    n = len(results)
    last_api = [max(r["applied"]) for r in results]
    last_log = [max(r["from_log"]) for r in results]
    prop = [r["proposal_all"] for r in results]
    prop_log = [r["proposal_log"] for r in results]
    per_node_api = [t for r in results for t in r["applied"]]
    per_node_log = [t for r in results for t in r["from_log"]]
    # The spread across the nodes the K-th signature reached over the network (its signer has
    # it at once): when the last of them had it, less when the first did.
    received = [[t for i, t in enumerate(r["from_log"]) if i != r["last_signer"]]
                for r in results]
    spread = [max(ts) - min(ts) for ts in received]
    hub_log = [r["from_log"][0] for r in results]
    member_log = [t for r in results for t in r["from_log"][1:]]
    print(f"{label}: {n} changes (p99 of {n} samples is their maximum)")
    print(f"  in effect at every node, from the K-th signature's command exiting: "
          f"median {ms(statistics.median(last_log))}, p99 {ms(pct(last_log, 0.99))} (logs); "
          f"median {ms(statistics.median(last_api))}, p99 {ms(pct(last_api, 0.99))} "
          f"(API polled every {poll_s * 1000:.0f} ms)")
    print(f"  per node and change ({len(per_node_log)} samples): median "
          f"{ms(statistics.median(per_node_log))}, p99 {ms(pct(per_node_log, 0.99))} (logs); "
          f"median {ms(statistics.median(per_node_api))}, p99 {ms(pct(per_node_api, 0.99))} (API)")
    print(f"  spread across the nodes it reached over the network (last - first, logs): median "
          f"{ms(statistics.median(spread))}, max {ms(max(spread))}; hub median "
          f"{ms(statistics.median(hub_log))}, members median {ms(statistics.median(member_log))}")
    pickup = [r["pickup"] for r in results]
    member_kth = [r["hop"] for r in results if r["hop"] is not None]
    hops = member_kth or [float("nan")]  # printed as nan when the hub gave every K-th
    print(f"  of which the K-th signer's node picking its signature up from its store (its "
          f"`local` log line): median {ms(statistics.median(pickup))}, max {ms(max(pickup))}; "
          f"then to the hub storing it: median {ms(statistics.median(hops))}, max "
          f"{ms(max(hops))} ({len(hops)} changes whose K-th signer was a member)")
    print(f"  proposal at every node, from `propose` exiting: median "
          f"{ms(statistics.median(prop_log))}, p99 {ms(pct(prop_log, 0.99))} (logs); listed as "
          f"pending by every node's API: median {ms(statistics.median(prop))}, p99 "
          f"{ms(pct(prop, 0.99))}")
    return {"label": label, "changes": n, "median_ms": round(statistics.median(last_log) * 1000),
            "p99_ms": round(pct(last_log, 0.99) * 1000),
            "api_median_ms": round(statistics.median(last_api) * 1000),
            "api_p99_ms": round(pct(last_api, 0.99) * 1000),
            "per_node_median_ms": round(statistics.median(per_node_log) * 1000),
            "per_node_p99_ms": round(pct(per_node_log, 0.99) * 1000),
            "spread_median_ms": round(statistics.median(spread) * 1000),
            "pickup_median_ms": round(statistics.median(pickup) * 1000),
            "hop_median_ms": round(statistics.median(hops) * 1000) if member_kth else None,
            "proposal_median_ms": round(statistics.median(prop_log) * 1000),
            "proposal_p99_ms": round(pct(prop_log, 0.99) * 1000),
            "proposal_api_median_ms": round(statistics.median(prop) * 1000)}


def command_counts(n, k, size, kmaj):
    ran = ", ".join(f"{c} x{v}" for c, v in sorted(COMMANDS.items()))
    print(f"commands this bench ran: {ran}")
    print(f"set-up of this {n}-node federation: 1 `federation create` + {n - 1} `federation join` "
          f"(or `init --join`) = {n}; with local rosters: {n} x {n - 1} = {n * (n - 1)} "
          f"`roster add` (+ {n - 1} `peer add`)")
    print(f"an {size}-node federation, set-up: before {size} x {size - 1} = {size * (size - 1)} "
          f"`roster add` (+ {size - 1} `peer add`); after 1 + {size - 1} = {size}")
    print(f"an {size}-node federation, adding one member: before {size} `roster add` at the "
          f"existing nodes + {size} at the newcomer = 2 x {size} = {2 * size} (+ 1 `peer add` "
          f"at the newcomer); after 1 `propose add` + (K-1) `approve` + 1 `init --join` = K + 1: "
          f"{kmaj + 1} with K = {kmaj} (a majority of {size}), {k + 1} with K = {k}")


def cpu_seconds(proc):
    try:
        with open(f"/proc/{proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def main():
    a = ARGS
    if not 1 <= a.threshold <= a.nodes or not 0 <= a.low_threshold <= a.nodes:
        raise SystemExit("K must be between 1 and the number of nodes")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench_roster: terminated"))
    root = tempfile.mkdtemp(prefix="ifex-bench-roster-")
    load_before = os.getloadavg()[0]
    fed = None
    try:
        fed = Federation(root, a.nodes, a.threshold, a.poll_ms / 1000, a.wait_s)
        fed.start()
        topo = fed.topology()
        # What 20 idle nodes cost the shared cores (store polling, pings, status file).
        idle_before = sum(cpu_seconds(n.proc) for n in fed.nodes)
        time.sleep(5)
        idle = (sum(cpu_seconds(n.proc) for n in fed.nodes) - idle_before) / 5
        hub_links = len(topo[fed.hub.label])
        member_links = sorted({len(v) for k, v in topo.items() if k != fed.hub.label})
        print(f"federation of {a.nodes} `ifexnode run` processes on loopback, K = {a.threshold}: "
              f"set up in {fed.setup_s:.1f} s (init, create, join), started in "
              f"{fed.start_s:.1f} s, every node listed all {a.nodes} members "
              f"{fed.formed_s:.2f} s after the last start")
        print(f"  topology from the invitation: the hub has {hub_links} connected peers, each "
              f"member {'/'.join(map(str, member_links))} (a star through the hub)")
        print(f"  idle, the {a.nodes} nodes use {idle:.2f} CPU-s per second together "
              f"({idle / a.nodes * 1000:.1f} ms/s each)")
        print(f"  defaults: [network] poll_interval_ms = 100 (how soon a running node sees what "
              f"its CLI signed), debug log level; signatures given one after the other", flush=True)
        low = a.low_threshold if a.low_threshold and a.low_changes else 0
        last = ["threshold", str(low)] if low else None
        results, key = run_phase(fed, 1, a.threshold, a.changes, root, last)
        summaries = [summarise(fed, f"K = {a.threshold} of {a.nodes} members"
                               + (f" (the last change: K = {low})" if low else ""),
                               results, a.poll_ms / 1000)]
        if low:
            results2, _ = run_phase(fed, len(results) + 1, low, a.low_changes, root)
            summaries.append(summarise(fed, f"K = {low} of {a.nodes} members", results2,
                                       a.poll_ms / 1000))
        node_cpu = sum(cpu_seconds(n.proc) for n in fed.nodes)
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"  API requests while waiting: {fed.poller.requests}; CPU seconds: the {a.nodes} "
              f"nodes {node_cpu:.1f}, this script {own.ru_utime + own.ru_stime:.1f}, the CLI "
              f"commands {kids.ru_utime + kids.ru_stime:.1f}")
        command_counts(a.nodes, low or a.threshold, a.federation_size, a.federation_size // 2 + 1)
        print(f"  machine: {os.cpu_count()} cores shared by the nodes, the CLIs and this script "
              f"(and whatever else runs); load average (1 min) {load_before:.2f} at the start, "
              f"{os.getloadavg()[0]:.2f} at the end")
        print("RESULT " + json.dumps({"nodes": a.nodes, "poll_ms": a.poll_ms,
                                      "phases": summaries}))
    finally:
        if fed and fed.poller:
            fed.poller.close()
        for n in fed.nodes if fed else []:
            n.stop()  # SIGTERM, by PID
        stop_everything()  # whatever is left (a node that did not stop): SIGKILL, by PID
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
