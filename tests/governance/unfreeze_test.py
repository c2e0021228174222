"""An equivocating member is unfrozen by the federation: revocation at the fork point plus
rotation, in one K-approved `rotate OLD NEW --after FORK_SEQ-1` (issue 13), real processes.

C's seq 2 exists in two signed versions (a data directory restored from a backup and used, as in
the restore test): B holds one, D the other, and the hub A, which both feed, makes the fork proof;
C's log is frozen at every node. C's organisation sets up a new node C2 (`init --join`) and the
members rotate C's key to it after seq 1, the last entry before the fork:
  - C2 is the member "C" everywhere and publishes again; its alerts reach every node;
  - C's #1 stays (listed, shown as "C"); both #2s are void: out of every listing, 410 on GET.
Before this slice a frozen member stayed silent for good."""
import json
import os
import shutil
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import FaultNode, cli, free_port, stop_everything, wait_until  # noqa: E402
from federation_test import joined_by_invitation, members, publish  # noqa: E402

WAIT_S = 60


def frozen(node, author):
    status = node.get_json("/api/status")
    return any(m["key"] == author and m.get("frozen") for m in status["members"])


def export(node, path):
    cli("export", "--data", node.data, "--out", path, "--author", node.key, "--force")
    return path


def listed(node, author):
    q = urllib.parse.urlencode({"author": author, "limit": 100})
    return {a["id"] for a in node.get_json(f"/api/alerts?{q}")["alerts"]}


def main():
    hub = FaultNode("A", "hub")
    b, c, d = FaultNode("B"), FaultNode("C"), FaultNode("D")
    try:
        hub.port = free_port()
        invitation = os.path.join(hub.tmp.name, "invitation.txt")
        cli("federation", "create", "--data", hub.data, "--threshold", "3", "--name", "IFEX",
            "--url", f"ws://127.0.0.1:{hub.port}/gossip", "--out", invitation,
            *sum((["--member", f"{n.key}={n.label}"] for n in (b, c, d)), []))
        for n in (b, c, d):
            cli("federation", "join", "--data", n.data, "--invitation", invitation,
                "--replace-network-key")
        for n in (hub, b, d):
            n.start()
        keys = {n.key for n in (hub, b, c, d)}
        wait_until(lambda: all(members(n) == keys for n in (hub, b, d)), WAIT_S,
                   "the roster at A, B and D")

        # C, offline, forks its own log: #1, a backup, #2, the backup put back, another #2.
        c1 = publish(c, "C's alert 1")
        backup = c.data + ".backup"
        shutil.copytree(c.data, backup)
        first_2 = publish(c, "C's first alert 2")
        bundle_a = export(c, os.path.join(c.tmp.name, "first.bundle"))
        shutil.rmtree(c.data)
        shutil.copytree(backup, c.data)
        cli("publishing", "release", "--data", c.data, "--accept-fork-risk")
        second_2 = publish(c, "C's second alert 2")
        bundle_b = export(c, os.path.join(c.tmp.name, "second.bundle"))
        # D takes the second history while it is down, B the first while it runs: the first
        # reaches the hub before D is back with the second (imported into a running D, it could
        # race the first one's arrival by gossip).
        d.stop()
        cli("import", "--data", d.data, bundle_b)
        cli("import", "--data", b.data, bundle_a)
        wait_until(lambda: first_2 in hub.ids(), WAIT_S, "the first #2 at the hub")
        d.start()
        wait_until(lambda: all(frozen(n, c.key) for n in (hub, b, d)), WAIT_S,
                   "C's log frozen at A, B and D")
        assert c1 in hub.ids()

        # The federation unfreezes C: its key rotated to C2 after seq 1.
        c2 = joined_by_invitation("C2", invitation)
        c2.start()
        move = cli("federation", "propose", "rotate", "--data", hub.data, c.key, c2.key,
                   "--after", "1")[1].strip()
        for n in (b, d):
            wait_until(lambda n=n: any(p["id"] == move for p in json.loads(
                cli("federation", "show", "--data", n.data, "--json")[1])["pending"]),
                WAIT_S, f"the rotation at {n.label}")
            cli("federation", "approve", "--data", n.data, move)
        approved = time.monotonic()
        moved = {hub.key, b.key, d.key, c2.key}
        wait_until(lambda: all(members(n) == moved for n in (hub, b, d, c2)), WAIT_S,
                   "C2 in C's place at every node")
        print(f"frozen member moved to a new key at all 4 nodes "
              f"{time.monotonic() - approved:.2f} s after the third approval")
        again = publish(c2, "C speaks again, from its new key")
        wait_until(lambda: all(again in n.ids() for n in (hub, b, d)), WAIT_S,
                   "C2's alert everywhere")
        for n in (hub, b, d):
            wait_until(lambda n=n: listed(n, c.key) == {c1}, WAIT_S,
                       f"only C's #1 listed at {n.label}")
            assert n.get_json(f"/api/alerts/{c1}")["author_name"] == "C", n.label
            assert n.get_json(f"/api/alerts/{again}")["author_name"] == "C", n.label
            for forked in (first_2, second_2):
                status, _, _ = n.request("GET", f"/api/alerts/{forked}")
                assert status in (404, 410), (n.label, status)
                if forked in n.ids():
                    assert status == 410, (n.label, status)
        for n in (hub, b, d, c2):
            n.stop()
            n.verify()
        print("ok: C's fork frozen it everywhere; K members moved it to a new key after seq 1; "
              "it publishes again, its #1 stays, both #2s are void")
    finally:
        stop_everything()


if __name__ == "__main__":
    main()
