"""Issue 11, item 11: a member that has not rostered a new member is shown what it lacks.

The hub holds three alerts of a new member N; member M's roster lacks N. Once M connects, M's
/api/status (refused_authors), /metrics (ifexnode_unrostered_entries{author}) and the page's
data say that peers hold 3 entries of N that M refuses. After `roster add` of N, M takes them
and N leaves the list."""
import re

from privacy_nodes import (admin_status, cli, connected, dial, make_node, refused_entry, roster,
                           run_tests, sample_alert, text_of, wait_until)


def fingerprint_of(node):
    st = admin_status(node)
    return st["node"]["fingerprint"]


def test_unrostered_author_is_counted():
    hub = make_node("hub", "hub")
    m = make_node("m", network_key=hub.network_key())
    n = make_node("n", network_key=hub.network_key())
    roster(hub, m, n)
    roster(n, hub)
    roster(m, hub)  # not n: the member that has not caught up with the roster
    hub.start()
    n.start()
    dial(n, hub)
    for i in range(3):
        assert n.publish(sample_alert(i, "new-member"))[0] == 201
    wait_until(lambda: admin_status(hub).get("entries", 0) >= 3, 60, "n's alerts at the hub")
    fp_n = fingerprint_of(n)

    m.start()
    dial(m, hub)
    wait_until(lambda: connected(m, hub), 30, "m to connect to the hub")
    a = wait_until(lambda: refused_entry(m, n.key), 30, "m to list n as refused")
    assert a["entries_offered"] == 3 and a["fingerprint"] == fp_n, a
    public = m.get_json("/api/status")
    assert any(x.get("key") == n.key for x in public["refused_authors"]["authors"]), public
    metrics = text_of(m, "/metrics")
    line = re.search(r'^ifexnode_unrostered_entries\{author="%s"\} (\d+)$' % re.escape(fp_n),
                     metrics, re.M)
    assert line and int(line.group(1)) == 3, metrics

    cli("roster", "add", "--data", m.data, n.key, "--name", "n")
    wait_until(lambda: refused_entry(m, n.key) is None, 30, "n to leave m's refused list")
    # The roster change reaches the hub in m's next clock, and n's alerts follow.
    wait_until(lambda: admin_status(m).get("entries", 0) >= 3, 60, "n's alerts at m")


if __name__ == "__main__":
    run_tests([test_unrostered_author_is_counted])
