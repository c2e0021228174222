"""Issue 11, item 7: a node that cannot connect is told why, once, at warn, and counted.

Three real cases against a hub, each with a dialer that retries every 50-200 ms:
  - a node with a different network key (hub and dialer: cause network_key);
  - a node with the right network key whose key is not on the hub's roster (not_welcome);
  - a copy of a member's data directory running next to the original, same identity
    (duplicate_identity).
Each side must count every attempt in /api/status and /metrics, and warn about the cause once
(the same warning per peer at most once a minute) while the attempts go on."""
import os
import re
import shutil
import tempfile

from privacy_nodes import (FaultNode, admin_status, connected, dial, keep, make_node, roster,
                           run_tests, set_config, text_of, wait_until)

ATTEMPTS = 4  # attempts each side must have counted before the warnings are read


def fast_retries(node):
    set_config(node.data, "network", "reconnect_min_ms", 50)
    set_config(node.data, "network", "reconnect_max_ms", 200)


def problems(node):
    return admin_status(node).get("counters", {}).get("connection_problems", {})


def metric(node, cause):
    text = text_of(node, "/metrics", token=node.token)
    m = re.search(r'^ifexnode_connection_problems_total\{cause="%s"\} (\d+)$' % cause, text, re.M)
    return int(m.group(1)) if m else None


def warnings(node, cause):
    return [line for line in node.log_text().splitlines()
            if " warn " in line and f"[{cause}]" in line]


def expect_counted_and_warned_once(node, cause):
    wait_until(lambda: problems(node).get(cause, 0) >= ATTEMPTS, 60,
               f"{node.label} to count {ATTEMPTS} {cause} problems (now {problems(node)})")
    n = metric(node, cause)
    assert n is not None and n >= ATTEMPTS, f"{node.label} /metrics {cause}: {n}"
    lines = warnings(node, cause)
    assert len(lines) == 1, (f"{node.label} warned {len(lines)} times about {cause} "
                             f"(want once):\n" + "\n".join(lines) + "\n" + node.log_text()[-3000:])
    print(f"  {node.label}, {problems(node).get(cause)} counted: {lines[0]}")
    return lines[0]


def test_wrong_network_key():
    hub = make_node("hub", "hub")
    stranger = make_node("stranger")  # its own, different network key
    roster(hub, stranger)
    roster(stranger, hub)
    fast_retries(stranger)
    hub.start()
    dial(stranger, hub)
    stranger.start()
    line = expect_counted_and_warned_once(hub, "network_key")
    assert "network key" in line, line
    line = expect_counted_and_warned_once(stranger, "network_key")
    assert "network key" in line, line


def test_key_not_on_roster():
    hub = make_node("hub", "hub")
    newcomer = make_node("newcomer", network_key=hub.network_key())
    roster(newcomer, hub)  # the hub has not rostered it
    fast_retries(newcomer)
    hub.start()
    dial(newcomer, hub)
    newcomer.start()
    line = expect_counted_and_warned_once(hub, "not_welcome")
    assert "roster" in line, line
    line = expect_counted_and_warned_once(newcomer, "not_welcome")
    assert "roster" in line, line


def clone_of(node, label):
    """A second node object over a copy of `node`'s data directory: the same identity."""
    clone = FaultNode.__new__(FaultNode)
    clone.tmp = tempfile.TemporaryDirectory(prefix="clone-", dir=os.environ.get("IFEX_TEST_TMP"))
    clone.data = os.path.join(clone.tmp.name, "node")
    shutil.copytree(node.data, clone.data)
    clone.token, clone.key, clone.label = node.token, node.key, label
    clone.log_dir, clone.runs, clone.log_level = clone.tmp.name, [], "info"
    clone.proc, clone.port, clone.log = None, None, None
    return keep(clone)


def test_restored_copy_next_to_the_original():
    hub = make_node("hub", "hub")
    member = make_node("member", network_key=hub.network_key())
    roster(hub, member)
    roster(member, hub)
    fast_retries(member)
    hub.start()
    dial(member, hub)
    copy = clone_of(member, "member-copy")
    member.start()
    wait_until(lambda: connected(hub, member), 30, "the member to connect to the hub")
    copy.start()
    line = expect_counted_and_warned_once(hub, "duplicate_identity")
    assert "identity" in line, line
    line = expect_counted_and_warned_once(copy, "duplicate_identity")
    assert "identity" in line, line
    # The original keeps its connection throughout.
    assert connected(hub, member), admin_status(hub)


if __name__ == "__main__":
    run_tests([test_wrong_network_key, test_key_not_on_roster,
               test_restored_copy_next_to_the_original])
