#!/usr/bin/env python3
"""Search shards benchmark (issue 17): search latency over HTTP from one local index against two
xapian-tcpsrv shards on loopback, on the same archive, with real `ifexnode run` nodes. Prints
figures, asserts nothing about time (docs/performance.md records the output and this command).

  bench_shards.py --bin build/node/ifexnode --alerts 1000000 --cache DIR

The archive is made, imported and indexed as bench_archive.py does, in the same cache. The two
shards are copies of its data dir reindexed with [search] shard = "1/2" and "2/2" (kept in the
cache for later runs); the searching hub is a third copy with [search] remote. Both nodes run at
once and every query goes to each in turn, so the machine's noise falls on both alike. Every
process it starts is stopped at the end, also on error.
"""
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_archive import (  # noqa: E402
    Running, archive_parser, du, free_port, ms, percentile, prepare, vocabulary)


def set_search(data, lines):
    path = os.path.join(data, "ifexnode.toml")
    with open(path) as f:
        text = f.read()
    text = re.sub(r"\n\[search\]\n(?:[^\[\n][^\n]*\n|\n)*", "\n", text)
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n\n[search]\n" + "".join(l + "\n" for l in lines))


def copy_data(source, target):
    """A copy of the store and configuration, without the derived indexes."""
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("index", "bench-*"))


def make_shard(args, data, number):
    target = os.path.join(args.cache, f"{os.path.basename(data)}-shard{number}of2")
    marker = os.path.join(target, "bench-shard.json")
    if os.path.exists(marker):
        with open(marker) as f:
            return target, json.load(f)
    copy_data(data, target)
    set_search(target, [f'shard = "{number}/2"'])
    print(f"building shard {number}/2 (reindex of a copy) ...", flush=True)
    start = time.monotonic()
    subprocess.run([args.bin, "reindex", "--data", target], check=True, capture_output=True)
    figures = {"reindex_s": time.monotonic() - start}
    with open(marker, "w") as f:
        json.dump(figures, f)
    return target, figures


class TcpServer:
    def __init__(self, index_dir, log_path):
        self.port = free_port()
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(["xapian-tcpsrv", "--port", str(self.port), "--interface",
                                      "127.0.0.1", index_dir], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        sys.exit(f"xapian-tcpsrv did not start on {index_dir}")

    def stop(self):
        # Its own session: on SIGTERM it signals its whole group (the connection children).
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def queries(vocab, rng, count):
    countries = ["EG", "TN", "MX", "RU", "IN", "TR", "FR", "US", "BR", "PK"]
    kinds = ["one word", "two words", "phrase", "word + filters", "OR", "one word, newest"]
    out = []
    for i in range(count):
        lang = rng.choice(sorted(vocab))
        w = rng.sample(vocab[lang], 2)
        kind = kinds[i % len(kinds)]
        out.append((kind, {"one word": {"q": w[0]}, "two words": {"q": f"{w[0]} {w[1]}"},
                           "phrase": {"q": f'"{w[0]} {w[1]}"'},
                           "word + filters": {"q": w[0], "lang": lang,
                                              "country": rng.choice(countries)},
                           "OR": {"q": f"{w[0]} OR {w[1]}"},
                           "one word, newest": {"q": w[0], "sort": "newest"}}[kind]))
    return kinds, out


def main():
    parser = archive_parser(__doc__)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    if not shutil.which("xapian-tcpsrv"):
        sys.exit("xapian-tcpsrv is missing (Debian's xapian-tools)")

    jsonl, data, f = prepare(args)
    shards = [make_shard(args, data, n) for n in (1, 2)]
    print(f"\narchive: {f['imported']:,} alerts; whole index "
          f"{du(os.path.join(data, 'index', 'search')) / 2**20:.0f} MiB")
    for n, (path, fig) in enumerate(shards, 1):
        print(f"shard {n}/2: reindex of a copy {fig['reindex_s']:.1f} s, index "
              f"{du(os.path.join(path, 'index', 'search')) / 2**20:.0f} MiB")

    servers, nodes = [], []
    try:
        for n, (path, _) in enumerate(shards, 1):
            servers.append(TcpServer(os.path.join(path, "index", "search"),
                                     os.path.join(args.cache, f"bench-tcpsrv{n}.log")))
        hub = os.path.join(args.cache, f"{os.path.basename(data)}-remote-hub")
        if not os.path.exists(os.path.join(hub, "bench-hub.json")):
            copy_data(data, hub)
            # The catalog is the whole archive's; copying it saves the hub rebuilding it.
            shutil.copytree(os.path.join(data, "index", "catalog"),
                            os.path.join(hub, "index", "catalog"))
            with open(os.path.join(hub, "bench-hub.json"), "w") as out:
                json.dump({}, out)
        set_search(hub, ["remote = [" + ", ".join(f'"tcp://127.0.0.1:{s.port}"' for s in servers)
                         + "]"])
        local = Running(args, data, "bench-node-local.log")
        nodes.append(local)
        remote = Running(args, hub, "bench-node-remote.log")
        nodes.append(remote)
        rng = random.Random(args.seed)
        vocab = vocabulary(jsonl, rng)
        for _ in range(20):  # warm both before measuring
            q = "/api/search?q=" + urllib.parse.quote(rng.choice(vocab["en"]))
            local.get(q)
            remote.get(q)
        kinds, plan = queries(vocab, rng, args.queries)
        took = {k: ([], []) for k in kinds}
        differ = 0
        for kind, params in plan:
            path = "/api/search?" + urllib.parse.urlencode(params)
            a, body_a = local.get(path)
            b, body_b = remote.get(path)
            took[kind][0].append(a)
            took[kind][1].append(b)
            ids_a = [r["id"] for r in json.loads(body_a)["results"]]
            ids_b = [r["id"] for r in json.loads(body_b)["results"]]
            differ += ids_a != ids_b
        print(f"\nsearch over HTTP, {len(plan)} queries, each sent to both nodes in turn "
              f"(20 results with snippets, facets):")
        print(f"  {'query':<18} {'local median':>13} {'2 shards median':>16} {'ratio':>6}"
              f" {'local p99':>10} {'shards p99':>11}")
        every_a = [t for a, _ in took.values() for t in a]
        every_b = [t for _, b in took.values() for t in b]
        for kind, (a, b) in list(took.items()) + [("all", (every_a, every_b))]:
            ma, mb = statistics.median(a), statistics.median(b)
            print(f"  {kind:<18} {ms(ma):>13} {ms(mb):>16} {mb / ma:>6.2f}"
                  f" {ms(percentile(a, 99)):>10} {ms(percentile(b, 99)):>11}")
        print(f"\nresult lists that differ between local and shards: {differ} of {len(plan)}")
    finally:
        for n in nodes:
            n.stop()
        for s in servers:
            s.stop()


if __name__ == "__main__":
    main()
