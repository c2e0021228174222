"""`federation propose rotate OLD NEW --after SEQ` with real `ifexnode run` processes (issue 13).

Hub A founds a federation of four (A-D) with K = 3; C moves to a new server. A rotation moves a
member to a new key as one organisation, with K approvals, so a thief holding only the current key
cannot move the identity to a key of its own:
  - the thief (C's key, on C's node) proposes rotating C to its own node T, and the hub approves
    it (K - 1 = 2 signatures: a seized hub and a stolen key): no node makes T a member, and T's
    alert reaches nobody;
  - C's operator sets up the new node C2 with `init --join` and proposes `rotate C C2 --after N`
    (N: the seq of that proposal, the old key's last entry); B and D approve: at every node C2 is
    the member "C" (one organisation: C's earlier alert and C2's new one both show as "C", the
    federation lists C's old key as C2's earlier key), C2 receives every log, its alert reaches
    every node, and what the old key signs later is refused everywhere.
Before this slice there was no `rotate`: moving to a new key meant a removal and an addition, two
organisations in the archive, and K approvals twice."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import FaultNode, cli, free_port, stop_everything, wait_until  # noqa: E402
from federation_test import federation_of, joined_by_invitation, members, publish  # noqa: E402

WAIT_S = 60


def pending_ids(node):
    f = federation_of(node)
    return {p["id"] for p in f["pending"]} if f else set()


def head_seq(node):
    return max(e["seq"] for e in node.entry_list() if e["author"] == node.key)


def main():
    hub = FaultNode("A", "hub")
    b, c, d = FaultNode("B"), FaultNode("C"), FaultNode("D")
    founders = [hub, b, c, d]
    try:
        hub.port = free_port()
        invitation = os.path.join(hub.tmp.name, "invitation.txt")
        cli("federation", "create", "--data", hub.data, "--threshold", "3", "--name", "IFEX",
            "--url", f"ws://127.0.0.1:{hub.port}/gossip", "--out", invitation,
            *sum((["--member", f"{n.key}={n.label}"] for n in (b, c, d)), []))
        for n in (b, c, d):
            cli("federation", "join", "--data", n.data, "--invitation", invitation,
                "--replace-network-key")
        thief = joined_by_invitation("T", invitation)
        c2 = joined_by_invitation("C2", invitation)
        for n in founders:
            n.start()
        keys = {n.key for n in founders}
        wait_until(lambda: all(members(n) == keys for n in founders), WAIT_S, "the roster everywhere")
        c_alert = publish(c, "C before its move")
        wait_until(lambda: all(c_alert in n.ids() for n in founders), WAIT_S, "C's alert everywhere")

        # The thief: C's current key, a node of its own, and a seized hub's approval.
        thief.start()
        theft = cli("federation", "propose", "rotate", "--data", c.data, c.key, thief.key,
                    "--after", "9")[1].strip()
        wait_until(lambda: all(theft in pending_ids(n) for n in founders), WAIT_S,
                   "the thief's rotation at every founder")
        cli("federation", "approve", "--data", hub.data, theft)
        thief_alert = publish(thief, "the thief as C")
        canary = publish(b, "B after the thief's try")
        wait_until(lambda: all(canary in n.ids() for n in founders), WAIT_S, "B's canary everywhere")
        time.sleep(2)
        for n in founders:
            assert thief.key not in members(n), n.label
            assert thief_alert not in n.ids(), n.label
            p = next(p for p in federation_of(n)["pending"] if p["id"] == theft)
            assert len(p["approvers"]) == 2, p

        # The genuine move: C's operator proposes it with the old key, B and D approve.
        c2.start()
        after = head_seq(c) + 1  # the proposal itself is the old key's last entry
        move = cli("federation", "propose", "rotate", "--data", c.data, c.key, c2.key,
                   "--after", str(after))[1].strip()
        assert head_seq(c) == after
        wait_until(lambda: all(move in pending_ids(n) for n in (b, d)), WAIT_S,
                   "the move at B and D")
        cli("federation", "approve", "--data", b.data, move)
        cli("federation", "approve", "--data", d.data, move)
        approved = time.monotonic()
        moved = {hub.key, b.key, d.key, c2.key}
        everyone = founders + [c2]
        wait_until(lambda: all(members(n) == moved for n in everyone), WAIT_S,
                   "C2 the member in C's place at every node")
        print(f"rotation in effect at all {len(everyone)} nodes "
              f"{time.monotonic() - approved:.2f} s after the third approval")
        wait_until(lambda: c_alert in c2.ids() and canary in c2.ids(), WAIT_S,
                   "every log at C2")
        c2_alert = publish(c2, "C from its new server")
        wait_until(lambda: all(c2_alert in n.ids() for n in (hub, b, d)), WAIT_S,
                   "C2's alert everywhere")
        for n in (hub, b, d):
            assert n.get_json(f"/api/alerts/{c_alert}")["author_name"] == "C", n.label
            assert n.get_json(f"/api/alerts/{c2_alert}")["author_name"] == "C", n.label
            fed = n.get_json("/api/federation")
            m = next(m for m in fed["members"] if m["key"] == c2.key)
            assert m["name"] == "C" and [k["key"] for k in m["earlier_keys"]] == [c.key], m
            assert m["earlier_keys"][0]["after_seq"] == after, m
            assert thief.key not in {m["key"] for m in fed["members"]}

        # The old key signs on (a thief who kept it, or a forgotten cron job): refused everywhere.
        late = publish(c, "C's old key after the move")
        canary2 = publish(d, "D after the move")
        wait_until(lambda: all(canary2 in n.ids() for n in (hub, b, c2)), WAIT_S,
                   "D's canary everywhere")
        time.sleep(2)
        for n in (hub, b, d, c2):
            assert late not in n.ids(), n.label
        for n in everyone + [thief]:
            n.stop()
        for n in (hub, b, d, c2):
            n.verify()
        print("ok: the thief's rotation (stolen key + hub) changed nothing; the move with K "
              "approvals made C2 the member C at every node, one organisation; the old key's "
              "later alert reached nobody")
    finally:
        stop_everything()


if __name__ == "__main__":
    main()
