#!/usr/bin/env python3
"""Facet benchmark (issue 18): latency of listings and searches with totals and facet counts on
a large archive, with a real `ifexnode run` on loopback. Prints figures, asserts nothing about
time (docs/performance.md records the output and this command).

  bench_facets.py --bin build/node/ifexnode --alerts 100000

The archive is made, imported and indexed as bench_archive.py does, in the same cache (so one
run of either serves the other). Every node it starts is stopped at the end, also on error.
"""
import json
import os
import random
import statistics
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_archive import (  # noqa: E402
    Running, archive_parser, common_facets, ms, percentile, prepare, timed_requests, vocabulary)


def row(label, took, extra=""):
    print(f"  {label:<52} {ms(statistics.median(took)):>10} {ms(percentile(took, 99)):>10}  {extra}")


def main():
    parser = archive_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)

    jsonl, data, f = prepare(args)
    print(f"\narchive: {f['imported']} alerts; reindex (catalog with facet and pair counts + "
          f"Xapian with facet slots) {f['index_s']:.1f} s; each figure is {args.repeat} "
          f"requests, one client")
    rng = random.Random(args.seed)
    country, category = common_facets(jsonl)
    node = Running(args, data)
    try:
        for _ in range(20):  # warm the page cache before measuring
            node.get("/api/alerts?limit=20")
        print(f"\nGET /api/alerts?limit=20 (first page: total + facets){'median':>14} {'p99':>10}")
        first = {"limit": 20}
        _, page = node.get("/api/alerts?limit=20")
        cursor = json.loads(page)["next_cursor"]
        took, _ = timed_requests(node, "/api/alerts?" + urllib.parse.urlencode(
            {"limit": 20, "cursor": cursor}), args.repeat)
        row("second page, no filter (no facets: the baseline)", took)
        for label, params in [("no filter (counts read, no alert visited)", {}),
                              ("lang=ar (pair counts)", {"lang": "ar"}),
                              (f"lang=ar & category={category} (scan)", {"lang": "ar", "category": category}),
                              (f"country={country} (pair counts)", {"country": country}),
                              (f"country={country} & category={category} (scan)",
                               {"country": country, "category": category}),
                              ("from=2010-01-01 & to=2014-12-31 (scan)",
                               {"from": "2010-01-01", "to": "2014-12-31"})]:
            took, got = timed_requests(node, "/api/alerts?" + urllib.parse.urlencode(
                dict(first, **params)), args.repeat)
            row(label, took, f"total {got['total']:,}{'' if got['total_exact'] else ' (bound)'}")

        vocab = vocabulary(jsonl, rng)
        words = [w for ws in vocab.values() for w in ws]
        print(f"\nGET /api/search?limit=20 (total + facets over every match){'median':>8} {'p99':>10}")
        for label, extra in [("one word, relevance", {}), ("one word, sort=newest", {"sort": "newest"}),
                             (f"one word, country={country}", {"country": country}),
                             ("two words OR", None)]:
            took, server, totals = [], [], []
            for i in range(args.repeat):
                w = rng.sample(words, 2)
                params = {"q": f"{w[0]} OR {w[1]}"} if extra is None else dict({"q": w[0]}, **extra)
                t, body = node.get("/api/search?" + urllib.parse.urlencode(params))
                got = json.loads(body)
                took.append(t)
                server.append(got["took_ms"] / 1000)
                totals.append(got["total"])
            row(label, took, f"in the node {ms(statistics.median(server))} / "
                             f"{ms(percentile(server, 99))}; matches median {statistics.median(totals):,.0f}, "
                             f"max {max(totals):,}")
    finally:
        node.stop()


if __name__ == "__main__":
    main()
