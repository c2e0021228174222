#!/usr/bin/env python3
"""Archive benchmark: import, indexing, search and API page latency on a large archive, with a
real `ifexnode` (import-archive, reindex, run) on loopback. Prints figures, asserts nothing about
time (docs/performance.md records the output and this command).

  bench_archive.py --bin build/node/ifexnode --alerts 100000 --gen ../shared/data/gen-alerts.py

The generated archive and the imported data dir are cached in --cache (default
build/bench-cache) and reused by later runs with the same --alerts and --seed; --fresh rebuilds
them. Every node it starts is stopped at the end, also on error or Ctrl-C.
"""
import argparse
import json
import math
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
import urllib.request


def percentile(values, p):
    s = sorted(values)  # nearest rank
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def ms(v):
    return f"{v * 1000:.2f} ms"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd):
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {done.stderr}")
    return time.monotonic() - start, done.stdout


def archive_parser(doc):
    """The arguments every archive benchmark takes: the binary and the generated archive."""
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gen", default=os.path.join(here, "..", "..", "..", "shared", "data",
                                                      "gen-alerts.py"))
    parser.add_argument("--cache", default=os.path.join(here, "..", "..", "build", "bench-cache"))
    return parser


def timed_requests(node, path, repeat):
    """(client seconds per request, the last body as JSON)."""
    took, body = [], None
    for _ in range(repeat):
        t, body = node.get(path)
        took.append(t)
    return took, json.loads(body)


def prepare(args):
    os.makedirs(args.cache, exist_ok=True)
    jsonl = os.path.join(args.cache, f"alerts-{args.alerts}-{args.seed}.jsonl")
    data = os.path.join(args.cache, f"archive-{args.alerts}-{args.seed}")
    marker = os.path.join(data, "bench-complete.json")
    if args.fresh and os.path.exists(data):
        shutil.rmtree(data)
    if not os.path.exists(jsonl):
        print(f"generating {args.alerts} alerts with {args.gen} ...", flush=True)
        with open(jsonl + ".tmp", "w") as out:
            subprocess.run([sys.executable, args.gen, str(args.alerts), str(args.seed)], stdout=out,
                           check=True)
        os.rename(jsonl + ".tmp", jsonl)
    if os.path.exists(marker):
        with open(marker) as f:
            return jsonl, data, json.load(f)
    if os.path.exists(data):
        shutil.rmtree(data)
    subprocess.run([args.bin, "init", "--data", data, "--name", "bench-hub", "--role", "hub",
                    "--kdf", "interactive"], check=True, capture_output=True)
    size = os.path.getsize(jsonl)
    print(f"importing {args.alerts} alerts ({size / 2**20:.0f} MiB of JSONL) ...", flush=True)
    import_s, out = timed([args.bin, "import-archive", "--data", data, jsonl, "--json"])
    summary = json.loads(out)
    print("indexing (reindex) ...", flush=True)
    index_s, _ = timed([args.bin, "reindex", "--data", data])
    reimport_s, out = timed([args.bin, "import-archive", "--data", data, jsonl, "--json"])
    figures = {"import_s": import_s, "imported": summary["imported"], "index_s": index_s,
               "reimport_s": reimport_s, "reimported": json.loads(out)["imported"],
               "jsonl_bytes": size}
    with open(marker, "w") as f:
        json.dump(figures, f)
    return jsonl, data, figures


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


class Running:
    def __init__(self, args, data, log_name="bench-node.log"):
        self.port = free_port()
        self.log = open(os.path.join(args.cache, log_name), "w")
        self.proc = subprocess.Popen([args.bin, "run", "--data", data, "--listen",
                                      f"127.0.0.1:{self.port}"], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[1] == b"ok\n":
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        sys.exit("the node did not start")

    def get(self, path):
        start = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=60) as res:
            body = res.read()
        return time.monotonic() - start, body

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def vocabulary(jsonl, rng, per_lang=40):
    """Words that occur in the archive's titles, per language, to build realistic queries."""
    words = {}
    with open(jsonl) as f:
        for i, line in enumerate(f):
            if i >= 5000:
                break
            a = json.loads(line)
            for w in re.findall(r"\w{4,}", a["title"]):
                words.setdefault(a["lang"], set()).add(w.lower())
    return {lang: rng.sample(sorted(ws), min(per_lang, len(ws))) for lang, ws in words.items()}


def common_facets(jsonl):
    """The most frequent country and category of the archive's first alerts: a filter pair that
    matches a few percent of the archive."""
    countries, categories = {}, {}
    with open(jsonl) as f:
        for i, line in enumerate(f):
            if i >= 5000:
                break
            a = json.loads(line)
            countries[a["country"]] = countries.get(a["country"], 0) + 1
            for c in a["categories"]:
                categories[c] = categories.get(c, 0) + 1
    return max(countries, key=countries.get), max(categories, key=categories.get)


def bench_search(node, vocab, rng, count):
    kinds = {"one word": [], "two words": [], "phrase": [], "word + filters": [], "OR": []}
    server = []
    countries = ["EG", "TN", "MX", "RU", "IN", "TR", "FR", "US", "BR", "PK"]
    for i in range(count):
        lang = rng.choice(sorted(vocab))
        w = rng.sample(vocab[lang], 2)
        kind = list(kinds)[i % len(kinds)]
        params = {"one word": {"q": w[0]}, "two words": {"q": f"{w[0]} {w[1]}"},
                  "phrase": {"q": f'"{w[0]} {w[1]}"'},
                  "word + filters": {"q": w[0], "lang": lang, "country": rng.choice(countries)},
                  "OR": {"q": f"{w[0]} OR {w[1]}"}}[kind]
        took, body = node.get("/api/search?" + urllib.parse.urlencode(params))
        kinds[kind].append(took)
        server.append(json.loads(body)["took_ms"] / 1000)
    return kinds, server


def bench_pages(node, params, limit, max_pages, repeat=30):
    """Walks the whole listing by cursor once (counting alerts, keeping every cursor), then
    times the first and the last page alternately, so depth is the only difference between the
    two figures (not the page cache, nor what else the machine was doing at the time)."""
    cursors, cursor, count = [None], None, 0
    while len(cursors) <= max_pages:
        q = dict(params, limit=limit, **({"cursor": cursor} if cursor else {}))
        _, body = node.get("/api/alerts?" + urllib.parse.urlencode(q))
        page = json.loads(body)
        count += len(page["alerts"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        cursors.append(cursor)
    first, last = [], []
    for _ in range(repeat):
        for cur, out in ((cursors[0], first), (cursors[-1], last)):
            q = dict(params, limit=limit, **({"cursor": cur} if cur else {}))
            out.append(node.get("/api/alerts?" + urllib.parse.urlencode(q))[0])
    return len(cursors), count, first, last


def main():
    parser = archive_parser(__doc__)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)

    jsonl, data, f = prepare(args)
    print(f"\narchive: {f['imported']} alerts, {f['jsonl_bytes'] / 2**20:.0f} MiB JSONL")
    print(f"import-archive: {f['import_s']:.1f} s, {f['imported'] / f['import_s']:,.0f} alerts/s"
          f" (sign + group commit); store {du(os.path.join(data, 'store')) / 2**20:.0f} MiB")
    print(f"re-import of the same file: {f['reimport_s']:.1f} s, {f['reimported']} added")
    print(f"reindex (catalog + Xapian): {f['index_s']:.1f} s, "
          f"{f['imported'] / f['index_s']:,.0f} alerts/s; index {du(os.path.join(data, 'index')) / 2**20:.0f} MiB")

    rng = random.Random(args.seed)
    node = Running(args, data)
    try:
        vocab = vocabulary(jsonl, rng)
        for _ in range(20):  # warm the page cache before measuring
            node.get("/api/search?q=" + urllib.parse.quote(rng.choice(vocab["en"])))
        kinds, server = bench_search(node, vocab, rng, args.queries)
        every = [t for ts in kinds.values() for t in ts]
        print(f"\nsearch over HTTP, {len(every)} queries (20 results with snippets each):")
        print(f"  {'query':<16} {'median':>10} {'p99':>10}")
        for kind, ts in kinds.items():
            print(f"  {kind:<16} {ms(statistics.median(ts)):>10} {ms(percentile(ts, 99)):>10}")
        print(f"  {'all':<16} {ms(statistics.median(every)):>10} {ms(percentile(every, 99)):>10}"
              f"   (in the node: median {ms(statistics.median(server))}, p99 {ms(percentile(server, 99))})")

        print("\nGET /api/alerts, walking every page by cursor (limit 100):")
        country, category = common_facets(jsonl)
        for label, params in [("all alerts", {}), ("lang=ar", {"lang": "ar"}),
                              (f"country={country} & category={category}",
                               {"country": country, "category": category})]:
            pages, count, head, tail = bench_pages(node, params, 100, 20_000)
            print(f"  {label:<40} {pages:>6} pages, {count:>8} alerts: first page median "
                  f"{ms(statistics.median(head))}, last page median {ms(statistics.median(tail))}"
                  f" (last/first {statistics.median(tail) / statistics.median(head):.2f})")
        took = [node.get("/feed.atom?lang=fr&include=archive")[0] for _ in range(20)]
        print(f"\nGET /feed.atom?lang=fr&include=archive (50 entries): median {ms(statistics.median(took))}")
    finally:
        node.stop()


if __name__ == "__main__":
    main()
