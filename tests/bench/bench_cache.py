#!/usr/bin/env python3
"""Cache benchmark: reads per second of the alert list, one alert, a search and the Atom feed,
straight from a real `ifexnode run` and through Debian's nginx running
contrib/nginx/ifexnode-cache.conf, both on loopback. Prints figures, asserts nothing about time
(docs/performance.md records the output and this command).

  bench_cache.py --bin build/node/ifexnode --alerts 1000 --requests 4000 --clients 4

Each figure is --requests GETs shared by --clients client processes, each on one keep-alive
connection; the cache is warmed by one read per client before its figure. "node saw" is how
many of those reads through the cache reached the node, by its own request counter. The node and nginx are stopped at the end, also
on error.
"""
import argparse
import http.client
import multiprocessing
import os
import re
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ops"))


def client(port, path, count, start_at):
    """COUNT GETs of PATH on one connection, from START_AT (a shared time.time()) on."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.time() < start_at:
        time.sleep(0.001)
    for _ in range(count):
        conn.request("GET", path)
        res = conn.getresponse()
        res.read()
        if res.status != 200:
            raise RuntimeError(f"GET {path} on {port}: {res.status}")
    conn.close()
    return time.time()


def reads_per_s(pool, port, path, requests, clients):
    share = [requests // clients + (i < requests % clients) for i in range(clients)]
    start_at = time.time() + 0.2  # every client connected and waiting before the clock starts
    ends = pool.starmap(client, [(port, path, n, start_at) for n in share])
    return requests / (max(ends) - start_at)


def node_requests(node):
    body = node.request("GET", "/metrics")[2].decode()
    return sum(int(n) for n in re.findall(r'^ifexnode_http_requests_total\{[^}]*\} (\d+)', body,
                                            re.M))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    os.environ["IFEXNODE_BIN"] = os.path.abspath(args.bin)
    from nginx_proxy import CachingProxy  # noqa: E402
    from ops_support import Node  # noqa: E402  (reads IFEXNODE_BIN when imported)

    node = Node("bench-hub", "hub")
    try:
        node.start()
        words = ["newspaper", "journalist", "blogger", "broadcaster", "court", "raid"]
        for i in range(args.alerts):
            status, _, body = node.publish({
                "lang": "en", "title": f"Alert {i}: a {words[i % len(words)]} was detained",
                "summary": f"Summary {i}", "body": f"Report {i} about a {words[i % 3]} raid.",
                "country": ["TN", "EG", "MX", "TR"][i % 4], "categories": ["press-freedom"],
                "event_date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"})
            if status != 201:
                sys.exit(f"publishing alert {i}: {status} {body[:200]!r}")
        node.wait_indexed(timeout=300)
        one = node.get_json("/api/alerts?limit=1")["alerts"][0]["id"]
        resources = [("list (limit=20)", "/api/alerts?limit=20"), ("one alert", "/api/alerts/" + one),
                     ("search q=newspaper", "/api/search?" + urllib.parse.urlencode({"q": "newspaper"})),
                     ("Atom feed", "/feed.atom")]
        print(f"{args.alerts} alerts; each figure is {args.requests} GETs from {args.clients} "
              f"client processes (keep-alive), {os.cpu_count()} cores shared by node, nginx "
              f"and clients; the default max-age (30 s), so every cached read is fresh")
        print(f"node saw: requests the node answered for the {args.clients + args.requests} "
              f"reads through the cache")
        with CachingProxy(node.port) as proxy, multiprocessing.Pool(args.clients) as pool:
            print(f"{'resource':<22}{'direct reads/s':>16}{'cached reads/s':>16}{'ratio':>8}"
                  f"{'node saw':>10}")
            for label, path in resources:
                direct = reads_per_s(pool, node.port, path, args.requests, args.clients)
                before = node_requests(node)
                reads_per_s(pool, proxy.port, path, args.clients, args.clients)  # warm: one MISS
                cached = reads_per_s(pool, proxy.port, path, args.requests, args.clients)
                saw = node_requests(node) - before - 1  # less the first /metrics read itself
                print(f"{label:<22}{direct:>16,.0f}{cached:>16,.0f}{cached / direct:>7.1f}x"
                      f"{saw:>10}", flush=True)
    finally:
        node.close()


if __name__ == "__main__":
    main()
