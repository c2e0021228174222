#!/usr/bin/env python3
"""import-archive into a stopped hub, a running hub, and a running hub with 4 member peers,
with real `ifexnode` processes on loopback. Prints figures, asserts nothing about time
(docs/performance.md records the output and this command).

  bench_import_running.py --bin build/node/ifexnode --alerts 20000 \
      --gen ../shared/data/gen-alerts.py

For each case: the import's wall time and rate, the ETAs its progress lines claimed against the
time that was really left, then (running cases) the time until search and listings had every
entry, the time until every peer held every entry, the CPU seconds of the hub and the peers, and
the progress lines the hub logged while indexing. Every node is stopped at the end, also on
error or Ctrl-C.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_gossip  # noqa: E402  (its Node and Bench: init, link, start, stop by PID)

ETA = re.compile(r"(\d+)%.*ETA (\d+):(\d+)(?::(\d+))?")


def eta_seconds(m):
    parts = [int(x) for x in m.group(2, 3, 4) if x is not None]
    s = 0
    for p in parts:
        s = s * 60 + p
    return s


def import_archive(bin_, data, jsonl):
    """Runs import-archive; returns (seconds, report, [(at_s, percent, claimed_eta_s)])."""
    start = time.monotonic()
    proc = subprocess.Popen([bin_, "import-archive", "--data", data, jsonl, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    claims = []

    def read_progress():
        for line in proc.stderr:
            m = ETA.search(line)
            if m:
                claims.append((time.monotonic() - start, int(m.group(1)), eta_seconds(m)))

    reader = threading.Thread(target=read_progress)
    reader.start()
    out = proc.stdout.read()
    proc.wait()
    reader.join()
    took = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"import-archive failed ({proc.returncode})")
    return took, json.loads(out), claims


def http_status(node):
    with open(os.path.join(node.dir, "admin.token")) as f:
        token = f.read().strip()
    req = urllib.request.Request(f"http://127.0.0.1:{node.port}/api/status",
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def wait_until(what, check, timeout):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.2)
    print(f"  {what}: not within {timeout} s")
    return None


def wait_listening(node, timeout=30):
    def up():
        try:
            http_status(node)
            return True
        except OSError:
            return False
    if wait_until("start", up, timeout) is None:
        sys.exit(f"{node.name} did not start")


def set_index_interval(node, ms):
    cfg = os.path.join(node.dir, "ifexnode.toml")
    with open(cfg) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^index_interval_ms = \d+$", f"index_interval_ms = {ms}", text)
    if n != 1:
        sys.exit(f"{cfg}: no index_interval_ms line")
    with open(cfg, "w") as f:
        f.write(text)


def report(label, took, summary, claims):
    n = summary["imported"]
    print(f"\n== {label}")
    print(f"import-archive: {n} alerts in {took:.1f} s, {n / took:,.0f} alerts/s")
    for at, percent, eta in claims[:6] + (claims[-2:] if len(claims) > 8 else []):
        print(f"  at {at:5.1f} s ({percent:3d} %): ETA said {eta:4d} s, "
              f"really {took - at:5.1f} s left")


def run_case(args, jsonl, peers):
    bench = bench_gossip.Bench(argparse.Namespace(bin=args.bin, fill=args.bin))
    try:
        hub = bench.node("hub", role="hub")
        key = hub.network_key()
        members = bench.nodes_parallel([f"member{i}" for i in range(peers)], key) if peers else []
        for m in members:
            bench_gossip.link(m, hub)
            if args.peer_index_interval_ms:
                set_index_interval(m, args.peer_index_interval_ms)
        if args.case == "stopped":
            took, summary, claims = import_archive(args.bin, hub.dir, jsonl)
            report("stopped hub", took, summary, claims)
            return
        for n in [hub] + members:
            n.start(log_level="info")
        if args.nice_peers:
            # Peers at the lowest CPU priority: what the hub does when its peers' own work
            # (verifying, storing, indexing what it sends) runs elsewhere, as on real members.
            for m in members:
                os.setpriority(os.PRIO_PROCESS, m.proc.pid, 19)
        for n in [hub] + members:
            wait_listening(n)
        if members:
            wait_until("peers connected",
                       lambda: sum(p.get("connected", False)
                                   for p in http_status(hub).get("peers", [])) == len(members), 30)
        cpu0 = {n.name: n.cpu_seconds() for n in [hub] + members}
        t0 = time.monotonic()
        took, summary, claims = import_archive(args.bin, hub.dir, jsonl)
        report(f"running hub, {len(members)} peers" + (" at nice 19" if args.nice_peers else ""),
               took, summary, claims)
        n = summary["imported"]
        indexed = wait_until("indexed", lambda: http_status(hub).get("indexed") == n, 1800)
        if indexed is not None:
            print(f"search and listings complete {took + indexed:.1f} s after the import "
                  f"started ({indexed:.1f} s after it ended)")
        if members:
            def replicated():
                return all(http_status(m).get("entries", 0) >= n for m in members)
            got = wait_until("replicated", replicated, 1800)
            if got is not None:
                print(f"every peer holds all {n}: {time.monotonic() - t0:.1f} s after the start")
        cpu = {k: members_or_hub.cpu_seconds() - cpu0[k]
               for k, members_or_hub in ((x.name, x) for x in [hub] + members)}
        print(f"CPU seconds: hub {cpu['hub']:.1f}" +
              (f", peers {sum(v for k, v in cpu.items() if k != 'hub'):.1f}" if members else ""))
        with open(hub.log_path, errors="replace") as f:
            lines = [l.rstrip() for l in f if "index" in l]
        print(f"hub log: {len(lines)} lines about indexing")
        for l in lines[:4] + (["  ..."] + lines[-2:] if len(lines) > 6 else lines[4:]):
            print("  " + l)
    finally:
        bench.close()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", required=True)
    p.add_argument("--alerts", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--gen", default=os.path.join(here, "..", "..", "..", "shared", "data",
                                                 "gen-alerts.py"))
    p.add_argument("--cache", default=os.path.join(here, "..", "..", "build", "bench-cache"))
    p.add_argument("--cases", default="stopped,0,4",
                   help="comma-separated: stopped, or a number of peers of a running hub")
    p.add_argument("--nice-peers", action="store_true",
                   help="run the peers at nice 19, so their CPU does not slow the hub's import")
    p.add_argument("--peer-index-interval-ms", type=int, default=0,
                   help="the peers' [http] index_interval_ms (default: theirs, 200)")
    args = p.parse_args()
    args.bin = os.path.abspath(args.bin)
    os.makedirs(args.cache, exist_ok=True)
    jsonl = os.path.join(args.cache, f"alerts-{args.alerts}-{args.seed}.jsonl")
    if not os.path.exists(jsonl):
        with open(jsonl + ".tmp", "w") as out:
            subprocess.run([sys.executable, args.gen, str(args.alerts), str(args.seed)], stdout=out,
                           check=True)
        os.rename(jsonl + ".tmp", jsonl)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for case in args.cases.split(","):
        args.case = case
        run_case(args, jsonl, 0 if case == "stopped" else int(case))


if __name__ == "__main__":
    main()
