"""Issue 17: the data directory's format version. A directory made before the `format` file
existed (tests/fixtures/datadir-format1.tar.gz, written by an earlier ifexnode) is opened,
migrated in place and served by this binary with every alert, its search index and its
encrypted key intact; a directory a newer ifexnode wrote is refused by every command before it
reads or writes anything; a directory that is no node gains no `format` file."""
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import unittest
import urllib.parse
import urllib.request

from ops_support import cli, free_port, read, reap, spawn_run, stop_everything, wait_listening

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
MANIFEST = json.load(open(os.path.join(FIXTURES, "datadir-format1.json"), encoding="utf-8"))


def file_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class DataFormatTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(dir=os.environ.get("IFEX_TEST_TMP"))
        os.makedirs(self.tmp.name, exist_ok=True)
        with tarfile.open(os.path.join(FIXTURES, "datadir-format1.tar.gz")) as tar:
            tar.extractall(self.tmp.name)
        self.data = os.path.join(self.tmp.name, "node")
        self.format_file = os.path.join(self.data, "format")
        self.passphrase = os.path.join(self.tmp.name, "passphrase")
        with open(self.passphrase, "w") as f:
            f.write(MANIFEST["passphrase"] + "\n")
        os.chmod(self.passphrase, 0o600)

    def tearDown(self):
        stop_everything()
        self.tmp.cleanup()

    def listed_ids(self):
        _, out, _ = cli("list", "--data", self.data, "--json")
        return {e["id"] for e in json.loads(out)}

    def test_an_older_directory_is_migrated_and_served(self):
        self.assertFalse(os.path.exists(self.format_file), "the fixture is format 1")
        code, _, err = cli("verify", "--data", self.data)
        self.assertEqual(code, 0)
        self.assertIn("from format 1 to 2", err)
        self.assertEqual(read(self.format_file), "ifexnode data format 2\n")
        # Once migrated, the next command says nothing of it.
        _, _, err = cli("verify", "--data", self.data)
        self.assertNotIn("migrated", err)
        self.assertEqual(self.listed_ids(), {a["id"] for a in MANIFEST["alerts"]})

        # The key still opens with its passphrase, and the node signs on its old head. The
        # fixture is a copy of a store, so publishing is held first (issue 19, F2): nothing else
        # holds this log, so the operator lifts the hold as docs/operations.md says.
        publish = ["publish", "--data", self.data, "--passphrase-file", self.passphrase,
                   "--lang", "en", "--country", "TN", "--category", "press-freedom",
                   "--title", "after the upgrade", "--body", "b", "--json"]
        code, _, err = cli(*publish, check=False)
        self.assertEqual(code, 75, err)
        cli("publishing", "release", "--data", self.data, "--accept-fork-risk")
        _, out, _ = cli(*publish)
        after = json.loads(out)
        self.assertEqual((after["author"], after["seq"]), (MANIFEST["author"], 4))

        # The node runs on it: the archive (built by the old version) lists and finds all.
        port = free_port()
        log = os.path.join(self.tmp.name, "run.log")
        env_pass = ["--passphrase-file", self.passphrase]
        proc = spawn_run(self.data, port, log, *env_pass)
        try:
            wait_listening(proc, port, log)
            base = f"http://127.0.0.1:{port}"
            for alert in MANIFEST["alerts"]:
                with urllib.request.urlopen(f"{base}/api/alerts/{alert['id']}", timeout=10) as r:
                    self.assertEqual(json.loads(r.read())["title"], alert["title"])
            q = urllib.parse.urlencode({"q": "journaliste"})
            with urllib.request.urlopen(f"{base}/api/search?{q}", timeout=10) as r:
                found = {x["id"] for x in json.loads(r.read())["results"]}
            self.assertIn(MANIFEST["alerts"][1]["id"], found)
        finally:
            reap(proc)
        code, _, err = cli("verify", "--data", self.data)
        self.assertEqual(code, 0, err)

    def test_a_newer_directory_is_refused_untouched(self):
        with open(self.format_file, "w") as f:
            f.write("ifexnode data format 3\n")
        store = os.path.join(self.data, "store", "data.mdb")
        before = file_hash(store)
        port = free_port()
        for args in (["verify", "--data", self.data], ["list", "--data", self.data],
                     ["publish", "--data", self.data, "--passphrase-file", self.passphrase,
                      "--lang", "en", "--country", "TN", "--category", "press-freedom",
                      "--title", "t", "--body", "b"],
                     ["run", "--data", self.data, "--listen", f"127.0.0.1:{port}",
                      "--passphrase-file", self.passphrase]):
            with self.subTest(command=args[0]):
                code, out, err = cli(*args, check=False, timeout=20)
                self.assertNotEqual(code, 0, f"{args[0]} opened a newer directory: {out}{err}")
                self.assertIn("data format 3", err)
                self.assertIn("newer ifexnode", err)
        self.assertEqual(file_hash(store), before, "the store changed")
        self.assertEqual(read(self.format_file), "ifexnode data format 3\n")

    def test_a_broken_format_file_is_named(self):
        for text in ("ifexnode data format two\n", "something else\n", "ifexnode data format 1\n"):
            with self.subTest(text=text):
                with open(self.format_file, "w") as f:
                    f.write(text)
                code, _, err = cli("list", "--data", self.data, check=False)
                self.assertNotEqual(code, 0)
                self.assertIn(self.format_file, err)

    def test_a_directory_that_is_no_node_gains_nothing(self):
        empty = os.path.join(self.tmp.name, "empty")
        os.makedirs(empty)
        code, _, _ = cli("list", "--data", empty, check=False)
        self.assertNotEqual(code, 0)
        self.assertEqual(os.listdir(empty), [])

    def test_init_writes_the_current_format(self):
        fresh = os.path.join(self.tmp.name, "fresh")
        cli("init", "--data", fresh, "--name", "fresh", "--kdf", "interactive")
        self.assertEqual(read(os.path.join(fresh, "format")), "ifexnode data format 2\n")


if __name__ == "__main__":
    unittest.main()
