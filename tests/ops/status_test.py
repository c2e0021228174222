"""Issue 11 item 13: `ifexnode status` exits 3 when the node is not running (LSB's "program is
not running"; docs/operations.md), 0 when it runs, and prints the counters one `name: value` a
line; `--json` keeps the raw form."""
import json
import os
import re
import unittest

from ops_support import Node, cli, free_port, reap, spawn_run, stop_everything, wait_listening, \
    wait_until

NOT_RUNNING = 3


class StatusTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")

    def tearDown(self):
        stop_everything()
        self.node.close()

    def test_stopped_node_exits_3(self):
        code, out, err = cli("status", "--data", self.node.data, check=False)
        self.assertEqual(code, NOT_RUNNING, out + err)
        self.assertIn("not running", out)
        code, out, _ = cli("status", "--data", self.node.data, "--json", check=False)
        self.assertEqual(code, NOT_RUNNING)
        self.assertFalse(json.loads(out)["running"])

    def test_running_node_prints_counters_readably(self):
        port = free_port()
        log = os.path.join(self.node.tmp.name, "run.log")
        proc = spawn_run(self.node.data, port, log)
        wait_listening(proc, port, log)
        status_file = os.path.join(self.node.data, "status.json")
        wait_until(lambda: os.path.exists(status_file), 10, "status.json")

        code, out, err = cli("status", "--data", self.node.data, check=False)
        self.assertEqual(code, 0, out + err)
        self.assertIn(" running", out)
        self.assertNotIn("{", out, "counters printed as raw JSON")
        lines = out.split("\n")
        start = lines.index("counters:")
        counters = [l for l in lines[start + 1:] if l.startswith("  ")]
        self.assertGreater(len(counters), 10)
        for line in counters:
            self.assertRegex(line, r"^  [a-z_]+(\.[a-z_]+)?: +\d+$")  # a group flattened: group.name
        # Aligned: every value starts in the same column.
        self.assertEqual(len({re.search(r": +", l).end() for l in counters}), 1, counters)
        self.assertTrue(any(re.match(r"^  entries_received: +0$", l) for l in counters))

        code, out, _ = cli("status", "--data", self.node.data, "--json", check=False)
        self.assertEqual(code, 0)
        raw = json.loads(out)
        self.assertTrue(raw["running"])
        self.assertEqual(raw["counters"]["entries_received"], 0)
        self.assertEqual(reap(proc), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
