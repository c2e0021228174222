"""`federation propose revoke KEY --after N` with real `ifexnode run` processes (issue 13).

Hub A founds a federation of four (A-D) with K = 2. C's key is "stolen": C's node signs on
after what C itself published. The members revoke C's key after C's last genuine entry:
  - C's entries up to N stay: listed, searched, fed and served everywhere, and a node that was
    away (D) still receives them after the revocation, from nodes that know it;
  - C's entries after N that were already stored (the thief's, accepted before the revocation)
    are no longer listed, searched or fed: GET answers 410;
  - C's node is no longer welcome: what the thief signs next reaches nobody;
  - C's entries after N up to N + 64 (the margin of an ended log) are carried (brought to A in
    a bundle, then to D when it comes back) and shown to no reader; beyond the margin, refused;
  - the stores keep every signed byte (the log stays complete): `verify` passes everywhere.
Before this slice the thief's entries stayed listed and searchable at every node that held
them, and nodes went on serving them."""
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import FaultNode, cli, stop_everything, wait_until  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from governance_support import federation_of, found_federation, publish  # noqa: E402

WAIT_S = 60
# C's log ends after seq 2; nodes carry it up to 2 + ended_log_margin (64).
MARGIN_END = 2 + 64


def revoked_at(node, key):
    f = federation_of(node)
    return bool(f) and any(r["key"] == key for r in f.get("revoked", []))


def listed(node, author):
    q = urllib.parse.urlencode({"author": author, "limit": 100})
    return {a["id"] for a in node.get_json(f"/api/alerts?{q}")["alerts"]}


def found(node, word):
    q = urllib.parse.urlencode({"q": word})
    return {r["id"] for r in node.get_json(f"/api/search?{q}")["results"]}


def counted(node, author):
    """(total, exact) of C's alerts in the listing, and the author facet of the whole archive
    and of a search for the thief's word: void alerts must not be counted (issue 18)."""
    q = urllib.parse.urlencode({"author": author, "limit": 100})
    page = node.get_json(f"/api/alerts?{q}")
    whole = node.get_json("/api/alerts?limit=1")
    in_facet = {e["value"]: e["count"] for e in whole["facets"]["author"]}.get(author, 0)
    searched = node.get_json("/api/search?" + urllib.parse.urlencode({"q": "quokkastolen"}))
    exact = page["total_exact"] and whole["total_exact"] and searched["total_exact"]
    return page["total"], in_facet, searched["total"], exact


def fed_ids(node):
    status, _, body = node.request("GET", "/feed.atom")
    assert status == 200, status
    return body.decode()


def main():
    hub = FaultNode("A", "hub")
    b, c, d = FaultNode("B"), FaultNode("C"), FaultNode("D")
    everyone = [hub, b, c, d]
    try:
        invitation = found_federation(hub, (b, c, d), 2)
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
            # Counts become exact once the indexer has carried the revocation out; then they
            # count what is listed and nothing void.
            wait_until(lambda n=n: counted(n, c.key)[3], WAIT_S, f"exact counts at {n.label}")
            shown = len(listed(n, c.key))
            assert counted(n, c.key) == (shown, shown, 0, True), (n.label, counted(n, c.key))
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

        # The thief goes on: its node is no longer welcome anywhere (not a member), so its next
        # entry reaches nobody.
        later = publish(c, "quokkastolen again")
        canary = publish(b, "B after the revocation")
        wait_until(lambda: canary in hub.ids(), WAIT_S, "B's canary at the hub")
        time.sleep(2)
        assert later not in hub.ids() and later not in b.ids()

        # By hand (a bundle): entries after the end are carried up to the margin
        # (docs/protocol.md, "Ended logs": 64, so that nodes that got them before and after the
        # revocation hold the same set), void for readers; beyond the margin, refused. C's log
        # is filled to seq 67, one past 2 + 64, and carried to A as a bundle.
        filler = os.path.join(os.path.dirname(c.data), "thief.jsonl")
        with open(filler, "w") as out:
            for seq in range(5, MARGIN_END + 2):
                out.write(json.dumps({
                    "legacy_id": f"thief-{seq}", "date": "2020-01-01", "country": "TN",
                    "lang": "en", "categories": ["press-freedom"],
                    "title": f"quokkastolen filler {seq}", "summary": "s", "body": "b"}) + "\n")
        cli("import-archive", "--data", c.data, filler)
        c.stop()
        seqs = {e["seq"]: e["id"] for e in c.entry_list() if e["author"] == c.key}
        assert max(seqs) == MARGIN_END + 1, max(seqs)
        last_carried, past = seqs[MARGIN_END], seqs[MARGIN_END + 1]
        bundle = os.path.join(os.path.dirname(c.data), "thief.bundle")
        cli("export", "--data", c.data, "--out", bundle, "--author", c.key)
        hub.stop()
        code, out, err = cli("import", "--data", hub.data, bundle, "--json", check=False)
        report = json.loads(out)
        assert code != 0, "the import took an entry beyond the margin"
        rejected = [(r.get("seq"), r.get("code")) for r in report["rejected"]]
        assert rejected == [(MARGIN_END + 1, "revoked")], rejected
        hub.start()
        ids = set(hub.ids())
        assert {later, last_carried} <= ids and past not in ids
        for void in (later, last_carried):
            status, _, _ = hub.request("GET", "/api/alerts/" + void)
            assert status == 410, status
        wait_until(lambda: listed(hub, c.key) == set(genuine), WAIT_S,
                   "only C's valid entries listed at A")
        assert not found(hub, "quokkastolen")

        # D was away the whole time. It comes back while the thief is offline: it gets C's valid
        # entries and the carried ones from A, never one beyond the margin, and shows none of
        # the void ones.
        d.start()
        wait_until(lambda: set(genuine) <= set(d.ids()) and revoked_at(d, c.key), WAIT_S,
                   "C's valid entries and the revocation at D")
        wait_until(lambda: canary in d.ids() and last_carried in d.ids(), WAIT_S,
                   "B's canary and the carried entries at D")
        assert past not in d.ids(), "D received an entry beyond the margin"
        for void in (stolen, later, last_carried):
            status, _, _ = d.request("GET", "/api/alerts/" + void)
            assert status == 410, status
        wait_until(lambda: listed(d, c.key) == set(genuine), WAIT_S,
                   "only C's valid entries listed at D")
        assert not found(d, "quokkastolen")
        for n in (hub, b, d):
            n.stop()
            n.verify()
        print("ok: C's entries up to #2 kept everywhere (D received them after the revocation); "
              f"#3 to #{MARGIN_END} carried but out of listings, search, feeds and GET; "
              f"#{MARGIN_END + 1} refused")
    finally:
        stop_everything()


if __name__ == "__main__":
    main()
