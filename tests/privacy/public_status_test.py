"""Issue 11, item 5: a public hub must not publish where its members connect from.

A hub and a member, each dialing the other, connected. Without the admin token, /api/status,
/metrics and the feed must hold no loopback address, no port of the member (its listening port
and the port of each connection), no URL the hub dials, no pid and no data path. With the admin
token /api/status must hold them (so the test sees they exist to be hidden)."""
import re

from privacy_nodes import (admin_status, connected, dial, make_node, peer_entry, roster,
                           run_tests, sample_alert, text_of, wait_until)


def secrets_of_place(hub, member, full):
    """The strings a public reader must not see, taken from the admin view."""
    words = {"127.0.0.1", "ws://", hub.data, member.data}
    numbers = {str(member.port), str(hub.proc.pid)}
    p = peer_entry(full, member.key)
    if p and p.get("address"):
        numbers.add(p["address"].rsplit(":", 1)[1])
    return words, numbers


def leaks(text, words, numbers):
    found = [w for w in words if w in text]
    found += [n for n in numbers if re.search(r"(?<![0-9])%s(?![0-9])" % re.escape(n), text)]
    return found


def test_public_reads_hide_members_places():
    hub = make_node("hub", "hub")
    member = make_node("member", network_key=hub.network_key())
    roster(hub, member)
    roster(member, hub)
    hub.start()
    member.start()
    dial(hub, member)
    dial(member, hub)
    wait_until(lambda: connected(hub, member), 30, "the hub to connect to the member")
    assert member.publish(sample_alert(1, "privacy"))[0] == 201
    wait_until(lambda: admin_status(hub).get("entries", 0) >= 1, 30, "the alert at the hub")

    full = admin_status(hub)
    words, numbers = secrets_of_place(hub, member, full)
    full_text = text_of(hub, "/api/status", token=hub.token)
    # With the token they are there: the address of the connection, the URL dialed, the pid.
    must_show = ["127.0.0.1", "ws://", str(member.port), str(hub.proc.pid)]
    missing = [w for w in must_show if w not in full_text]
    assert not missing, f"the admin view lacks {missing}: {full_text}"

    for path in ("/api/status", "/metrics", "/feed.atom", "/api/alerts"):
        text = text_of(hub, path)
        # The feed names the hub itself by the Host the reader used: that is not a member's place.
        w = words - {"127.0.0.1"} if path == "/feed.atom" else words
        found = leaks(text, w, numbers)
        assert not found, f"public {path} shows {found}:\n{text[:2000]}"
    pub = hub.get_json("/api/status")
    assert "pid" not in pub and "listen" not in pub, pub
    p = peer_entry(pub, member.key)
    assert p is not None and p.get("connected") is True, f"the public view lost the peer: {pub}"
    for field in ("address", "urls", "last_error"):
        assert field not in p, f"public peer shows {field}: {p}"
    # The metrics never carry addresses, even to the admin.
    found = leaks(text_of(hub, "/metrics", token=hub.token), words, numbers)
    assert not found, f"/metrics with the token shows {found}"


if __name__ == "__main__":
    run_tests([test_public_reads_hide_members_places])
