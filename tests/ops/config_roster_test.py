"""Issue 11 item 4: `roster add KEY` without --name keeps a member's name (the README's loop
re-adds every key without one); a configuration that lost its essential keys (a file truncated
after [limits], a missing role) is refused with a message naming the key, where the node used to
fall back to the default port without a word."""
import json
import os
import subprocess
import unittest

from ops_support import Node, cli, read, spawn, stop_everything


class RosterNameTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.other = Node(name="member-b", role="member")

    def tearDown(self):
        self.node.close()
        self.other.close()

    def roster(self):
        _, out, _ = cli("roster", "list", "--data", self.node.data, "--json")
        return {m["public_key"]: m["name"] for m in json.loads(out)}

    def test_add_without_name_keeps_the_name(self):
        _, key, _ = cli("id", "--data", self.other.data)
        key = key.split()[0]
        cli("roster", "add", "--data", self.node.data, key, "--name", "NGO B")
        _, out, _ = cli("roster", "add", "--data", self.node.data, key)
        self.assertEqual(self.roster()[key], "NGO B")
        self.assertIn("NGO B", out)
        cli("roster", "add", "--data", self.node.data, key, "--name", "NGO B (Tunis)")
        self.assertEqual(self.roster()[key], "NGO B (Tunis)")


class EssentialConfigKeysTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.config = os.path.join(self.node.data, "ifexnode.toml")
        self.text = read(self.config)

    def tearDown(self):
        stop_everything()
        self.node.close()

    def refused(self, text, key):
        with open(self.config, "w") as f:
            f.write(text)
        # No --listen: the configured address is what is under test. A node that starts anyway
        # is stopped by PID after the bound.
        log = os.path.join(self.node.tmp.name, "run.log")
        run = spawn(["run", "--data", self.node.data], log)
        try:
            code = run.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.fail(f"a config without {key} was accepted: " + read(log))
        self.assertNotEqual(code, 0)
        self.assertIn(key, read(log))
        code, _, err = cli("list", "--data", self.node.data, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn(f"{key} is missing", err)
        self.assertIn(self.config, err)

    def test_truncated_after_limits_is_refused(self):
        cut = self.text.index("[limits]")
        cut = self.text.index("\n\n", cut)  # the end of the [limits] table
        self.refused(self.text[:cut + 1], "network.listen")

    def test_missing_role_is_refused(self):
        lines = [l for l in self.text.split("\n") if not l.startswith("role = ")]
        self.refused("\n".join(lines), "node.role")

    def test_missing_name_is_refused(self):
        lines = [l for l in self.text.split("\n") if not l.startswith("name = ")]
        self.refused("\n".join(lines), "node.name")

    def test_other_keys_default(self):
        # Only the essential keys: the rest take the defaults docs/operations.md lists.
        with open(self.config, "w") as f:
            f.write('[node]\nname = "member-a"\nrole = "member"\n\n'
                    '[network]\nlisten = "127.0.0.1:7400"\n')
        code, out, err = cli("list", "--data", self.node.data, check=False)
        self.assertEqual(code, 0, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
