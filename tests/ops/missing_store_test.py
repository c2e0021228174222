"""Issue 11 item 2: commands on a data dir whose store is missing or empty. Today `verify` said
`ok: 0 entries`, exited 0 and created an empty store, and `run` or `publish` would have started
this node's log again from seq 0 (a fork of its own log at the first publish). Every command but
`init` must refuse, with a message naming the store, and must not create it."""
import os
import shutil
import unittest

from ops_support import Node, cli, free_port, publish


class MissingStoreTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.data = self.node.data
        self.store = os.path.join(self.data, "store")
        self.alert_id = publish(self.data, "an alert that must not be lost")

    def tearDown(self):
        self.node.close()

    def commands(self):
        d = self.data
        out = os.path.join(self.node.tmp.name, "out.bundle")
        return [["verify", "--data", d], ["verify", "--data", d, "--json"],
                ["list", "--data", d], ["show", "--data", d, self.alert_id],
                ["status", "--data", d], ["search", "--data", d, "alert"],
                ["export", "--data", d, "--out", out], ["roster", "list", "--data", d],
                ["peer", "list", "--data", d],
                ["publish", "--data", d, "--lang", "en", "--country", "TN", "--category",
                 "press-freedom", "--title", "t", "--body", "b"],
                ["run", "--data", d, "--listen", f"127.0.0.1:{free_port()}"]]

    def check_refused(self, what):
        for args in self.commands():
            with self.subTest(command=" ".join(args[:2]), store=what):
                code, out, err = cli(*args, check=False, timeout=20)
                self.assertNotEqual(code, 0, f"{args[0]} accepted a {what} store: {out}{err}")
                self.assertIn(self.store, err)
                self.assertIn(what, err)
                self.assertNotIn("ok:", out)

    def test_missing_store_is_an_error_and_not_created(self):
        shutil.move(self.store, self.store + ".elsewhere")
        self.check_refused("missing")
        self.assertFalse(os.path.exists(self.store), "a command created a store")

    def test_empty_store_directory_is_an_error(self):
        shutil.move(self.store, self.store + ".elsewhere")
        os.mkdir(self.store)
        self.check_refused("missing")
        self.assertEqual(os.listdir(self.store), [], "a command created a store")

    def test_empty_data_file_is_an_error(self):
        shutil.move(self.store, self.store + ".elsewhere")
        os.mkdir(self.store)
        open(os.path.join(self.store, "data.mdb"), "wb").close()
        self.check_refused("empty")
        self.assertEqual(os.path.getsize(os.path.join(self.store, "data.mdb")), 0)

    def test_a_sound_store_still_opens(self):
        _, out, _ = cli("verify", "--data", self.data)
        self.assertIn("ok: 1 entries", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
