"""A hub and members as real `ifexnode run` processes for the privacy tests, built on
tests/faults/fault_node.py (every process stopped by PID, loopback only, every wait bounded)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import (FaultNode, cli, sample_alert, set_config,  # noqa: E402,F401
                        stop_everything, wait_until)


# Nodes of the running test: kept alive until their processes are stopped, so that no data
# directory is deleted under a running node when a test function returns.
_nodes = []


def keep(node):
    _nodes.append(node)
    return node


def make_node(name, role="member", network_key=None):
    node = FaultNode(name, role, network_key=network_key)
    node.log_level = "info"  # what an operator sees
    return keep(node)


def roster(node, *others):
    for other in others:
        cli("roster", "add", "--data", node.data, other.key, "--name", other.label)


def dial(node, target):
    cli("peer", "add", "--data", node.data, f"ws://127.0.0.1:{target.port}/gossip", target.key)


def admin_status(node):
    return node.get_json("/api/status", token=node.token)


def peer_entry(status, key):
    for p in status.get("peers", []):
        if key in (p.get("key"), p.get("public_key")):
            return p
    return None


def refused_entry(node, key):
    """`key`'s row in `node`'s refused_authors (admin status), or None."""
    for a in admin_status(node).get("refused_authors", {}).get("authors", []):
        if a.get("key") == key:
            return a
    return None


def connected(node, other):
    p = peer_entry(admin_status(node), other.key)
    return p if p and p.get("connected") else None


def text_of(node, path, token=None):
    status, _, body = node.request("GET", path, token=token)
    if status != 200:
        raise AssertionError(f"GET {path}: {status}: {body[:300]!r}")
    return body.decode()


def run_tests(tests):
    """Runs each test function; stops every process whatever happens; exit code 1 on failure."""
    failed = 0
    try:
        for test in tests:
            print(f"--- {test.__name__}", flush=True)
            try:
                test()
                print(f"ok {test.__name__}", flush=True)
            except Exception as e:  # noqa: BLE001: report and go on to the next test
                failed += 1
                print(f"FAILED {test.__name__}: {e}", flush=True)
            finally:
                stop_everything()
                _nodes.clear()
    finally:
        stop_everything()
    print(f"{len(tests) - failed} of {len(tests)} passed")
    sys.exit(1 if failed else 0)


def as_json(text):
    return json.loads(text)
