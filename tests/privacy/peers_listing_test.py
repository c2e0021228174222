"""Issue 11, item 10: /api/status peers as docs/http-api.md documents them (key, name from the
roster, state), and a member whose node stops stays listed, "down", with when it was last seen.

A hub dials member "alpha" (a configured peer); member "beta" dials the hub (the hub has no peer
entry for it). Both connected, then both stopped: the hub's API (with and without the token) and
`ifexnode status` must still list both by name, down since a time, last seen at a time."""
from privacy_nodes import (admin_status, cli, connected, dial, make_node, peer_entry, roster,
                           run_tests, wait_until)


def down(node, other):
    p = peer_entry(admin_status(node), other.key)
    return p if p and p.get("state") == "down" and not p.get("connected") else None


def test_peers_named_and_kept_when_down():
    hub = make_node("hub", "hub")
    alpha = make_node("alpha", network_key=hub.network_key())
    beta = make_node("beta", network_key=hub.network_key())
    roster(hub, alpha, beta)
    roster(alpha, hub)
    roster(beta, hub)
    hub.start()
    alpha.start()
    beta.start()
    dial(hub, alpha)
    dial(beta, hub)
    for m in (alpha, beta):
        wait_until(lambda: connected(hub, m), 30, f"{m.label} to connect to the hub")

    for view in (admin_status(hub), hub.get_json("/api/status")):
        for m in (alpha, beta):
            p = peer_entry(view, m.key)
            assert p is not None, f"{m.label} is not listed: {view['peers']}"
            assert p.get("key") == m.key and p.get("name") == m.label, p
            assert p.get("state") == "up" and p.get("since"), p
    out = cli("status", "--data", hub.data)[1]
    assert "alpha" in out and "beta" in out, f"`status` lacks the names:\n{out}"

    alpha.stop()
    beta.stop()
    for m in (alpha, beta):
        wait_until(lambda: down(hub, m), 60, f"the hub to see {m.label} down")
    for view in (admin_status(hub), hub.get_json("/api/status")):
        for m in (alpha, beta):
            p = peer_entry(view, m.key)
            assert p is not None, f"{m.label} vanished from the peers once down: {view['peers']}"
            assert p.get("name") == m.label and p.get("state") == "down", p
            assert p.get("down_since") and p.get("last_seen"), p
    assert peer_entry(admin_status(hub), alpha.key).get("configured") is True
    assert peer_entry(admin_status(hub), beta.key).get("configured") is False
    out = cli("status", "--data", hub.data)[1]
    assert "alpha" in out and "beta" in out and "last seen" in out, f"`status`:\n{out}"


if __name__ == "__main__":
    run_tests([test_peers_named_and_kept_when_down])
