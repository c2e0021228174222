"""Issue 15, "Relays": a USB stick carries the difference, not the archive. Node B writes its
clock (`ifexnode clock`), node A exports only what B lacks (`export --since`), B imports it and
then holds every entry A holds. Also: the reverse direction, `--author`, a fork between the two
sides (found by B's import, the proof carried back), and damaged clock files refused with a clear
message. Real `ifexnode` binaries; A runs (on loopback) while its clock and export are taken."""
import json
import os
import shutil
import struct
import unittest

from ops_support import Node, cli, publish

# Author P1: A holds 120 entries, B the first 100. P2: both hold 100. P3: A only (20).
# Q: B only (15). So B lacks 20 + 20 entries of A's 240, and A lacks Q's 15.
P1_ALL, P1_AT_B, P2_ALL, P3_ALL, Q_ALL = 120, 100, 100, 20, 15


def key_of(node):
    return json.loads(cli("id", "--data", node.data, "--json")[1])["public_key"]


def publish_n(node, n, label):
    for i in range(n):
        publish(node.data, f"{label} {i}")


def export(node, out, *extra):
    return json.loads(cli("export", "--data", node.data, "--out", out, "--json", *extra)[1])


def import_bundle(node, bundle, check=True):
    code, out, err = cli("import", "--data", node.data, bundle, "--json", check=check)
    return code, json.loads(out), err


def bundle_records(path):
    """Counts the records of a bundle by type, reading its framing (docs/protocol.md, "Bundle")."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"IFEXBNDL" and data[8] == 1, "not a version 1 bundle"
    pos, counts = 9, {}
    while True:
        kind, length = data[pos], struct.unpack_from("<I", data, pos + 1)[0]
        pos += 5 + length
        if kind == 0:
            assert pos == len(data), "bytes after the end record"
            return counts
        counts[kind] = counts.get(kind, 0) + 1


def heads(node):
    """{author: seq} from `status --json` (it exits non-zero when the node is not running)."""
    _, out, _ = cli("status", "--data", node.data, "--json", check=False)
    return {c["author"]: c["seq"] for c in json.loads(out)["clocks"] if c["seq"] > 0}


class SneakernetClockTest(unittest.TestCase):
    def setUp(self):
        self.nodes = []
        self.p1, self.p2, self.p3, self.q = (self.node(n) for n in ("p1", "p2", "p3", "q"))
        self.a, self.b = self.node("node-a"), self.node("node-b")
        self.dir = self.a.tmp.name

    def tearDown(self):
        for n in self.nodes:
            n.close()

    def node(self, name):
        n = Node(name=name, role="member")
        self.nodes.append(n)
        return n

    def path(self, name):
        return os.path.join(self.dir, name)

    def roster(self, node, *authors):
        for author in authors:
            cli("roster", "add", "--data", node.data, key_of(author), "--name", author_name(author))

    def give(self, node, author, name):
        """Exports `author`'s whole log as it stands and imports it into `node`."""
        bundle = self.path(name)
        export(author, bundle, "--force")
        code, report, err = import_bundle(node, bundle)
        self.assertEqual(report["rejected"], [], err)

    def build_overlapping_logs(self):
        self.roster(self.a, self.p1, self.p2, self.p3)
        self.roster(self.b, self.p1, self.p2, self.p3, self.q)
        publish_n(self.p1, P1_AT_B, "p1")
        self.give(self.b, self.p1, "p1-early.bundle")
        publish_n(self.p1, P1_ALL - P1_AT_B, "p1 later")
        self.give(self.a, self.p1, "p1.bundle")
        publish_n(self.p2, P2_ALL, "p2")
        self.give(self.a, self.p2, "p2.bundle")
        self.give(self.b, self.p2, "p2.bundle")  # the same log again
        publish_n(self.p3, P3_ALL, "p3")
        self.give(self.a, self.p3, "p3.bundle")
        publish_n(self.q, Q_ALL, "q")
        self.give(self.b, self.q, "q.bundle")

    def test_the_stick_carries_exactly_what_is_missing(self):
        self.build_overlapping_logs()
        p1, p2, p3, q = (key_of(n) for n in (self.p1, self.p2, self.p3, self.q))
        self.assertEqual(heads(self.a), {p1: P1_ALL, p2: P2_ALL, p3: P3_ALL})
        self.assertEqual(heads(self.b), {p1: P1_AT_B, p2: P2_ALL, q: Q_ALL})

        # The offline side writes its clock; the connected side, running, exports against it.
        b_clock = self.path("b.clock")
        clock = json.loads(cli("clock", "--data", self.b.data, "--out", b_clock, "--json")[1])
        self.assertEqual(clock, {"authors": 3, "fork_proofs": 0, "bytes": 13 + 3 * 73 + 32})
        self.assertEqual(os.path.getsize(b_clock), clock["bytes"])
        a_clock = self.path("a.clock")  # for the way back, below
        self.a.start()
        try:
            diff = export(self.a, self.path("diff.bundle"), "--since", b_clock)
            full = export(self.a, self.path("full.bundle"))
            cli("clock", "--data", self.a.data, "--out", a_clock)
        finally:
            self.a.stop()
        missing = (P1_ALL - P1_AT_B) + P3_ALL
        self.assertEqual(diff, {"entries": missing, "fork_proofs": 0, "forks": 0,
                                "bytes": os.path.getsize(self.path("diff.bundle"))})
        self.assertEqual(bundle_records(self.path("diff.bundle")), {1: missing})
        self.assertEqual(full["entries"], P1_ALL + P2_ALL + P3_ALL)
        print(f"\nbundle for B: {diff['entries']} entries, {diff['bytes']} bytes; full export: "
              f"{full['entries']} entries, {full['bytes']} bytes; clock file: {clock['bytes']} "
              f"bytes")
        self.assertLess(diff["bytes"] * 4, full["bytes"], "the difference is not much smaller")

        code, report, err = import_bundle(self.b, self.path("diff.bundle"))
        self.assertEqual((code, report["stored"], report["duplicates"], report["rejected"]),
                         (0, missing, 0, []), err)
        b_heads = heads(self.b)
        for author, seq in heads(self.a).items():
            self.assertEqual(b_heads.get(author), seq, f"B's head of {author}")
        self.assertEqual(b_heads[q], Q_ALL)

        # B's new clock asks for nothing more.
        cli("clock", "--data", self.b.data, "--out", b_clock, "--force")
        again = export(self.a, self.path("again.bundle"), "--since", b_clock)
        self.assertEqual((again["entries"], bundle_records(self.path("again.bundle"))), (0, {}))

        # The reverse direction: A's clock to B, B's difference (Q's log) back to A.
        back = export(self.b, self.path("back.bundle"), "--since", a_clock)
        self.assertEqual(back["entries"], Q_ALL)
        self.roster(self.a, self.q)
        code, report, err = import_bundle(self.a, self.path("back.bundle"))
        self.assertEqual((code, report["stored"]), (0, Q_ALL), err)
        self.assertEqual(heads(self.a), heads(self.b))

    def test_author_narrows_the_difference(self):
        self.build_overlapping_logs()
        b_clock = self.path("b.clock")
        cli("clock", "--data", self.b.data, "--out", b_clock)
        only_p3 = export(self.a, self.path("p3-diff.bundle"), "--since", b_clock,
                         "--author", key_of(self.p3))
        self.assertEqual(only_p3["entries"], P3_ALL)
        only_p2 = export(self.a, self.path("p2-diff.bundle"), "--since", b_clock,
                         "--author", key_of(self.p2))
        self.assertEqual(only_p2["entries"], 0)

    def test_a_fork_is_carried_so_the_receiver_finds_it(self):
        # F signs two different entries at seq 4: one on its node, one on a copy of its data dir.
        f = self.node("f")
        publish_n(f, 3, "f")
        copy = self.path("f-copy")
        shutil.copytree(f.data, copy)
        cli("publishing", "release", "--data", copy, "--accept-fork-risk")
        publish(f.data, "f seq 4 here")
        publish(copy, "f seq 4 on the copy")
        self.roster(self.a, f)
        self.roster(self.b, f)
        self.give(self.a, f, "f.bundle")
        cli("export", "--data", copy, "--out", self.path("f-copy.bundle"))
        code, report, err = import_bundle(self.b, self.path("f-copy.bundle"))
        self.assertEqual(report["stored"], 4, err)

        b_clock = self.path("b.clock")
        cli("clock", "--data", self.b.data, "--out", b_clock)
        diff = export(self.a, self.path("fork.bundle"), "--since", b_clock)
        self.assertEqual((diff["entries"], diff["forks"]), (1, 1))
        code, report, err = import_bundle(self.b, self.path("fork.bundle"), check=False)
        self.assertNotEqual(code, 0, "a fork was imported silently")
        self.assertEqual([r["code"] for r in report["rejected"]], ["fork"])

        # B now holds the proof; its clock says so, and its export carries the proof to A.
        clock = json.loads(cli("clock", "--data", self.b.data, "--out", b_clock, "--force",
                               "--json")[1])
        self.assertEqual(clock["fork_proofs"], 1)
        self.assertEqual(export(self.a, self.path("none.bundle"), "--since", b_clock)["entries"], 0)
        a_clock = self.path("a.clock")
        cli("clock", "--data", self.a.data, "--out", a_clock)
        back = export(self.b, self.path("proof.bundle"), "--since", a_clock)
        self.assertEqual((back["entries"], back["fork_proofs"]), (0, 1))
        code, report, err = import_bundle(self.a, self.path("proof.bundle"))
        self.assertEqual((code, report["fork_proofs_added"]), (0, 1), err)

    def test_a_damaged_clock_file_is_refused_clearly(self):
        publish_n(self.p1, 2, "p1")
        self.roster(self.a, self.p1)
        self.give(self.a, self.p1, "p1.bundle")
        good = self.path("good.clock")
        cli("clock", "--data", self.a.data, "--out", good)
        with open(good, "rb") as f:
            data = f.read()
        flipped = bytearray(data)
        flipped[20] ^= 0x01
        oversized = bytearray(data)
        oversized[9:13] = struct.pack("<I", 0xFFFFFFFF)
        cases = {"flipped": (bytes(flipped), "checksum"),
                 "truncated": (data[:-10], "cut short"),
                 "header only": (data[:11], "cut short"),
                 "other file": (b"hello, this is not a clock file at all", "not an ifexnode clock"),
                 "empty": (b"", "not an ifexnode clock"),
                 "version 9": (data[:8] + b"\x09" + data[9:], "unknown clock file version 9"),
                 "oversized count": (bytes(oversized), "over the limit")}
        for what, (content, message) in cases.items():
            with self.subTest(what):
                bad = self.path("bad.clock")
                with open(bad, "wb") as f:
                    f.write(content)
                out = self.path("from-bad.bundle")
                code, _, err = cli("export", "--data", self.a.data, "--out", out, "--since", bad,
                                   check=False)
                self.assertNotEqual(code, 0, f"a {what} clock file was accepted")
                self.assertIn(message, err)
                self.assertIn("clock file", err)
                self.assertFalse(os.path.exists(out), "a bundle was written from a bad clock")
        # And the clock command refuses to overwrite unless told.
        code, _, err = cli("clock", "--data", self.a.data, "--out", good, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("exists", err)


def author_name(node):
    return os.path.basename(os.path.dirname(node.data)) + "-author"


if __name__ == "__main__":
    unittest.main(verbosity=2)
