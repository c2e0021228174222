"""`federation propose revoke KEY --after N` with real `ifexnode run` processes (issue 13).

Hub A founds a federation of four (A-D) with K = 2. C's key is "stolen": C's node signs on
after what C itself published. The members revoke C's key after C's last genuine entry:
  - C's entries up to N stay: listed, searched, fed and served everywhere, and a node that was
    away (D) still receives them after the revocation, from nodes that know it;
  - C's entries after N that were already stored (the thief's, accepted before the revocation)
    are no longer listed, searched, fed or served: GET answers 410, and D, back after the
    revocation, never receives them;
  - C's later entries are refused at every node;
  - the stores keep every signed byte (the log stays complete): `verify` passes everywhere.
Before this slice the thief's entries stayed listed and searchable at every node that held
them, and nodes went on serving them."""
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import FaultNode, cli, free_port, stop_everything, wait_until  # noqa: E402

WAIT_S = 60


def publish(node, title):
    out = cli("publish", "--data", node.data, "--json", "--lang", "en", "--country", "TN",
              "--category", "press-freedom", "--title", title, "--body", "A body.")[1]
    return json.loads(out)["id"]


def federation_of(node):
    code, out, _ = cli("federation", "show", "--data", node.data, "--json", check=False)
    return json.loads(out) if code == 0 else None


def revoked_at(node, key):
    f = federation_of(node)
    return bool(f) and any(r["key"] == key for r in f.get("revoked", []))


def listed(node, author):
    q = urllib.parse.urlencode({"author": author, "limit": 100})
    return {a["id"] for a in node.get_json(f"/api/alerts?{q}")["alerts"]}


def found(node, word):
    q = urllib.parse.urlencode({"q": word})
    return {r["id"] for r in node.get_json(f"/api/search?{q}")["results"]}


def fed_ids(node):
    status, _, body = node.request("GET", "/feed.atom")
    assert status == 200, status
    return body.decode()


def main():
    hub = FaultNode("A", "hub")
    b, c, d = FaultNode("B"), FaultNode("C"), FaultNode("D")
    everyone = [hub, b, c, d]
    try:
        hub.port = free_port()
        invitation = os.path.join(hub.tmp.name, "invitation.txt")
        cli("federation", "create", "--data", hub.data, "--threshold", "2", "--name", "IFEX",
            "--url", f"ws://127.0.0.1:{hub.port}/gossip", "--out", invitation,
            *sum((["--member", f"{n.key}={n.label}"] for n in (b, c, d)), []))
        for n in (b, c, d):
            cli("federation", "join", "--data", n.data, "--invitation", invitation,
                "--replace-network-key")
        for n in (hub, b, c):
            n.start()
        # C's genuine alerts, then the thief's (same key, same node): all three reach A and B.
        genuine = [publish(c, "zebrafinch genuine one"), publish(c, "zebrafinch genuine two")]
        stolen = publish(c, "quokkastolen by the thief")
        for n in (hub, b):
            wait_until(lambda n=n: set(genuine + [stolen]) <= set(n.ids()), WAIT_S,
                       f"C's three alerts at {n.label}")
        wait_until(lambda: stolen in listed(hub, c.key) and stolen in found(hub, "quokkastolen"),
                   WAIT_S, "the thief's alert listed and searchable at the hub before the revocation")
        assert stolen in fed_ids(hub)

        # The thief stays online; A and B revoke C's key after its seq 2 (K = 2).
        revocation = cli("federation", "propose", "revoke", "--data", hub.data, c.key,
                         "--after", "2")[1].strip()
        wait_until(lambda: any(p["id"] == revocation for p in federation_of(b)["pending"]),
                   WAIT_S, "the revocation proposal at B")
        cli("federation", "approve", "--data", b.data, revocation)
        approved = time.monotonic()
        wait_until(lambda: revoked_at(hub, c.key) and revoked_at(b, c.key), WAIT_S,
                   "C's key revoked at A and B")
        for n in (hub, b):
            wait_until(lambda n=n: stolen not in listed(n, c.key), WAIT_S,
                       f"the thief's alert out of {n.label}'s listing")
            assert set(genuine) <= listed(n, c.key), n.label
            wait_until(lambda n=n: not found(n, "quokkastolen"), WAIT_S,
                       f"the thief's alert out of {n.label}'s search")
            assert set(genuine) <= found(n, "zebrafinch"), n.label
            assert stolen not in fed_ids(n) and genuine[1] in fed_ids(n), n.label
            status, _, body = n.request("GET", f"/api/alerts/{stolen}")
            assert status == 410, (n.label, status, body)
            assert n.get_json(f"/api/alerts/{genuine[0]}")["author_name"] == "C"
            assert stolen in n.ids(), "the store keeps the signed bytes"
        print(f"revocation in effect at A and B, the thief's alert out of listings, search and "
              f"feeds {time.monotonic() - approved:.2f} s after the approval")

        # The thief goes on: refused everywhere.
        later = publish(c, "quokkastolen again")
        canary = publish(b, "B after the revocation")
        wait_until(lambda: canary in hub.ids(), WAIT_S, "B's canary at the hub")
        time.sleep(2)
        assert later not in hub.ids() and later not in b.ids()

        # D was away the whole time. It comes back while the thief is offline: it gets C's valid
        # entries from A and B, never the thief's (nobody serves them now).
        c.stop()
        d.start()
        wait_until(lambda: set(genuine) <= set(d.ids()) and revoked_at(d, c.key), WAIT_S,
                   "C's valid entries and the revocation at D")
        wait_until(lambda: canary in d.ids(), WAIT_S, "B's canary at D")
        time.sleep(2)
        assert stolen not in d.ids() and later not in d.ids(), "D received a void entry"
        status, _, _ = d.request("GET", "/api/alerts/" + stolen)
        assert status == 404, status
        for n in (hub, b, d):
            n.stop()
            n.verify()
        print("ok: C's entries up to #2 kept everywhere (D received them after the revocation); "
              "#3 out of listings, search, feeds and serving; #4 refused")
    finally:
        stop_everything()


if __name__ == "__main__":
    main()
