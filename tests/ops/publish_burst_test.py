"""Issue 16: many `POST /api/alerts` at once are committed together (group commit,
node/http/publish_committer.hpp), and each 201 still means the alert is on disk. 16 clients, each
on one keep-alive connection, POST a bounded number of alerts: every acknowledged alert is in the
store, once, in one unbroken chain (`ifexnode verify`); a `kill -9` in the middle of a burst loses
none that was acknowledged. Real `ifexnode run` processes on loopback, stopped by PID."""
import http.client
import json
import os
import re
import threading
import unittest

from ops_support import Node, cli, stop_everything, wait_until

CLIENTS = 16


def alert(client, i):
    return json.dumps({"lang": "en", "title": f"Burst alert {client}-{i}",
                       "summary": f"Summary {client}-{i}", "body": f"Body of alert {client}-{i}.",
                       "country": "TN", "categories": ["press-freedom"],
                       "event_date": "2024-01-02"})


class Client(threading.Thread):
    """POSTs up to `count` alerts on one keep-alive connection; keeps the (id, seq) of each 201.
    Stops at the first failed request (the node was killed) or when told to."""

    def __init__(self, node, number, count):
        super().__init__(daemon=True)
        self.node, self.number, self.count = node, number, count
        self.acked, self.refused, self.broken = [], [], None
        self.lock = threading.Lock()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.node.port, timeout=60)
        headers = {"Content-Type": "application/json",
                   "Authorization": "Bearer " + self.node.token}
        try:
            for i in range(self.count):
                conn.request("POST", "/api/alerts", alert(self.number, i), headers)
                res = conn.getresponse()
                body = res.read()
                with self.lock:
                    if res.status == 201:
                        answer = json.loads(body)
                        self.acked.append((answer["id"], answer["seq"]))
                    else:
                        self.refused.append((res.status, body[:200]))
        except (OSError, http.client.HTTPException) as e:
            self.broken = e
        finally:
            conn.close()

    def acknowledged(self):
        with self.lock:
            return list(self.acked)


def allow_clients(data, clients):
    """Every client connects from 127.0.0.1: the per-address cap must leave room for them, and
    each publish waiting for its commit holds an HTTP thread (docs/http-api.md)."""
    path = os.path.join(data, "ifexnode.toml")
    with open(path) as f:
        text = f.read()
    for section, key, value in (("http", "threads", clients),
                                ("network", "max_connections_per_address", clients + 4)):
        if re.search(rf"(?m)^{key} = ", text):
            text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        else:
            text = re.sub(rf"(?m)^\[{section}\]$", f"[{section}]\n{key} = {value}", text, count=1)
    with open(path, "w") as f:
        f.write(text)


class PublishBurstTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="hub", role="hub")
        allow_clients(self.node.data, CLIENTS)

    def tearDown(self):
        stop_everything()
        self.node.close()

    def stored_alerts(self):
        """{id: seq} of the node's own entries, read with the CLI (the node stopped)."""
        _, out, _ = cli("list", "--data", self.node.data, "--limit", "1000000", "--json")
        return {e["id"]: e["seq"] for e in json.loads(out)}

    def burst(self, count):
        clients = [Client(self.node, n, count) for n in range(CLIENTS)]
        for c in clients:
            c.start()
        return clients

    def check_chain(self, stored):
        _, out, _ = cli("verify", "--data", self.node.data, "--json")
        self.assertTrue(json.loads(out)["ok"], out)
        seqs = sorted(stored.values())
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), "gaps or repeats")

    def test_concurrent_publishes_are_each_stored_once(self):
        self.node.start()
        clients = self.burst(40)
        for c in clients:
            c.join(timeout=120)
            self.assertFalse(c.is_alive(), "a client did not finish")
        metrics = self.node.request("GET", "/metrics")[2].decode()
        counted = {name: float(value) for name, value in re.findall(
            r"(?m)^(ifexnode_publish\w+|ifexnode_published\w+) (\S+)$", metrics)}
        self.assertEqual(counted.get("ifexnode_published_alerts_total"), CLIENTS * 40, metrics)
        self.assertGreaterEqual(counted.get("ifexnode_publish_transactions_total", 0), 1)
        self.assertLessEqual(counted["ifexnode_publish_transactions_total"], CLIENTS * 40)
        self.node.stop()
        self.assertEqual([(c.number, c.broken, c.refused) for c in clients if c.broken or c.refused],
                         [])
        acked = [a for c in clients for a in c.acknowledged()]
        self.assertEqual(len(acked), CLIENTS * 40)
        self.assertEqual(len({id for id, _ in acked}), len(acked), "an id acknowledged twice")
        self.assertEqual(len({seq for _, seq in acked}), len(acked), "a seq given twice")
        stored = self.stored_alerts()
        for id, seq in acked:
            self.assertEqual(stored.get(id), seq, f"acknowledged {id} (seq {seq}) is not stored")
        self.check_chain(stored)

    def test_kill_during_a_burst_loses_nothing_acknowledged(self):
        self.node.start()
        clients = self.burst(400)
        try:
            wait_until(lambda: sum(len(c.acknowledged()) for c in clients) >= 300, 120,
                       "300 acknowledged alerts")
        finally:
            self.node.proc.kill()  # SIGKILL, by PID, in the middle of the burst
            self.node.proc.wait(timeout=10)
        for c in clients:
            c.join(timeout=60)
            self.assertFalse(c.is_alive(), "a client did not notice the node end")
        acked = [a for c in clients for a in c.acknowledged()]
        self.assertTrue(any(c.broken for c in clients), "the kill came after the burst ended")
        self.node.stop()
        # A restarted node carries on from the stored head: one more alert after the crash.
        self.node.start()
        status, _, body = self.node.publish(json.loads(alert(99, 0)))
        self.assertEqual(status, 201, body)
        after = json.loads(body)
        self.node.stop()
        stored = self.stored_alerts()
        lost = [(id, seq) for id, seq in acked if stored.get(id) != seq]
        self.assertEqual(lost, [], f"{len(lost)} of {len(acked)} acknowledged alerts lost")
        self.assertEqual(stored.get(after["id"]), after["seq"])
        self.assertEqual(after["seq"], max(stored.values()))
        self.check_chain(stored)


if __name__ == "__main__":
    unittest.main()
