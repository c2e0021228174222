"""A node restored from an old backup never signs over a head the federation already passed
(issue 19, F2).

X publishes #1, is backed up, publishes #2, which Y receives. X's data directory is then put
back from the backup: its store holds #1 only, the federation #1 and #2. Before issue 19, X
published a new "#2" at once: Y refused X's next entry (`prev_mismatch`) and X's log was frozen
everywhere as soon as one node saw both #2s. Now:
  - `publish` (CLI) exits 75 and `POST /api/alerts` answers 503 `publishing is held`, storing
    nothing, until the running node has seen a peer's clock of its own log and fetched #2 back;
  - `publishing release` without --accept-fork-risk refuses, saying what it risks;
  - then X holds the old #2 again, publishes #3 on top of it, and Y stores #3: no fork proof.
Then a snapshot of X's store file is written back in place (a rolled-back snapshot keeps the
inode, so the open cannot tell): the running node holds publishing as soon as Y's clock shows
its own log ahead, and lifts the hold once the entries are back.

Real `ifexnode run` processes on loopback, Python's standard library only."""
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import cli, federation, sample_alert, stop_everything, wait_until  # noqa: E402

WAIT_S = 30


def publish_cli(node, title, check=True):
    return cli("publish", "--data", node.data, "--json", "--lang", "en", "--country", "TN",
               "--category", "press-freedom", "--title", title, "--summary", "A summary.",
               "--body", "A newspaper office was raided.", "--source", "https://example.org/a",
               check=check)


def log_of(node, author):
    """(seq, id) of `author`'s entries, in seq order, as `node`'s store holds them."""
    entries = [e for e in node.entry_list() if e["author"] == author]
    return sorted((e["seq"], e["id"]) for e in entries)


def publishing(node):
    return node.get_json("/api/status")["publishing"]


def frozen_anywhere(*nodes):
    out = []
    for n in nodes:
        for m in n.get_json("/api/status")["members"]:
            if m["frozen"]:
                out.append((n.label, m["key"]))
    return out


def restore(node, backup, keep_inode=False):
    if keep_inode:
        # Rewrite the store's file in place, as a rolled-back snapshot would leave it.
        with open(os.path.join(backup, "store", "data.mdb"), "rb") as src:
            data = src.read()
        with open(os.path.join(node.data, "store", "data.mdb"), "r+b") as dst:
            dst.truncate(0)
            dst.write(data)
        return
    shutil.rmtree(node.data)
    shutil.copytree(backup, node.data)


def main():
    x, y = federation(["X", "Y"])
    try:
        # The history the federation holds: X's #1 and #2, at X and at Y.
        publish_cli(x, "alert 1")
        backup = x.data + ".backup"
        shutil.copytree(x.data, backup)
        publish_cli(x, "alert 2")
        federation_log = log_of(x, x.key)
        assert [s for s, _ in federation_log] == [1, 2]
        y.start()
        cli("peer", "add", "--data", x.data, f"ws://127.0.0.1:{y.port}/gossip", y.key)
        x.start()
        wait_until(lambda: log_of(y, x.key) == federation_log, WAIT_S, "Y to hold X's #1 and #2")
        x.stop()

        # Restored from the backup: #1 only. Nothing may be signed yet, by any path.
        restore(x, backup)
        assert log_of(x, x.key) == federation_log[:1]
        code, out, err = publish_cli(x, "a new #2 that would fork X", check=False)
        assert code == 75, (code, out, err)
        assert "publishing is held" in err and "--accept-fork-risk" in err, err
        assert log_of(x, x.key) == federation_log[:1]
        status = json.loads(cli("publishing", "status", "--data", x.data, "--json")[1])
        assert status["held"] and status["reason"] == "store_copied", status
        code, _, err = cli("publishing", "release", "--data", x.data, check=False)
        assert code == 1 and "frozen everywhere" in err, (code, err)
        assert json.loads(cli("publishing", "status", "--data", x.data, "--json")[1])["held"]

        # Running with its peer down: still held, on the API too.
        y.stop()
        x.start()
        assert publishing(x)["held"]
        code, headers, body = x.publish(sample_alert(2, "restore"))
        assert code == 503 and b"publishing is held" in body, (code, body)
        assert headers.get("retry-after") == "5", headers
        assert log_of(x, x.key) == federation_log[:1]

        # Y comes back: X learns its log is at #2 in the federation, fetches it, and resumes.
        restarted = time.monotonic()
        y.start()
        x.stop()
        cli("peer", "add", "--data", x.data, f"ws://127.0.0.1:{y.port}/gossip", y.key)
        x.start()
        wait_until(lambda: not publishing(x)["held"], WAIT_S, "X to lift its publishing hold")
        print(f"hold lifted {time.monotonic() - restarted:.2f} s after Y restarted")
        assert log_of(x, x.key) == federation_log, (log_of(x, x.key), federation_log)
        assert "publishing resumed" in x.log_text(last=1)

        code, _, body = x.publish(sample_alert(3, "restore"))
        assert code == 201, (code, body)
        third = json.loads(body)
        assert third["seq"] == 3, third
        wait_until(lambda: len(log_of(y, x.key)) == 3, WAIT_S, "Y to store X's #3")
        assert log_of(y, x.key) == log_of(x, x.key)
        assert frozen_anywhere(x, y) == []

        # A restore the open cannot see: a snapshot of the store's file written back in place
        # (the inode, and the inode the store recorded, stay). The running node notices Y's
        # clock is ahead of its own log, holds publishing, and lifts the hold once caught up.
        x.stop()
        snapshot = os.path.join(x.tmp.name, "snapshot")
        os.makedirs(os.path.join(snapshot, "store"))
        shutil.copy(os.path.join(x.data, "store", "data.mdb"), os.path.join(snapshot, "store"))
        x.start()
        code, _, body = x.publish(sample_alert(4, "restore"))
        assert code == 201 and json.loads(body)["seq"] == 4, (code, body)
        wait_until(lambda: len(log_of(y, x.key)) == 4, WAIT_S, "Y to store X's #4")
        before = log_of(x, x.key)
        x.stop()
        restore(x, snapshot, keep_inode=True)
        assert len(log_of(x, x.key)) == 3
        assert not json.loads(cli("publishing", "status", "--data", x.data, "--json")[1])["held"]
        x.start()
        wait_until(lambda: log_of(x, x.key) == before, WAIT_S, "X to fetch its own #4 back")
        wait_until(lambda: not publishing(x)["held"], WAIT_S, "X to lift the hold again")
        log = x.log_text(last=1)
        assert "holds this node's own log up to seq 4" in log, log[-3000:]
        code, _, body = x.publish(sample_alert(5, "restore"))
        assert code == 201 and json.loads(body)["seq"] == 5, (code, body)
        wait_until(lambda: len(log_of(y, x.key)) == 5, WAIT_S, "Y to store X's #5")
        assert frozen_anywhere(x, y) == []
        x.stop()
        y.stop()
        x.verify()
        y.verify()
        print("ok: restored X published nothing until its own log was back; #3 follows the "
              "federation's #2 and #5 its #4, no fork")
    finally:
        stop_everything()


if __name__ == "__main__":
    main()
