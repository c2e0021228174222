"""What the governance tests share: founding a federation on loopback with the real CLI, nodes
set up by `init --join` alone, and reading a node's federation and store."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import FaultNode, cli, free_port  # noqa: E402


def publish(node, title):
    out = cli("publish", "--data", node.data, "--json", "--lang", "en", "--country", "TN",
              "--category", "press-freedom", "--title", title, "--body", "A body.")[1]
    return json.loads(out)["id"]


def federation_of(node):
    code, out, _ = cli("federation", "show", "--data", node.data, "--json", check=False)
    return json.loads(out) if code == 0 else None


def members(node):
    f = federation_of(node)
    return {m["key"] for m in f["members"]} if f else set()


def holds(node, entry_id):
    return entry_id in node.ids()


def pending_ids(node):
    f = federation_of(node)
    return {p["id"] for p in f["pending"]} if f else set()


def found_federation(hub, others, threshold):
    """`federation create` at the hub (its URL the bootstrap peer) with `others` as founding
    members named by their labels, then `federation join` at each; returns the invitation."""
    hub.port = hub.port or free_port()
    invitation = os.path.join(hub.tmp.name, "invitation.txt")
    cli("federation", "create", "--data", hub.data, "--threshold", str(threshold),
        "--name", "IFEX", "--url", f"ws://127.0.0.1:{hub.port}/gossip", "--out", invitation,
        *sum((["--member", f"{n.key}={n.label}"] for n in others), []))
    for n in others:
        cli("federation", "join", "--data", n.data, "--invitation", invitation,
            "--replace-network-key")
    return invitation


def joined_by_invitation(label, invitation):
    """A node whose whole set-up is `init --join` (FaultNode without its own init)."""
    node = FaultNode.__new__(FaultNode)
    node.tmp = tempfile.TemporaryDirectory(prefix="join-", dir=os.environ.get("IFEX_TEST_TMP"))
    node.data = os.path.join(node.tmp.name, "node")
    cli("init", "--data", node.data, "--name", label, "--join", invitation)
    node.token = open(os.path.join(node.data, "admin.token")).read().strip()
    node.key = json.loads(cli("id", "--data", node.data, "--json")[1])["public_key"]
    node.label, node.log_dir, node.runs, node.log_level = label, node.tmp.name, [], "info"
    node.proc, node.port, node.log = None, None, None
    return node
