#!/usr/bin/env python3
"""Two-node catch-up over each transport, side by side in one run (issue 15): plain ws://, wss://
served by the node itself, wss:// through Debian's nginx terminating TLS
(contrib/nginx/ifexnode-tls-proxy.conf), and ws:// and wss:// through Debian's dante-server
(SOCKS5, `peer add --socks5`). Prints figures, asserts nothing about time.

  bench_transports.py --bin build/node/ifexnode --fill build/tests/bench/fill_store --entries 10000

Node A holds ENTRIES ~1 KiB alerts (fill_store) and serves TLS on its port (one certificate
from a CA made here with openssl). For every round and transport a fresh, empty node B dials A
and is timed from its start until its clock shows all of A's log; the transports take turns
round after round, so the machine's noise falls on all of them alike. Every process is stopped
at the end, also on error.
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "net"))
sys.path.insert(0, os.path.join(HERE, "..", "ops"))
from bench_gossip import Bench, clock_of, payload_bytes, run  # noqa: E402
from tls_test import make_ca, make_cert  # noqa: E402
from tls_proxy_test import TlsProxy  # noqa: E402
from socks5_test import Danted  # noqa: E402


def serve_tls(node, cert, key):
    path = os.path.join(node.dir, "ifexnode.toml")
    with open(path) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^cert_file = ''$", f'cert_file = "{cert}"', text)
    text, m = re.subn(r"(?m)^key_file = ''$", f'key_file = "{key}"', text)
    if n != 1 or m != 1:
        raise SystemExit(f"{path}: no empty [tls] cert_file/key_file lines")
    with open(path, "w") as f:
        f.write(text)


def catch_up(bench, a, name, url, extra, entries, network_key):
    """A fresh node dials `url` (A, directly or not); seconds until it holds all of A's log."""
    b = bench.node(name, network_key)
    b.cli("roster", "add", a.key)
    a.cli("roster", "add", b.key)
    b.cli("peer", "add", url, a.key, *extra)
    t0 = time.monotonic()
    b.start(log_level="info")
    deadline = t0 + 600
    while clock_of(b.status(), a.key) < entries:
        if time.monotonic() > deadline:
            raise SystemExit(f"{name}: timed out")
        time.sleep(0.05)
    wall = time.monotonic() - t0
    time.sleep(1.2)  # one status period: the counters include the last frames
    received = b.status()["counters"]["bytes_in"]
    b.stop()
    shutil.rmtree(b.dir, ignore_errors=True)
    return wall, received


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="build/node/ifexnode")
    p.add_argument("--fill", default="build/tests/bench/fill_store")
    p.add_argument("--entries", type=int, default=10000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    bench = Bench(args)
    pki = tempfile.mkdtemp(prefix="ifex-bench-pki-")
    proxy = None
    socks = None
    try:
        ca = make_ca(pki, "bench-ca")
        cert, key = make_cert(pki, "bench-a", "bench-ca", "IP:127.0.0.1")
        a = bench.node("a")
        serve_tls(a, cert, key)
        run([bench.fill, "--data", a.dir, "--count", str(args.entries)])
        payload = payload_bytes(a, args.entries)
        a.start(log_level="info")
        time.sleep(0.5)
        proxy = TlsProxy(a.port, cert, key, ca)
        proxy.start()
        socks = Danted(pki, "bench-danted")
        socks.start()
        via_socks = ["--socks5", f"127.0.0.1:{socks.port}"]
        net = a.network_key()
        transports = [
            ("ws:// direct", f"ws://127.0.0.1:{a.port}/gossip", []),
            ("wss:// served by the node", f"wss://127.0.0.1:{a.port}/gossip", ["--ca", ca]),
            ("wss:// through nginx", f"wss://127.0.0.1:{proxy.port}/gossip", ["--ca", ca]),
            ("ws:// through SOCKS5 (danted)", f"ws://127.0.0.1:{a.port}/gossip", via_socks),
            ("wss:// through SOCKS5 (danted)", f"wss://127.0.0.1:{a.port}/gossip",
             ["--ca", ca, *via_socks]),
        ]
        figures = {name: [] for name, _, _ in transports}
        received = {}
        for r in range(args.rounds):
            for i, (name, url, extra) in enumerate(transports):
                wall, got = catch_up(bench, a, f"b{r}-{i}", url, extra, args.entries, net)
                figures[name].append(wall)
                received[name] = got
                print(f"round {r + 1}, {name}: {wall:.2f} s", flush=True)
        base = statistics.median(figures[transports[0][0]])
        print(f"\n{args.entries} entries of ~1 KiB, {payload} payload bytes, {args.rounds} rounds "
              f"(median of each)")
        print("| transport | median s | fastest s | entries/s (median) | ratio to ws:// | "
              "bytes received / payload |")
        print("|---|---|---|---|---|---|")
        for name, _, _ in transports:
            med = statistics.median(figures[name])
            print(f"| {name} | {med:.2f} | {min(figures[name]):.2f} | {args.entries / med:,.0f} | "
                  f"{med / base:.2f} | "
                  f"{received[name] / payload:.3f} |")
    finally:
        if socks:
            socks.stop()
        if proxy:
            proxy.close()
        bench.close()
        shutil.rmtree(pki, ignore_errors=True)


if __name__ == "__main__":
    main()
