#!/usr/bin/env python3
"""Publish benchmark: acknowledged alerts per second through `POST /api/alerts` of one real
`ifexnode run` on loopback, from N concurrent clients, each one process on one keep-alive
connection. Prints figures, asserts nothing about time (docs/performance.md records the output
and this command).

  bench_publish.py --bin build/node/ifexnode --alerts 20000 --clients 1,16

Every 201 is an alert the node signed and committed to disk (its transaction synced) before
answering. For each client count, the clients share --alerts POSTs; "ack p50/p99" is the time
from sending a POST to reading its whole answer; "per commit" is alerts per write transaction
(one sync each), from the node's /metrics ("-" for a node without those counters). The node
gets `[http] threads` = the largest client count (a waiting publish holds an HTTP thread) and
`[network] max_connections_per_address` above it (every client connects from 127.0.0.1:
docs/http-api.md, "Publishing tools"). The node is stopped at the end, also on error.
"""
import argparse
import json
import multiprocessing
import os
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ops"))


def post_bytes(port, token, i):
    body = json.dumps({
        "lang": "en", "title": f"Benchmark alert {i}", "summary": f"Summary of alert {i}",
        "body": f"Body of benchmark alert {i}. " + "A journalist was detained. " * 20,
        "country": "TN", "categories": ["press-freedom"], "event_date": "2024-01-02"}).encode()
    head = (f"POST /api/alerts HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    return head + body


def read_answer(sock, buffer):
    """Reads one HTTP answer; returns (status, body, rest of the buffer)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("the node closed the connection")
        buffer += chunk
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
    while len(buffer) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("the node closed the connection mid-answer")
        buffer += chunk
    return status, buffer[:length], buffer[length:]


def client(port, token, first, count, start_at):
    """COUNT POSTs on one keep-alive connection from START_AT (a shared time.time()) on.
    Returns (latencies in s, {status: count}, end time)."""
    requests = [post_bytes(port, token, first + i) for i in range(count)]
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    latencies, statuses, buffer = [], {}, b""
    while time.time() < start_at:
        time.sleep(0.001)
    for req in requests:
        began = time.perf_counter()
        sock.sendall(req)
        status, _, buffer = read_answer(sock, buffer)
        latencies.append(time.perf_counter() - began)
        statuses[status] = statuses.get(status, 0) + 1
    end = time.time()
    sock.close()
    return latencies, statuses, end


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def run(pool, node, alerts, clients, first):
    share = [alerts // clients + (i < alerts % clients) for i in range(clients)]
    starts = [first + sum(share[:i]) for i in range(clients)]
    start_at = time.time() + 0.5  # every client built its requests and connected by then
    results = pool.starmap(client, [(node.port, node.token, s, n, start_at)
                                    for s, n in zip(starts, share)])
    latencies = sorted(x for r in results for x in r[0])
    statuses = {}
    for r in results:
        for k, v in r[1].items():
            statuses[k] = statuses.get(k, 0) + v
    wall = max(r[2] for r in results) - start_at
    return statuses.get(201, 0) / wall, latencies, statuses


def publish_counters(node):
    """(alerts, transactions) of the node's group commit so far, from /metrics; None before
    the node had them."""
    body = node.request("GET", "/metrics")[2].decode()
    found = [re.search(rf"(?m)^{name} (\S+)$", body)
             for name in ("ifexnode_published_alerts_total", "ifexnode_publish_transactions_total")]
    return None if None in found else tuple(float(m.group(1)) for m in found)


def configure(data, threads, per_address):
    path = os.path.join(data, "ifexnode.toml")
    with open(path) as f:
        text = f.read()
    for section, key, value in (("http", "threads", threads),
                                ("network", "max_connections_per_address", per_address)):
        line = f"{key} = {value}"
        if re.search(rf"(?m)^{key} = ", text):
            text = re.sub(rf"(?m)^{key} = .*$", line, text)
        else:
            text = re.sub(rf"(?m)^\[{section}\]$", f"[{section}]\n{line}", text, count=1)
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--alerts", type=int, default=20000, help="POSTs per client count")
    parser.add_argument("--clients", default="1,16", help="client counts, comma-separated")
    args = parser.parse_args()
    os.environ["IFEXNODE_BIN"] = os.path.abspath(args.bin)
    from ops_support import Node  # noqa: E402  (reads IFEXNODE_BIN when imported)

    counts = [int(c) for c in args.clients.split(",")]
    node = Node("bench-hub", "hub")
    try:
        configure(node.data, max(counts), max(counts) + 8)
        node.start()
        print(f"{args.alerts} POSTs per row (~1.1 KiB alerts), one client process per keep-alive "
              f"connection, [http] threads = {max(counts)}, {os.cpu_count()} cores shared by the "
              f"node and the clients")
        print(f"{'clients':>8}{'acked/s':>10}{'ratio':>8}{'ack p50 ms':>12}{'ack p99 ms':>12}"
              f"{'per commit':>12}  answers")
        first, base = 0, None
        with multiprocessing.Pool(max(counts)) as pool:
            for n in counts:
                before = publish_counters(node)
                rate, lat, statuses = run(pool, node, args.alerts, n, first)
                after = publish_counters(node)
                per_commit = (f"{(after[0] - before[0]) / max(1, after[1] - before[1]):.1f}"
                              if before and after else "-")
                first += args.alerts
                base = base or rate
                print(f"{n:>8}{rate:>10,.0f}{rate / base:>7.1f}x{percentile(lat, 0.5) * 1e3:>12.2f}"
                      f"{percentile(lat, 0.99) * 1e3:>12.2f}{per_commit:>12}  {dict(sorted(statuses.items()))}",
                      flush=True)
        st = node.get_json("/api/status", token=node.token)
        print(f"entries in the store afterwards: {st.get('entries')}")
    finally:
        node.close()


if __name__ == "__main__":
    main()
