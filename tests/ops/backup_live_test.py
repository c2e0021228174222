"""Issue 17: `ifexnode backup` of a node under write load, and `ifexnode restore` of the archive.
A client POSTs alerts to the running node without pause; a backup is taken in the middle of it.
Every alert the node acknowledged (201) before the backup began must be in the restored store,
`verify` must pass on it, the restored node must start and serve those alerts, and it must hold
publishing (a restored store may lack entries its peers hold: docs/operations.md)."""
import json
import os
import stat
import subprocess
import tarfile
import threading
import time
import unittest

from ops_support import BIN, Node, cli, free_port, read, reap, spawn_run, stop_everything, \
    wait_listening, wait_until


def alert(i):
    return {"lang": "en", "title": f"Alert under load {i}", "summary": f"Summary {i}",
            "body": f"Body of alert {i}.", "country": "TN", "categories": ["press-freedom"],
            "event_date": "2024-01-02"}


class Writer(threading.Thread):
    """POSTs alerts one after another until told to stop (bounded by `limit`); keeps, in order,
    the id of every alert the node acknowledged."""

    def __init__(self, node, limit=5000):
        super().__init__(daemon=True)
        self.node, self.limit = node, limit
        self.acked, self.failures = [], []
        self.lock = threading.Lock()
        self.stop_now = threading.Event()

    def run(self):
        for i in range(self.limit):
            if self.stop_now.is_set():
                return
            status, _, body = self.node.publish(alert(i))
            with self.lock:
                if status == 201:
                    self.acked.append(json.loads(body)["id"])
                else:
                    self.failures.append((status, body[:200]))

    def acknowledged(self):
        with self.lock:
            return list(self.acked)


class BackupUnderLoadTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.tmp = self.node.tmp.name

    def tearDown(self):
        stop_everything()
        self.node.close()

    def test_backup_while_writing_keeps_every_acknowledged_alert(self):
        self.node.start()
        writer = Writer(self.node)
        writer.start()
        try:
            wait_until(lambda: len(writer.acknowledged()) >= 40, 60, "40 acknowledged alerts")
            before = writer.acknowledged()  # taken before the backup starts
            archive = os.path.join(self.tmp, "backup.tar")
            _, out, _ = cli("backup", "--data", self.node.data, "--out", archive)
            during = len(writer.acknowledged()) - len(before)
            wait_until(lambda: len(writer.acknowledged()) >= len(before) + during + 10, 60,
                       "writes going on after the backup")
        finally:
            writer.stop_now.set()
            writer.join(timeout=60)
        self.assertEqual(writer.failures, [])
        self.assertIn("backup written", out)
        self.assertEqual(stat.S_IMODE(os.stat(archive).st_mode), 0o600)
        self.assertFalse(os.path.exists(archive + ".tmp"))
        with tarfile.open(archive) as t:  # plain tar, readable by any tool
            members = {m.name: m for m in t.getmembers()}
            archived_key = t.extractfile("identity.key").read()
        for name in ("identity.key", "admin.token", "network.key", "store/data.mdb"):
            self.assertEqual(stat.S_IMODE(members[name].mode), 0o600, name)
        with open(os.path.join(self.node.data, "identity.key"), "rb") as f:
            self.assertEqual(f.read(), archived_key, "the key file must be archived as it is")
        self.node.stop()  # never run the original beside its restored copy (one identity)

        restored = os.path.join(self.tmp, "restored")
        _, out, _ = cli("restore", "--in", archive, "--data", restored)
        self.assertIn("verify: ok:", out)
        self.assertIn("publishing: held", out)
        _, out, _ = cli("verify", "--data", restored)
        self.assertIn("0 faults", out)

        # The restored node holds publishing, exactly as a copied store does today.
        code, _, err = cli("publish", "--data", restored, "--lang", "en", "--country", "TN",
                           "--category", "press-freedom", "--title", "t", "--body", "b",
                           check=False)
        self.assertEqual(code, 75, err)
        self.assertIn("publishing is held", err)

        port = free_port()
        log = os.path.join(self.tmp, "restored.log")
        proc = spawn_run(restored, port, log)
        wait_listening(proc, port, log)
        self.node.port = port
        missing = []
        for alert_id in before:
            status, _, _ = self.node.request("GET", "/api/alerts/" + alert_id)
            if status != 200:
                missing.append(alert_id)
        self.assertEqual(missing, [], "acknowledged before the backup began, missing after restore")
        st = self.node.get_json("/api/status", token=read(os.path.join(restored, "admin.token")).strip())
        self.assertGreaterEqual(st["entries"], len(before))
        self.assertEqual(reap(proc), 0, read(log))


if __name__ == "__main__":
    unittest.main(verbosity=2)
