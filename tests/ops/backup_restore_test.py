"""Issue 11 item 3: the backup and restore of docs/operations.md, run literally. The shell blocks
of its "Backup and restore" section are taken from the document and run with bash (only the
paths /var/lib/ifexnode and /backup are swapped for temporary ones): back up a running node with
alerts, restore into a new data dir, `verify` passes, `run` starts and serves every alert."""
import json
import os
import re
import subprocess
import unittest

from ops_support import BIN, Node, free_port, publish, read, reap, spawn_run, stop_everything, \
    wait_listening

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OPERATIONS = os.path.join(ROOT, "docs", "operations.md")


def section_blocks(path, heading):
    """The ```sh blocks of the `## heading` section of a markdown file, in order."""
    text = read(path)
    start = text.index("\n## " + heading + "\n")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end >= 0 else len(text)]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


class BackupRestoreTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.tmp = self.node.tmp.name
        self.bin_dir = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin_dir)
        os.symlink(os.path.abspath(BIN), os.path.join(self.bin_dir, "ifexnode"))

    def tearDown(self):
        stop_everything()
        self.node.close()

    def run_block(self, block, data, backup):
        for path in ("/var/lib/ifexnode", "/backup"):
            self.assertIn(path, block, "the documented commands changed shape; update this test")
        script = block.replace("/var/lib/ifexnode", data).replace("/backup", backup)
        env = dict(os.environ, PATH=self.bin_dir + os.pathsep + os.environ["PATH"])
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0,
                         f"the documented commands failed:\n{script}\n{done.stdout}{done.stderr}")
        return done.stdout

    def test_documented_backup_restores_a_working_node(self):
        blocks = section_blocks(OPERATIONS, "Backup and restore")
        source = self.node.data
        ids = [publish(source, f"alert {i} before the backup") for i in range(5)]
        port = free_port()
        log = os.path.join(self.tmp, "source.log")
        running = spawn_run(source, port, log)
        wait_listening(running, port, log)

        backup = os.path.join(self.tmp, "backup")
        self.run_block(blocks[0], source, backup)  # a hot copy, the node running
        self.assertEqual(len(blocks), 2, "expected a backup block and a restore block")
        restore_block = blocks[1]
        self.assertEqual(reap(running), 0)  # the original stops: never run both (one identity)

        restored = os.path.join(self.tmp, "restored")
        out = self.run_block(restore_block, restored, backup)
        self.assertIn("ok: 5 entries", out)
        for name in ("identity.key", "network.key", "ifexnode.toml", "admin.token"):
            self.assertEqual(read(os.path.join(restored, name)), read(os.path.join(source, name)),
                             name + " was not restored")
            self.assertEqual(os.stat(os.path.join(restored, name)).st_mode,
                             os.stat(os.path.join(source, name)).st_mode,
                             name + " lost its mode (0600 for secrets) in the restore")

        port = free_port()
        log = os.path.join(self.tmp, "restored.log")
        proc = spawn_run(restored, port, log)
        wait_listening(proc, port, log)
        token = read(os.path.join(restored, "admin.token")).strip()
        self.node.port = port
        for alert_id in ids:
            status, _, body = self.node.request("GET", "/api/alerts/" + alert_id, token=token)
            self.assertEqual(status, 200, body[:200])
            self.assertEqual(json.loads(body)["id"], alert_id)
        self.assertEqual(reap(proc), 0, read(log))


if __name__ == "__main__":
    unittest.main(verbosity=2)
