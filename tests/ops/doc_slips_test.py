"""Issue 11 item 16: what the docs and the generated files tell an operator must be true.
`list` says on stderr when it stopped at its limit; the generated config's pointers into the
docs name sections that exist; /etc/ifexnode is created where the docs use it; the docs never
put the network key on a command line (visible in `ps`) and `init --network-key-file` works."""
import json
import os
import re
import unittest

from ops_support import Node, cli, publish, read

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DOCS = [os.path.join(ROOT, "README.md")] + sorted(
    os.path.join(ROOT, "docs", f) for f in os.listdir(os.path.join(ROOT, "docs"))
    if f.endswith(".md"))


def headings(path):
    return [l.lstrip("#").strip() for l in read(path).split("\n") if l.startswith("#")]


class ListLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node(name="member-a", role="member")
        for i in range(51):
            publish(cls.node.data, f"alert {i}")

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def test_default_limit_is_announced_on_stderr(self):
        _, out, err = cli("list", "--data", self.node.data)
        self.assertEqual(out.count("\n    "), 50)
        self.assertIn("50 of 51 entries; use --limit", err)
        _, out, err = cli("list", "--data", self.node.data, "--json")
        self.assertEqual(len(json.loads(out)), 50)  # stdout stays clean JSON
        self.assertIn("50 of 51 entries", err)

    def test_no_note_when_everything_is_listed(self):
        _, out, err = cli("list", "--data", self.node.data, "--limit", "51")
        self.assertEqual(out.count("\n    "), 51)
        self.assertEqual(err, "")
        _, _, err = cli("list", "--data", self.node.data, "--limit", "2")
        self.assertIn("2 of 51 entries", err)


class GeneratedConfigTest(unittest.TestCase):
    def test_config_points_to_sections_that_exist(self):
        node = Node(name="member-a", role="member")
        try:
            text = read(os.path.join(node.data, "ifexnode.toml"))
        finally:
            node.close()
        refs = re.findall(r'docs/([a-z-]+\.md), "([^"]+)"', text)
        self.assertTrue(refs, "the generated config points to no doc section")
        for doc, section in refs:
            with self.subTest(doc=doc, section=section):
                self.assertIn(section, headings(os.path.join(ROOT, "docs", doc)))


class DocsTest(unittest.TestCase):
    def test_etc_ifexnode_is_created_before_use(self):
        for path in DOCS:
            text = read(path)
            first_use = text.find("/etc/ifexnode/")
            if first_use < 0:
                continue
            with self.subTest(doc=os.path.basename(path)):
                made = re.search(r"(install -d[^\n]*|mkdir[^\n]*) /etc/ifexnode\b", text)
                self.assertTrue(made and made.start() < first_use,
                                "uses /etc/ifexnode without creating it")

    def test_network_key_never_on_a_command_line(self):
        for path in DOCS:
            with self.subTest(doc=os.path.basename(path)):
                self.assertIsNone(re.search(r"--network-key[ =][\"'$]", read(path)))
        for doc in ("README.md", "docs/operations.md"):
            self.assertTrue("--network-key-file" in read(os.path.join(ROOT, doc)),
                            doc + " does not show init --network-key-file")

    def test_init_with_network_key_file_joins_the_federation(self):
        first = Node(name="a", role="member")
        try:
            second_data = os.path.join(first.tmp.name, "b")
            key_file = os.path.join(first.data, "network.key")
            _, _, err = cli("init", "--data", second_data, "--name", "b",
                            "--network-key-file", key_file)
            self.assertEqual(read(os.path.join(second_data, "network.key")), read(key_file))
            _, _, err = cli("init", "--data", os.path.join(first.tmp.name, "c"), "--name", "c")
            self.assertIn("--network-key-file", err)  # init's own advice for joining
            self.assertNotIn("--network-key KEY", err)
        finally:
            first.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
