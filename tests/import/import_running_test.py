"""A large legacy-archive import seen from a running node's log (issue 11, item 15): the node
says how far its search and listings are, at the first round and every 10 s, with a rate and the
time left, and when it is done. Real `ifexnode` processes on loopback; the archive is generated
here (valid records, word salad). Times are printed by the node, never asserted."""
import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from node_process import Node, cli  # noqa: E402

RECORDS = 12000  # above two indexing rounds (5,000 each), so progress lines must appear
WORDS = "journalist radio court police arrest prison censorship protest election station".split()


def write_archive(path, count):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(6)]
            f.write(json.dumps({
                "legacy_id": f"gen-{i:06d}",
                "date": f"{1995 + i % 30}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "country": ["TN", "EG", "MX", "IN"][i % 4], "lang": ["en", "fr"][i % 2],
                "categories": [["press-freedom", "detention", "impunity"][i % 3]],
                "title": f"Record {i}: " + " ".join(words[:4]),
                "summary": " ".join(words), "body": " ".join(words * 5)}) + "\n")


class IndexingProgress(unittest.TestCase):
    def setUp(self):
        self.node = Node("hub", "hub")
        self.addCleanup(self.node.close)
        self.archive = os.path.join(self.node.tmp.name, "archive.jsonl")
        write_archive(self.archive, RECORDS)

    def log_lines(self):
        with open(self.node.log_path, errors="replace") as f:
            return f.read().splitlines()

    def test_a_bulk_backlog_is_logged_with_counts_and_rate(self):
        _, out, _ = cli("import-archive", "--data", self.node.data, self.archive, "--json",
                        timeout=300)
        self.assertEqual(json.loads(out)["imported"], RECORDS)
        self.node.start()
        self.node.wait_indexed(timeout=600)
        deadline = time.monotonic() + 30  # the end line follows the last commit
        while time.monotonic() < deadline and not any("up to date" in l for l in self.log_lines()):
            time.sleep(0.1)
        text = "\n".join(self.log_lines())
        self.assertIn(f"indexing {RECORDS} entries for search and listings", text)
        # After the first round at once, with the rate measured over it and the time left.
        self.assertRegex(text, rf"indexed 5000 of {RECORDS}, \d+/s, about \d+:\d\d left")
        self.assertRegex(text, rf"search and listings are up to date: indexed {RECORDS} entries "
                               rf"in \d+ s, \d+/s")
        progress = [l for l in text.splitlines() if re.search(r"indexed \d+ of \d+", l)]
        counts = [int(re.search(r"indexed (\d+) of", l).group(1)) for l in progress]
        self.assertEqual(counts, sorted(counts))  # the count only grows

    def test_import_into_the_running_node_is_indexed_and_reported(self):
        self.node.start()
        _, out, err = cli("import-archive", "--data", self.node.data, self.archive, "--json",
                          timeout=300)
        self.assertEqual(json.loads(out)["imported"], RECORDS)
        self.assertNotIn("\r", err)  # not a terminal: plain progress lines
        st = self.node.wait_indexed(timeout=600)
        self.assertEqual(st["indexed"], RECORDS)
        # Whether the node ever fell 5,000 entries behind depends on the machine; if it said it
        # had, it says when it caught up, with the count.
        text = "\n".join(self.log_lines())
        if "entries for search and listings" in text:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and "up to date" not in text:
                time.sleep(0.1)
                text = "\n".join(self.log_lines())
            self.assertRegex(text, r"search and listings are up to date: indexed \d+ entries")


if __name__ == "__main__":
    unittest.main(verbosity=2)
