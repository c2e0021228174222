"""Reserved entry kinds replicate like any entry (issue 12, docs/protocol.md "Kinds").

Node A's own log mixes alerts with entries of every reserved kind (update, retract, endorse,
roster, key), signed with A's real key by the test-only tests/kinds/sign_kind_entries. Real
`ifexnode run` processes on loopback: B dials A, C dials B, so what C holds went through B.
Checked: B and C store every entry of A's log (same ids, kinds and clocks as A, `verify` passes);
an alert published on A after the reserved entries reaches C (the log is not blocked at the first
reserved entry); a bundle exported from B holds them and imports whole into a fresh node D; and
the listings, search and feed of C show the alerts only, while `list` and `show` name the
reserved entries by kind without reading their payloads.

Before issue 12 a node refused kinds 2-6 over gossip (the whole message refused, the peer
disconnected) and in bundles (`unsupported_kind`): B stored nothing past A's first reserved entry
and this test fails at the first wait."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import FaultNode, cli, federation, stop_everything, wait_until  # noqa: E402

SIGN = os.environ.get("IFEX_SIGN_KIND_BIN", "sign_kind_entries")
RESERVED = ["update", "retract", "endorse", "roster", "key"]
WAIT_S = 60


def publish(node, title):
    out = cli("publish", "--data", node.data, "--json", "--lang", "en", "--country", "TN",
              "--category", "press-freedom", "--title", title, "--summary", "A summary.",
              "--body", "A newspaper office was raided and its servers seized.",
              "--source", "https://example.org/a")[1]
    return json.loads(out)["id"]


def sign_reserved(node, kind):
    # The payload holds words the alerts hold too: a search that read it would find it.
    done = subprocess.run([SIGN, "--data", node.data, "--kind", kind, "--payload",
                           f"opaque {kind} payload: newspaper raided"],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"sign_kind_entries {kind} failed: {done.stderr}")
    entry_id, seq, name = done.stdout.split()
    assert name == kind, done.stdout
    return entry_id


def chain(node):
    """{id: (author, seq, kind)} of every entry `list` shows."""
    return {e["id"]: (e["author"], e["seq"], e["kind"]) for e in node.entry_list()}


def clocks(node):
    out = cli("status", "--data", node.data, "--json", check=False)[1]
    return {c["author"]: c["seq"] for c in json.loads(out)["clocks"]}


def holds(node, ids):
    return set(ids) <= set(node.ids())


def main():
    a, b, c = federation(["A", "B", "C"])
    d = FaultNode("D", network_key=a.network_key())
    cli("roster", "add", "--data", d.data, a.key, "--name", "A")
    try:
        # A's log: alert, update, alert, retract, endorse, alert, roster, key, alert.
        alerts, reserved = [], {}
        alerts.append(publish(a, "kinds alert 1"))
        reserved["update"] = sign_reserved(a, "update")
        alerts.append(publish(a, "kinds alert 2"))
        reserved["retract"] = sign_reserved(a, "retract")
        reserved["endorse"] = sign_reserved(a, "endorse")
        alerts.append(publish(a, "kinds alert 3"))
        reserved["roster"] = sign_reserved(a, "roster")
        reserved["key"] = sign_reserved(a, "key")
        alerts.append(publish(a, "kinds alert 4"))
        a_chain = chain(a)
        assert len(a_chain) == 9, a_chain
        assert sorted(k for (_, _, k) in a_chain.values()) == sorted(["alert"] * 4 + RESERVED)

        for n in (a, b, c):
            n.start()
        cli("peer", "add", "--data", b.data, f"ws://127.0.0.1:{a.port}/gossip", a.key)
        cli("peer", "add", "--data", c.data, f"ws://127.0.0.1:{b.port}/gossip", b.key)

        for n in (b, c):
            wait_until(lambda: holds(n, a_chain), WAIT_S,
                       f"{n.label} to store all of A's 9 entries (4 alerts, 5 reserved)")
        for n in (b, c):
            got = {i: v for i, v in chain(n).items() if i in a_chain}
            assert got == a_chain, f"{n.label} holds {got}, A {a_chain}"
            assert clocks(n)[a.key] == 9, clocks(n)
            n.verify()
        print("  B and C store A's 9 entries (5 reserved kinds); verify passes", flush=True)

        # An alert after the reserved entries: the log goes on.
        late = publish(a, "kinds alert 5, after the reserved ones")
        alerts.append(late)
        wait_until(lambda: holds(c, [late]), WAIT_S, "C to receive the alert published last")
        for n in (a, b, c):
            wait_until(lambda: clocks(n).get(a.key) == 10, WAIT_S, f"{n.label}'s clock of A at 10")
        print("  the alert published after them reaches C", flush=True)

        # Bundle from B into a fresh node.
        bundle = os.path.join(b.tmp.name, "b.bundle")
        exported = json.loads(cli("export", "--data", b.data, "--out", bundle, "--json")[1])
        assert exported["entries"] >= 10, exported
        report = json.loads(cli("import", "--data", d.data, bundle, "--json")[1])
        assert not report.get("rejected"), report
        d_chain = chain(d)
        for entry_id in list(a_chain) + [late]:
            assert entry_id in d_chain, f"{entry_id} missing at D after import: {report}"
        assert sorted(k for (au, _, k) in d_chain.values() if au == a.key) == \
            sorted(["alert"] * 5 + RESERVED)
        assert clocks(d)[a.key] == 10
        d.verify()
        print(f"  B's bundle ({exported['entries']} entries) imports whole into D", flush=True)

        # Listings, search and feed of C: alerts only. `list`/`show` name the kinds, no payload.
        # `indexed` in /api/status counts the catalog's alerts, so it stays below `entries` here:
        # wait for the alerts themselves instead.
        def listed_ids():
            return {x["id"] for x in c.get_json("/api/alerts?limit=100")["alerts"]}

        def hit_ids():
            out = cli("search", "--data", c.data, "newspaper", "--json", "--limit", "100")[1]
            return {h["id"] for h in json.loads(out)["results"]}

        wait_until(lambda: set(alerts) <= listed_ids(), WAIT_S, "C to list the 5 alerts")
        wait_until(lambda: set(alerts) <= hit_ids(), WAIT_S, "C's search to find the 5 alerts")
        time.sleep(1)  # one more indexing round: nothing else may appear
        assert listed_ids() == set(alerts), (alerts, listed_ids())
        for entry_id in reserved.values():
            c.get_json(f"/api/alerts/{entry_id}", expect=404)
        hits = hit_ids()
        assert hits == set(alerts), (alerts, hits)
        status, _, feed = c.request("GET", "/feed.atom")
        assert status == 200
        feed = feed.decode()
        for entry_id in alerts:
            assert entry_id in feed, f"alert {entry_id} not in the feed"
        for entry_id in reserved.values():
            assert entry_id not in feed, f"reserved entry {entry_id} in the feed"
        for kind, entry_id in reserved.items():
            shown = json.loads(cli("show", "--data", c.data, entry_id, "--json")[1])
            assert shown["kind"] == kind and "alert" not in shown and "title" not in shown, shown
            text = cli("show", "--data", c.data, entry_id)[1]
            assert f"kind:     {kind}" in text and "opaque" not in text, text
        print("  C's listings, search and feed show the 5 alerts only", flush=True)
    finally:
        stop_everything()
    print("reserved_kinds_test: ok")


if __name__ == "__main__":
    main()
