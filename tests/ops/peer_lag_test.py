"""Member lag in /metrics (issue 17): ifexnode_peer_behind_entries and ifexnode_peer_ahead_entries
on real nodes on loopback.

A is the publisher; B and C are members that dial it; D holds the network key and rosters A, but
A has not rostered D, so A accepts D's connection (accept_unknown_peers) without serving it.
  - B and C catch up: A shows 0 for them, with their roster names.
  - D lacks all of A's log, and A shows exactly that many (and no name: it is no member); D
    shows the same count the other way round, from A's clock.
  - B stops while A publishes: A has no lag sample for B (it is down: only ifexnode_peer_up says
    so), C still reaches 0, D's count grows by what A published.
  - B comes back: it catches up and A shows 0 for it again.
  - A rosters D: D is reconnected and served, and both sides fall to 0.
Every wait is bounded and waits for an exact value; /metrics never names an address."""
import json
import os
import re
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import (FaultNode, cli, federation, sample_alert, set_config,  # noqa: E402
                        stop_everything, wait_until)

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metrics_text(node):
    with urllib.request.urlopen(f"http://127.0.0.1:{node.port}/metrics", timeout=10) as r:
        return r.read().decode()


def samples(text, name):
    """{frozenset(labels.items()): value} of one metric."""
    out = {}
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m and m.group(1) == name:
            out[frozenset(LABEL.findall(m.group(2) or ""))] = float(m.group(3))
    return out


def fingerprint(node):
    return json.loads(cli("id", "--data", node.data, "--json")[1])["fingerprint"]


def lag_of(text, name, peer):
    """(value, labels) of `name` for that peer (by fingerprint), or None without a sample."""
    for labels, value in samples(text, name).items():
        labels = dict(labels)
        if labels.get("peer") == peer.fingerprint:
            return value, labels
    return None


def head_of(node, author):
    """How far `node` holds `author`'s log (read with the CLI)."""
    return max((e["seq"] for e in node.entry_list() if e["author"] == author.key), default=0)


class PeerLagTest(unittest.TestCase):
    def setUp(self):
        self.addCleanup(stop_everything)
        self.a, self.b, self.c = federation(["A", "B", "C"])
        self.d = FaultNode("D", network_key=self.a.network_key())
        cli("roster", "add", "--data", self.d.data, self.a.key, "--name", "A")
        set_config(self.a.data, "network", "accept_unknown_peers", True)
        for n in (self.b, self.c, self.d):
            set_config(n.data, "network", "reconnect_min_ms", 50)
            set_config(n.data, "network", "reconnect_max_ms", 200)
        for n in (self.a, self.b, self.c, self.d):
            n.fingerprint = fingerprint(n)
        self.a.start()
        for n in (self.b, self.c, self.d):
            cli("peer", "add", "--data", n.data, f"ws://127.0.0.1:{self.a.port}/gossip", self.a.key)
        self.b.start()
        self.c.start()
        self.publish(0, 3)
        # A sends a node it does not serve its clock only, no notes after: D starts once A's
        # log is complete, so what D sees of it is exact.
        self.d.start()

    def wait_lag(self, at, name, peer, value, what):
        def matches():
            got = lag_of(metrics_text(at), name, peer)
            return got if got and got[0] == value else None
        return wait_until(matches, 60, what, every=0.1)

    def publish(self, first, count):
        for i in range(first, first + count):
            status, _, body = self.a.publish(sample_alert(i, "lag"))
            self.assertEqual(status, 201, body)

    def test_lag_follows_what_peers_hold(self):
        a, b, c, d = self.a, self.b, self.c, self.d
        behind, ahead = "ifexnode_peer_behind_entries", "ifexnode_peer_ahead_entries"
        head = head_of(a, a)
        self.assertGreaterEqual(head, 3)
        for member in (b, c):
            _, labels = self.wait_lag(a, behind, member, 0, f"A to see {member.label} caught up")
            self.assertEqual(labels["name"], member.label)
        # D is not served: it lacks A's whole log, and says so in its clock.
        _, labels = self.wait_lag(a, behind, d, head, "A to count what D lacks")
        self.assertNotIn("name", labels)
        self.wait_lag(d, ahead, a, head, "D to count what A holds and it lacks")

        b.stop()
        wait_until(lambda: lag_of(metrics_text(a), behind, b) is None, 60, "B's sample to go")
        self.publish(3, 2)
        self.wait_lag(a, behind, d, head + 2, "A to count D's lag grown by two")
        wait_until(lambda: head_of(c, a) == head + 2, 60, "C to get the new alerts")
        self.wait_lag(a, behind, c, 0, "A to see C caught up")
        text = metrics_text(a)
        self.assertIsNone(lag_of(text, behind, b), "a node down has no lag sample")
        self.assertEqual(samples(text, "ifexnode_peer_up")[frozenset(
            {("peer", b.fingerprint), ("name", "B")})], 0)
        self.assertNotIn("127.0.0.1", text, "/metrics must not name addresses")

        b.start()
        self.wait_lag(a, behind, b, 0, "B to come back and catch up")
        wait_until(lambda: head_of(b, a) == head + 2, 60, "B to hold A's log")

        # Rostered, D is reconnected as a member and served: nothing lacks on either side.
        cli("roster", "add", "--data", a.data, d.key, "--name", "D")
        _, labels = self.wait_lag(a, behind, d, 0, "D to be served once rostered")
        self.assertEqual(labels["name"], "D")
        self.wait_lag(d, ahead, a, 0, "D to hold what A holds")


if __name__ == "__main__":
    unittest.main()
