"""A holder of the network key can neither read a relay's archive nor fill it with junk
(issue 19, F3).

The network key leaks with any seized member device. Relay R carries member M's 20 alerts and
accepts connections from any node of the network (`accept_unknown_peers`, a relay's default).
J is such a node: a throwaway identity with the network key, on nobody's roster and no peer of
R's, holding 20 entries of its own and asking for M's. Before issue 19, R sent J all of M's
alerts over gossip (whatever `public_reads` said) and stored J's 20 entries. Now:
  - R stores none of J's entries (a relay stores its roster's authors only) and reports them
    as refused;
  - R serves J nothing: no catch-up, no pushes (a new alert of M's does not reach J either);
  - M, on R's roster, still gets everything R holds, and with `serve_unknown_peers = true` the
    operator can open R to unknown nodes again (J then gets M's alerts, never the other way).

Real `ifexnode run` processes on loopback, Python's standard library only."""
import time

from privacy_nodes import (admin_status, cli, connected, dial, make_node, refused_entry, roster,
                           run_tests, sample_alert, set_config, wait_until)

ALERTS = 20


def entries_by(node, author):
    return [e for e in node.entry_list() if e["author"] == author]


def test_unknown_node_neither_reads_nor_bloats_a_relay():
    m = make_node("m")
    relay = make_node("relay", "relay", network_key=m.network_key())
    j = make_node("j", network_key=m.network_key())
    roster(relay, m)
    roster(j, m)  # J wants M's alerts; R knows nothing of J
    for i in range(ALERTS):
        cli("publish", "--data", m.data, "--lang", "en", "--country", "TN", "--category",
            "press-freedom", "--title", f"member alert {i}", "--body", "A body.")
        cli("publish", "--data", j.data, "--lang", "en", "--country", "TN", "--category",
            "press-freedom", "--title", f"junk {i}", "--body", "Junk.")
    relay.start()
    m.start()
    dial(m, relay)
    wait_until(lambda: len(entries_by(relay, m.key)) == ALERTS, 60, "M's alerts at the relay")

    j.start()
    dial(j, relay)
    wait_until(lambda: connected(relay, j), 30, "J to connect to the relay")
    # J's clock has reached the relay once its head shows among the refused authors.
    offered = wait_until(lambda: refused_entry(relay, j.key), 30, "J's log among the refused")
    assert offered["entries_offered"] >= ALERTS, offered
    # A live alert of M's goes to the relay, not on to J.
    assert m.publish(sample_alert(ALERTS, "live"))[0] == 201
    wait_until(lambda: len(entries_by(relay, m.key)) == ALERTS + 1, 30, "M's live alert")
    time.sleep(3)  # what catch-up, a push or a note would have brought J meanwhile
    assert entries_by(j, m.key) == [], "the relay served an unknown node"
    assert entries_by(relay, j.key) == [], "the relay stored a junk author's entries"
    assert admin_status(relay)["entries"] == ALERTS + 1
    relay.stop()
    relay.verify()

    # The operator opens the relay to unknown nodes: J reads, still cannot write junk.
    set_config(relay.data, "network", "serve_unknown_peers", True)
    relay.start()
    j.stop()
    dial(j, relay)
    j.start()
    wait_until(lambda: len(entries_by(j, m.key)) == ALERTS + 1, 60, "M's alerts at J")
    assert entries_by(relay, j.key) == []
    print(f"unknown node: 0 of {ALERTS + 1} alerts read, 0 of {ALERTS} junk entries stored; "
          f"with serve_unknown_peers: {ALERTS + 1} read")


if __name__ == "__main__":
    run_tests([test_unknown_node_neither_reads_nor_bloats_a_relay])
