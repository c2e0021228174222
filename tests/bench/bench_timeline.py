#!/usr/bin/env python3
"""Timeline benchmark (issue 18): latency of GET /api/timeline on a large archive, with a real
`ifexnode run` on loopback. Prints figures, asserts nothing about time (docs/performance.md
records the output and this command).

  bench_timeline.py --bin build/node/ifexnode --alerts 1000000 --cache DIR [--reindex]
  bench_timeline.py --bin build/node/ifexnode --data DIR --jsonl FILE --reindex

The archive is made, imported and indexed as bench_archive.py does, in the same cache (so a run
of bench_archive.py or bench_facets.py serves this one). `--reindex` rebuilds the catalog and
the search index with this binary first, and times it (a cache indexed by an older layout is
otherwise rebuilt by the node in the background, and the figures would measure that). `--data`
uses a data directory made elsewhere (a copy of such a cache, its store imported from `--jsonl`)
instead. Every node it starts is stopped at the end, also on error.
"""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_archive import (  # noqa: E402
    Running, archive_parser, common_facets, du, ms, percentile, prepare, timed_requests)


def main():
    parser = archive_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--reindex", action="store_true")
    parser.add_argument("--data", help="an imported data directory (then --jsonl is its source)")
    parser.add_argument("--jsonl")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)

    if args.data:
        if not args.jsonl:
            parser.error("--data needs --jsonl")
        jsonl, data = args.jsonl, os.path.abspath(args.data)
        args.cache = os.path.dirname(data)  # the node's log goes beside it
    else:
        jsonl, data, _ = prepare(args)
    if args.reindex:
        print("reindex (catalog with the timeline counts, layout 4, + Xapian) ...", flush=True)
        start = time.monotonic()
        subprocess.run([args.bin, "reindex", "--data", data], check=True, capture_output=True)
        print(f"reindex: {time.monotonic() - start:.1f} s", flush=True)
    catalog = os.path.join(data, "index", "catalog")
    print(f"\narchive: catalog {du(catalog) / 2**20:.0f} MiB; each figure "
          f"is {args.repeat} requests, one client")
    country, category = common_facets(jsonl)
    node = Running(args, data)
    try:
        for _ in range(20):  # warm the page cache before measuring
            node.get("/api/timeline")
        listing_total = json.loads(node.get("/api/alerts?limit=1")[1])["total"]
        print(f"{listing_total:,} alerts listed")
        print(f"\nGET /api/timeline{'median':>50} {'p99':>10}")
        for label, params in [
                ("per year (counts)", {}),
                ("per year, stack=category (counts)", {"stack": "category"}),
                ("per month of 2012 (counts)", {"year": "2012"}),
                ("per month of 2012, stack=category (counts)", {"year": "2012", "stack": "category"}),
                (f"per year, country={country} (pair counts)", {"country": country}),
                (f"per year, country={country}, stack=category (counts)",
                 {"country": country, "stack": "category"}),
                (f"per month of 2012, country={country}, stack=category (counts)",
                 {"country": country, "year": "2012", "stack": "category"}),
                (f"per year, country={country} & category={category} (walk)",
                 {"country": country, "category": category, "stack": "category"})]:
            took, got = timed_requests(node, "/api/timeline?" + urllib.parse.urlencode(params),
                                       args.repeat)
            print(f"  {label:<62} {ms(statistics.median(took)):>10} {ms(percentile(took, 99)):>10}"
                  f"  total {got['total']:,}{'' if got['total_exact'] else ' (bound)'}, "
                  f"{len(got['bins'])} bins")
            if not params:
                assert got["total"] == listing_total, (got["total"], listing_total)
    finally:
        node.stop()


if __name__ == "__main__":
    main()
