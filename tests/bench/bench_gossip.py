#!/usr/bin/env python3
"""Gossip benchmarks with real `ifexnode run` processes on loopback. Prints figures, asserts
nothing about time (docs/performance.md records the output and this command).

  bench_gossip.py --bin build/node/ifexnode --fill build/tests/bench/fill_store pair --entries 10000
  bench_gossip.py --bin ... --fill ... federation --nodes 80 --alerts 120 --rate 2
  bench_gossip.py --bin ... --fill ... catchup --alerts 100000 --authors 10

pair:       A holds N ~1 KiB alerts, B starts empty and dials A: time until B holds them all,
            entries/s, bytes B received / payload bytes, peak RSS of both nodes.
federation: N node processes: a hub linked to every member, and a random member graph in which
            each member has 3-7 member links (so 4-8 peers with the hub); alerts published through
            `ifexnode publish` at random members at a steady rate. Per alert, the time from the
            publisher's node picking it up to the last node storing it (median, p99); copies
            received per node per alert; control bytes / payload bytes; RSS per node.
catchup:    a node that was offline while `--alerts` alerts of `--authors` authors were written
            (by fill_store, then imported into the provider it rejoins through) starts and dials
            the provider: time until its clocks show every log, entries/s, and the control bytes
            (everything on the connection that is not an entry's signed encoding). With
            --providers K it dials K nodes that all hold the logs.
Every node it starts is stopped at the end, also on error, Ctrl-C or SIGTERM.

How bytes are counted (node/net/gossip_session_impl.hpp): a node's bytes_in / bytes_out count
every WebSocket message it reads / writes on a gossip connection: the four handshake messages
and the two stream headers, then each sealed frame (one gossip message + 17 bytes of
secretstream header and tag), the FINAL frame included. They do not count the WebSocket frame
headers (2-14 bytes per message), pings, the close frame, the HTTP upgrade, or TCP/IP headers;
the "tcp" figures below, read from the kernel's per-socket counters (`ss -ti`), count
everything above TCP and so include those too.
"""
import argparse
import concurrent.futures
import datetime
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

# Encoded sizes from docs/protocol.md ("Gossip transport", "Gossip messages").
HANDSHAKE_BYTES = 64 + 64 + 112 + 80 + 24 + 24  # both directions, stream headers included
FRAME_OVERHEAD = 17                             # secretstream header + tag per sealed frame
ENTRIES_HEADER = 11                             # flag, type, push, u64 count
ENTRY_LENGTH = 8                                # u64 length before each entry
CLOCK_HEADER, CLOCK_ENTRY = 11, 40
HAVE_HEADER = 10
PRUNE_BYTES, GRAFT_BYTES = 2, 42
WORKERS = 4  # parallel CLI commands while setting up (each is short and mostly waits on fsync)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def parallel(tasks):
    """Runs the callables on a few threads; re-raises the first failure."""
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return [f.result() for f in [pool.submit(t) for t in tasks]]


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Node:
    def __init__(self, bench, name, port, network_key=None, role="member"):
        self.bench, self.name, self.port = bench, name, port
        self.dir = os.path.join(bench.root, name)
        cmd = [bench.bin, "init", "--data", self.dir, "--name", name, "--kdf", "interactive",
               "--listen", f"127.0.0.1:{port}", "--role", role, "--json"]
        if network_key:
            cmd += ["--network-key", network_key]
        made = json.loads(run(cmd))
        self.key, self.fingerprint = made["public_key"], made["fingerprint"]
        # Every loopback connection comes from 127.0.0.1, so the per-address cap (8 by default,
        # meant for one remote host) would refuse a hub's 9th member: lift it to the total cap.
        cfg = os.path.join(self.dir, "ifexnode.toml")
        with open(cfg) as f:
            text = f.read()
        text, n = re.subn(r"(?m)^max_connections_per_address = \d+$",
                          "max_connections_per_address = 128", text)
        if n != 1:
            raise SystemExit(f"{cfg}: no max_connections_per_address line to raise")
        with open(cfg, "w") as f:
            f.write(text)
        self.proc = None
        self.log = None
        self.log_path = self.dir + ".log"

    def cli(self, *args):
        return run([self.bench.bin, *args, "--data", self.dir])

    def network_key(self):
        return run([self.bench.bin, "network-key", "show", "--data", self.dir]).strip()

    def start(self, log_level="debug"):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.bench.bin, "run", "--data", self.dir, "--log-level",
                                      log_level], stderr=self.log, stdout=subprocess.DEVNULL)

    def proc_status(self, field):
        """A field of /proc/PID/status in KiB (VmHWM: peak RSS, VmRSS: RSS now)."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            return None

    def peak_rss_kib(self):
        return self.proc_status("VmHWM")

    def cpu_seconds(self):
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return 0.0

    def signal_stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait_stop(self):
        if self.proc:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None

    def stop(self):
        self.signal_stop()
        self.wait_stop()

    def status(self):
        """Counters of the running node plus the clocks from its store (one CLI call). Right
        after `start` the node may not hold its run lock yet (`status` then says it is not
        running, exit 3): asked again for up to 30 s while the process lives."""
        deadline = time.monotonic() + 30
        while True:
            try:
                return json.loads(self.cli("status", "--json"))
            except subprocess.CalledProcessError as e:
                starting = e.returncode == 3 and self.proc and self.proc.poll() is None
                if not starting or time.monotonic() > deadline:
                    raise SystemExit(f"status of {self.name} ({e.returncode}): {e.stderr}")
                time.sleep(0.05)

    def live_status(self):
        """The status file the running node rewrites every second (no clocks), or None."""
        try:
            with open(os.path.join(self.dir, "status.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None


class Bench:
    def __init__(self, args):
        self.bin, self.fill = os.path.abspath(args.bin), os.path.abspath(args.fill)
        self.root = tempfile.mkdtemp(prefix="ifex-bench-gossip-")
        self.nodes = []
        # Below the kernel's ephemeral range (32768+), so no outgoing connection holds a port a
        # node has yet to listen on.
        self.next_port = 20000 + (os.getpid() % 1000) * 10

    def port(self):
        while not port_is_free(self.next_port):
            self.next_port += 1
        self.next_port += 1
        return self.next_port - 1

    def node(self, name, network_key=None, role="member"):
        n = Node(self, name, self.port(), network_key, role)
        self.nodes.append(n)
        return n

    def nodes_parallel(self, names, network_key):
        ports = [self.port() for _ in names]
        made = parallel([lambda n=n, p=p: Node(self, n, p, network_key) for n, p in zip(names, ports)])
        self.nodes.extend(made)
        return made

    def close(self):
        for n in self.nodes:
            n.signal_stop()
        for n in self.nodes:
            n.wait_stop()
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


def bundle_entry_sizes(path):
    """Sizes of the entry records of a bundle (docs/protocol.md, "Bundle"), in file order."""
    sizes = []
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"IFEXBNDL":
        raise SystemExit(f"{path}: not a bundle")
    at = 9
    while at < len(data):
        kind, length = struct.unpack_from("<BI", data, at)
        at += 5 + length
        if kind == 0:
            break
        if kind == 1:
            sizes.append(length)
    return sizes


def export_sizes(node, author):
    path = os.path.join(node.bench.root, f"{node.name}-{author[-8:]}.bundle")
    node.cli("export", "--out", path, "--author", author, "--force")
    return path, bundle_entry_sizes(path)


def payload_bytes(node, count):
    """Sum of the entries' encoded sizes, from a bundle of the node's log (minus its framing)."""
    path = os.path.join(node.bench.root, node.name + ".bundle")
    node.cli("export", "--out", path, "--author", node.key)
    return os.path.getsize(path) - 9 - 13 - 5 * count


def tcp_sockets():
    """Established TCP sockets on loopback: {(local_port, peer_port): (bytes_received, segs_in)}."""
    out = run(["ss", "-tinH", "state", "established"])
    sockets, key = {}, None
    for line in out.splitlines():
        if not line.startswith((" ", "\t")):
            parts = line.split()
            try:
                local, peer = parts[-2], parts[-1]
                key = (int(local.rsplit(":", 1)[1]), int(peer.rsplit(":", 1)[1]))
            except (IndexError, ValueError):
                key = None
            continue
        if key is None:
            continue
        received = re.search(r"\bbytes_received:(\d+)", line)
        segs = re.search(r"\bsegs_in:(\d+)", line)
        sockets[key] = (int(received.group(1)) if received else 0, int(segs.group(1)) if segs else 0)
        key = None
    return sockets


def tcp_received(ports, before=None):
    """Bytes (and segments) the nodes listening on `ports` received over TCP, summed over every
    socket of theirs (the server side has the node's port as local port, the dialing side as
    peer port); with `before`, only the growth since that snapshot, over sockets in both."""
    now = {k: v for k, v in tcp_sockets().items() if k[0] in ports or k[1] in ports}
    if before is None:
        return now
    got = [(v[0] - before[k][0], v[1] - before[k][1]) for k, v in now.items() if k in before]
    return sum(g[0] for g in got), sum(g[1] for g in got), len(got), len(now)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


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


# ---- federation ----

STAMP = re.compile(r"^(\S+Z) debug (stored|local) ([0-9a-f]{64}) \S+ #\d+(?: from (\S+))?")


class LogTail:
    """Reads a node's debug log as it grows: when each entry id was first stored or picked up."""

    def __init__(self, node):
        self.node, self.offset, self.partial, self.events = node, 0, "", {}

    def poll(self):
        with open(self.node.log_path) as f:
            f.seek(self.offset)
            chunk = f.read()
            self.offset = f.tell()
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        for line in lines:
            m = STAMP.match(line)
            if m and m.group(3) not in self.events:
                t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
                self.events[m.group(3)] = (m.group(2), t, m.group(4))
        return self.events


def member_graph(members, rng, low, high):
    """Undirected member links: a random ring (so the members stay connected without the hub),
    then random links until each member has its drawn degree in [low, high]; never above high."""
    n = len(members)
    high = min(high, n - 1)
    low = min(low, high)
    adj = {m: set() for m in members}
    edges = []

    def add(a, b):
        adj[a].add(b)
        adj[b].add(a)
        edges.append((a, b) if rng.random() < 0.5 else (b, a))  # (dialer, dialed)

    ring = members[:]
    rng.shuffle(ring)
    if n == 2:
        add(ring[0], ring[1])
    elif n > 2:
        for i in range(n):
            add(ring[i], ring[(i + 1) % n])
    target = {m: rng.randint(low, high) for m in members}
    for _ in range(20 * n * high):  # bounded; ends far earlier
        short = [m for m in members if len(adj[m]) < target[m]]
        if not short:
            break
        a = rng.choice(short)
        free = [x for x in members if x is not a and x not in adj[a] and len(adj[x]) < high]
        if not free:
            target[a] = len(adj[a])
            continue
        wanting = [x for x in free if len(adj[x]) < target[x]]
        add(a, rng.choice(wanting or free))
    return edges, adj


def counters_sum(statuses, name):
    return sum(s["counters"][name] for s in statuses)


def snapshot(nodes, required=True):
    """Every node's status file; a missing one (a node that died) ends the run when required."""
    got = [n.live_status() for n in nodes]
    lost = [n.name for n, s in zip(nodes, got) if s is None]
    if required and lost:
        raise SystemExit(f"no status from {', '.join(lost)} (exited? see their logs)")
    return got


def delta(after, before, name):
    return sum(a["counters"][name] - b["counters"][name] for a, b in zip(after, before))


def bench_federation(b, count, alerts, warmup, rate, seed, low, high):
    if count < 3:
        raise SystemExit("federation: at least 3 nodes")
    rng = random.Random(seed)
    t_setup = time.monotonic()
    hub = b.node("hub", role="hub")
    net = hub.network_key()
    members = b.nodes_parallel([f"m{i:02d}" for i in range(1, count)], net)
    everyone = [hub] + members
    member_edges, adj = member_graph(members, rng, low, high)
    dials = {n.name: [] for n in everyone}
    for m in members:
        dials[m.name].append(hub)
    for dialer, dialed in member_edges:
        dials[dialer.name].append(dialed)
    degree = {hub.name: len(members)}
    degree.update({m.name: 1 + len(adj[m]) for m in members})

    def configure(n):  # every node accepts every node's alerts, and dials its share of links
        for m in everyone:
            if m is not n:
                n.cli("roster", "add", m.key)
        for peer in dials[n.name]:
            n.cli("peer", "add", f"ws://127.0.0.1:{peer.port}/gossip", peer.key)

    parallel([lambda n=n: configure(n) for n in everyone])
    setup_s = time.monotonic() - t_setup

    t_start = time.monotonic()
    for n in everyone:
        n.start()
    deadline = t_start + 120
    while True:
        statuses = snapshot(everyone, required=False)
        up = [s for s in statuses if s]
        links = sum(s["connections"] for s in up)
        if len(up) == count and all(s["connections"] >= degree[n.name]
                                    for n, s in zip(everyone, statuses)):
            break
        dead = [n.name for n in everyone if n.proc.poll() is not None]
        if dead:
            raise SystemExit(f"federation: nodes exited: {', '.join(dead)} (see their logs)")
        if time.monotonic() > deadline:
            print(f"federation: after 120 s only {len(up)}/{count} nodes report status and "
                  f"{links // 2}/{sum(degree.values()) // 2} links are up; going on")
            break
        time.sleep(0.25)
    connect_s = time.monotonic() - t_start
    connected_nodes, links_up = len(up), links // 2
    time.sleep(2.5)  # clocks exchanged, status files rewritten: the counters are quiet
    before = snapshot(everyone)
    tcp_before = tcp_received({n.port for n in everyone})
    cpu_idle0 = sum(n.cpu_seconds() for n in everyone)
    time.sleep(3)
    idle_cpu = (sum(n.cpu_seconds() for n in everyone) - cpu_idle0) / 3
    idle_drift = delta(snapshot(everyone), before, "bytes_in")

    tails = {n.name: LogTail(n) for n in everyone}
    counter = itertools.count()

    def publish_phase(how_many):
        """Publishes at the rate, waits until every node holds every alert (or 120 s), then one
        status period so the counters include the last frames."""
        out_list = []
        t_begin = time.monotonic()
        for i in range(how_many):
            time.sleep(max(0.0, t_begin + i / rate - time.monotonic()))
            who = rng.choice(members)
            out = run([b.bin, "publish", "--data", who.dir, "--lang", "en", "--country", "TN",
                       "--category", "press-freedom", "--title", f"federation alert {next(counter)}",
                       "--body", "x" * 800])
            out_list.append((out.strip(), who))
        limit = time.monotonic() + 120
        while time.monotonic() < limit:
            seen = {name: t.poll() for name, t in tails.items()}
            if all(e in seen[n.name] for e, _ in out_list for n in everyone):
                break
            time.sleep(0.2)
        time.sleep(2)  # grafts and have notes settle; the status files are rewritten
        return out_list

    # Warm-up: the first pushes go down every link and prune the eager graph into a tree.
    warm = publish_phase(warmup) if warmup else []
    after_warm = snapshot(everyone)
    t0 = time.monotonic()
    cpu0 = sum(n.cpu_seconds() for n in everyone)
    published = publish_phase(alerts)
    publish_cpu = sum(n.cpu_seconds() for n in everyone) - cpu0
    publish_s = time.monotonic() - t0
    after = snapshot(everyone)
    tcp_bytes, tcp_segs, tcp_socks, tcp_now = tcp_received({n.port for n in everyone}, tcp_before)
    peak = [n.proc_status("VmHWM") for n in everyone]
    rss_now = [n.proc_status("VmRSS") for n in everyone]
    connections = [s["connections"] for s in after]
    for n in everyone:
        n.signal_stop()
    for n in everyone:
        n.wait_stop()
    seen = {name: t.poll() for name, t in tails.items()}

    def latencies_of(batch):
        got, lost = [], 0
        for entry_id, who in batch:
            t_pub = seen[who.name].get(entry_id, (None, None))[1]
            arrivals = [seen[n.name].get(entry_id, (None, None))[1] for n in everyone
                        if n is not who]
            if t_pub is None or any(t is None for t in arrivals):
                lost += 1
            else:
                got.append(max(arrivals) - t_pub)
        return got, lost

    latencies, missing = latencies_of(published)
    # The path each copy took (each node logs the peer it stored an entry from): how many hops
    # the last node was from the publisher, and how long one hop took.
    by_fp = {n.fingerprint: n for n in everyone}
    depths, hop_times = [], []
    for entry_id, who in published:
        worst = 0
        for n in everyone:
            ev = seen[n.name].get(entry_id)
            hops, at = 0, n
            while ev and at is not who and hops < count:
                parent = by_fp.get(ev[2] or "")
                pev = seen[parent.name].get(entry_id) if parent else None
                if pev is None:
                    hops = None
                    break
                if at is n and hops == 0:
                    hop_times.append(ev[1] - pev[1])
                hops, at, ev = hops + 1, parent, pev
            if hops is not None:
                worst = max(worst, hops)
        depths.append(worst)
    warm_latencies, warm_missing = latencies_of(warm)
    sizes = []
    for who in {who.name: who for _, who in warm + published}.values():
        sizes += export_sizes(who, who.key)[1]
    entry_size = statistics.mean(sizes)

    received = delta(after, after_warm, "entries_received")
    bytes_in = delta(after, after_warm, "bytes_in")
    bytes_out = delta(after, after_warm, "bytes_out")
    payload = received * entry_size
    control = bytes_in - payload
    pushed = delta(after, after_warm, "entries_pushed")
    synced = delta(after, after_warm, "entries_synced")
    notes = delta(after, after_warm, "have_notes_sent")
    prunes = delta(after, after_warm, "prunes_sent")
    grafts = delta(after, after_warm, "grafts_sent")
    copies = received / (alerts * (count - 1))
    all_received = delta(after, before, "entries_received")
    all_copies = all_received / ((alerts + warmup) * (count - 1))
    all_control = delta(after, before, "bytes_in") - all_received * entry_size
    member_deg = sorted(degree[m.name] for m in members)
    member_conn = sorted(connections[1:])
    mib = lambda kib: kib / 1024
    ok_peak = [p for p in peak if p]
    ok_now = [p for p in rss_now if p]
    ms = lambda s: f"{s * 1000:.0f} ms"
    print(f"federation, {count} nodes: hub + {count - 1} members, member links {low}-{high} "
          f"(peers per member with the hub: min {member_deg[0]}, median "
          f"{statistics.median(member_deg):g}, max {member_deg[-1]}; hub {degree[hub.name]}); "
          f"seed {seed}")
    print(f"  setup (init, roster, peers) {setup_s:.1f} s; {connected_nodes}/{count} nodes "
          f"running and {links_up}/{sum(degree.values()) // 2} links up {connect_s:.1f} s after "
          f"the first start; "
          f"connections at the end: hub {connections[0]}, members min {member_conn[0]} max "
          f"{member_conn[-1]}; connections refused {counters_sum(after, 'connections_refused')}, "
          f"handshakes failed {counters_sum(after, 'handshakes_failed')}")
    print(f"  idle federation: {idle_cpu * 100:.0f} % of one core for {count} nodes; "
          f"{idle_drift} gossip bytes in 3 s")
    if warmup:
        print(f"  warm-up: {warmup} alerts, delivered everywhere {warmup - warm_missing}/{warmup}, "
              f"median {ms(statistics.median(warm_latencies))}, max {ms(max(warm_latencies))}")
    print(f"  measured: {alerts} alerts at {rate:g}/s through `ifexnode publish` ({publish_s:.0f} s, "
          f"node CPU {publish_cpu:.1f} s); delivered to every node {alerts - missing}/{alerts}")
    print(f"  time to reach every node: median {ms(statistics.median(latencies))}, p99 "
          f"{ms(pct(latencies, 0.99))}, max {ms(max(latencies))}")
    print(f"  path of the copies: farthest node from the publisher median "
          f"{statistics.median(depths):g} hops, max {max(depths)}; one hop (a node storing it "
          f"after the node it came from) median {ms(statistics.median(hop_times))}, p99 "
          f"{ms(pct(hop_times, 0.99))}")
    print(f"  copies received per node per alert {copies:.3f} (target <= 1.5; with the warm-up "
          f"{all_copies:.3f}); duplicates {delta(after, after_warm, 'duplicates')}; pushed "
          f"{pushed}, synced (graft replies) {synced}, have notes {notes}, prunes {prunes}, "
          f"grafts {grafts}")
    print(f"  bytes over the measured alerts, all nodes: in {bytes_in}, out {bytes_out}; entry "
          f"{entry_size:.0f} B (signed encoding); payload = entries received x entry size = "
          f"{received} x {entry_size:.0f} = {payload:.0f}")
    print(f"  control = sum of bytes_in - payload = {control:.0f}; control / payload = "
          f"{control / payload:.3f} (with the warm-up {all_control / (all_received * entry_size):.3f}); "
          f"control per alert per node {control / (alerts * count):.0f} B")
    print(f"    at most (one note per have message): framing of received entries "
          f"{received * (FRAME_OVERHEAD + ENTRIES_HEADER + ENTRY_LENGTH)}, have "
          f"{notes * (FRAME_OVERHEAD + HAVE_HEADER + CLOCK_ENTRY)}, prune "
          f"{prunes * (FRAME_OVERHEAD + PRUNE_BYTES)}, graft {grafts * (FRAME_OVERHEAD + GRAFT_BYTES)}")
    print(f"  tcp (kernel; warm-up included; {tcp_socks} of {tcp_now} sockets present before and "
          f"after): {tcp_bytes} bytes in {tcp_segs} segments; control by tcp = "
          f"{tcp_bytes - all_received * entry_size:.0f} (/ payload "
          f"{(tcp_bytes - all_received * entry_size) / (all_received * entry_size):.3f})")
    print(f"  RSS per node: peak median {mib(statistics.median(ok_peak)):.1f} MiB, max "
          f"{mib(max(ok_peak)):.1f} MiB (hub {mib(peak[0] or 0):.1f}); now median "
          f"{mib(statistics.median(ok_now)):.1f} MiB, sum {mib(sum(ok_now)):.0f} MiB")
    print("RESULT " + json.dumps({
        "mode": "federation", "nodes": count, "alerts": alerts, "warmup": warmup, "rate": rate,
        "delivered": alerts - missing, "median_ms": round(statistics.median(latencies) * 1000),
        "p99_ms": round(pct(latencies, 0.99) * 1000), "copies": round(copies, 3),
        "copies_with_warmup": round(all_copies, 3), "entry_size": round(entry_size, 1),
        "bytes_in": bytes_in, "payload": round(payload), "control": round(control),
        "control_ratio": round(control / payload, 3),
        "rss_peak_median_mib": round(mib(statistics.median(ok_peak)), 1),
        "rss_peak_max_mib": round(mib(max(ok_peak)), 1), "idle_cpu": round(idle_cpu, 3)}))


# ---- catch-up ----

def bench_catchup(b, alerts, authors, before, providers, log_level):
    if authors < 1 or alerts < authors:
        raise SystemExit("catchup: need alerts >= authors >= 1")
    t_setup = time.monotonic()
    first = b.node("p1", role="hub")
    net = first.network_key()
    prov = [first] + [b.node(f"p{i}", net, role="hub") for i in range(2, providers + 1)]
    rejoin = b.node("rejoin", net)
    writers = b.nodes_parallel([f"a{i:02d}" for i in range(1, authors + 1)], net)
    share = [alerts // authors + (1 if i < alerts % authors else 0) for i in range(authors)]

    def roster_all(n, extra):
        for w in writers + extra:
            n.cli("roster", "add", w.key)

    parallel([lambda p=p: roster_all(p, [rejoin]) for p in prov] + [lambda: roster_all(rejoin, [])])
    for p in prov:
        rejoin.cli("peer", "add", f"ws://127.0.0.1:{p.port}/gossip", p.key)

    def write(w, count):  # the author signs `count` more entries and its log goes to the holders
        run([b.fill, "--data", w.dir, "--count", str(count)])
        path, sizes = export_sizes(w, w.key)
        return path, sizes

    if before:  # what the rejoining node held when it went offline
        for path, _ in parallel([lambda w=w: write(w, before) for w in writers]):
            for holder in prov + [rejoin]:
                holder.cli("import", path)
    exported = parallel([lambda w=w, s=s: write(w, s) for w, s in zip(writers, share)])
    payload = 0
    for path, sizes in exported:
        payload += sum(sizes[before:])
        for p in prov:
            p.cli("import", path)
    entry_size = payload / alerts
    # A provider had indexed its logs long before; here it would index them while serving.
    parallel([lambda p=p: p.cli("reindex") for p in prov])
    setup_s = time.monotonic() - t_setup

    for p in prov:
        p.start(log_level)
    deadline = time.monotonic() + 30
    while not all(p.live_status() for p in prov):
        if time.monotonic() > deadline:
            raise SystemExit("catchup: the providers did not start")
        time.sleep(0.05)
    heads = {w.key: before + s for w, s in zip(writers, share)}
    t0 = time.monotonic()
    rejoin.start(log_level)
    deadline = t0 + 900
    while True:
        st = rejoin.status()
        if all(clock_of(st, k) >= v for k, v in heads.items()):
            break
        if rejoin.proc.poll() is not None:
            raise SystemExit("catchup: the rejoining node exited (see its log)")
        if time.monotonic() > deadline:
            raise SystemExit("catchup: timed out")
        time.sleep(0.05)
    wall = time.monotonic() - t0
    # Quiet: nothing more arrives (with several providers, their streams may overlap).
    last, still = None, 0
    for _ in range(60):
        time.sleep(1.1)
        st = snapshot([rejoin])[0]
        now = (st["counters"]["entries_received"], st["counters"]["bytes_in"])
        still = still + 1 if now == last else 0
        last = now
        if still >= 2:
            break
    r = rejoin.live_status()["counters"]
    p_out = sum(p.live_status()["counters"]["bytes_out"] for p in prov)
    tcp = tcp_received({rejoin.port} | {p.port for p in prov})
    # The rejoining node's own sockets: it dialed every provider, so the peer port is theirs.
    tcp_in = sum(v[0] for k, v in tcp.items() if k[1] in {p.port for p in prov})
    tcp_all = sum(v[0] for v in tcp.values())
    rss = [rejoin.peak_rss_kib()] + [p.peak_rss_kib() for p in prov]
    mem = {n.name: (n.proc_status("RssAnon"), n.proc_status("RssFile")) for n in [rejoin] + prov}

    carried = r["entries_received"] * entry_size
    wire = r["bytes_in"] + r["bytes_out"]
    control = wire - carried
    framing = r["entries_received"] * ENTRY_LENGTH
    # The rest: handshakes, the two clocks per connection, the header and secretstream tag of
    # each entries message, and whatever have/prune/graft messages flowed.
    # Its clock lists the authors and itself; a provider's, the authors, the node and itself.
    clocks = providers * (2 * (FRAME_OVERHEAD + CLOCK_HEADER) + CLOCK_ENTRY * (2 * authors + 3))
    rest = control - framing
    messages = (rest - HANDSHAKE_BYTES * providers - clocks) / (FRAME_OVERHEAD + ENTRIES_HEADER)
    print(f"catchup, {alerts} alerts of {authors} authors (~{entry_size:.0f} B each, "
          f"{payload} payload bytes) written while the node was offline ({before} per author "
          f"held before); {providers} provider(s); setup {setup_s:.0f} s")
    print(f"  converged in {wall:.2f} s from the node's start: {alerts / wall:.0f} entries/s; "
          f"entries received {r['entries_received']} (duplicates {r['duplicates']}); "
          f"peak RSS rejoining {rss[0] / 1024:.1f} MiB, provider {rss[1] / 1024:.1f} MiB (RSS "
          f"at the end, anonymous + file-backed (LMDB and index maps): "
          + ", ".join(f"{k} {a / 1024:.0f} + {f / 1024:.0f} MiB" for k, (a, f) in mem.items())
          + ")")
    print(f"  bytes (counters of the rejoining node): in {r['bytes_in']}, out {r['bytes_out']}; "
          f"providers' bytes_out {p_out}")
    print(f"  control = in + out - entries received x entry size = {control:.0f} B "
          f"({control / alerts:.2f} B per alert, {control / authors:.0f} B per author, "
          f"{control / carried * 100:.2f} % of the entry bytes)")
    print(f"    per-entry u64 length prefixes (8 B x entries received): {framing}; the rest "
          f"{rest:.0f} = handshake {HANDSHAKE_BYTES * providers} + clocks {clocks} + "
          f"{rest - HANDSHAKE_BYTES * providers - clocks:.0f} (= {messages:.0f} entries messages "
          f"x 28 B of header and frame tag, if no have/prune/graft flowed)")
    print(f"  tcp (kernel counters, every byte above TCP, incl. WebSocket headers and the "
          f"upgrade): rejoining node received {tcp_in}; both directions {tcp_all}; control "
          f"by tcp = {tcp_all - carried:.0f} B")
    print("RESULT " + json.dumps({
        "mode": "catchup", "alerts": alerts, "authors": authors, "providers": providers,
        "seconds": round(wall, 2), "entries_per_s": round(alerts / wall),
        "payload": payload, "entry_size": round(entry_size, 1),
        "entries_received": r["entries_received"], "duplicates": r["duplicates"],
        "bytes_in": r["bytes_in"], "bytes_out": r["bytes_out"], "control": round(control),
        "length_prefixes": framing, "control_rest": round(rest), "tcp_both": tcp_all,
        "control_tcp": round(tcp_all - carried), "rss_kib": rss}))


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
    fp.add_argument("--warmup", type=int, default=10,
                    help="alerts published first, while pushes prune the graph into a tree; "
                         "left out of the measured figures")
    fp.add_argument("--rate", type=float, default=2.0)
    fp.add_argument("--seed", type=int, default=1)
    fp.add_argument("--min-links", type=int, default=3, help="member-to-member links, at least")
    fp.add_argument("--max-links", type=int, default=7, help="member-to-member links, at most")
    cp = sub.add_parser("catchup")
    cp.add_argument("--alerts", type=int, default=100000)
    cp.add_argument("--authors", type=int, default=10)
    cp.add_argument("--before", type=int, default=2,
                    help="entries per author the node held before going offline")
    cp.add_argument("--providers", type=int, default=1,
                    help="nodes holding every log that the rejoining node dials")
    cp.add_argument("--log-level", default="info")
    args = p.parse_args()
    # SIGTERM (a CI timeout, `timeout`) goes through the same clean-up as an error.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench_gossip: terminated"))
    b = Bench(args)
    load_before = os.getloadavg()[0]
    try:
        if args.mode == "pair":
            bench_pair(b, args.entries)
        elif args.mode == "federation":
            bench_federation(b, args.nodes, args.alerts, args.warmup, args.rate, args.seed,
                             args.min_links, args.max_links)
        else:
            bench_catchup(b, args.alerts, args.authors, args.before, args.providers,
                          args.log_level)
        # Other work on the machine moves every figure: say how busy it was.
        print(f"  machine: {os.cpu_count()} cores; load average (1 min) {load_before:.2f} at the "
              f"start, {os.getloadavg()[0]:.2f} at the end")
    finally:
        b.close()


if __name__ == "__main__":
    main()
