"""Issue 17: `ifexnode restore` refuses a broken or hostile archive with a clear error and
leaves nothing behind that a node would start on: a truncated archive, a flipped byte (in a
header, in the store's data), a member named `../x` or `/x`, an unknown member, a link. It also
refuses to restore over a non-empty data directory, which stays untouched, and `backup` refuses
to replace an existing file without --force."""
import hashlib
import io
import os
import shutil
import tarfile
import unittest

from ops_support import Node, cli, publish


def tree_digest(root):
    """A digest of every file's path and bytes below root (lock files left out)."""
    h = hashlib.sha256()
    for dirpath, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name in ("lock.mdb", "run.lock"):
                continue
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, root).encode())
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


class RestoreRefusesBrokenArchives(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node(name="member-a", role="member")
        cls.tmp = cls.node.tmp.name
        for i in range(3):
            publish(cls.node.data, f"alert {i}")
        cls.archive = os.path.join(cls.tmp, "good.tar")
        cli("backup", "--data", cls.node.data, "--out", cls.archive)
        with open(cls.archive, "rb") as f:
            cls.good = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def setUp(self):
        self.work = os.path.join(self.tmp, self.id().rsplit(".", 1)[-1])
        os.mkdir(self.work)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def refused(self, data, expect):
        """Restores bytes `data` into a new dir; asserts it fails naming `expect` and leaves
        nothing in the work dir but the archive."""
        path = os.path.join(self.work, "in.tar")
        with open(path, "wb") as f:
            f.write(data)
        target = os.path.join(self.work, "restored")
        code, out, err = cli("restore", "--in", path, "--data", target, check=False)
        self.assertNotEqual(code, 0, out)
        self.assertIn(expect, err)
        self.assertEqual(os.listdir(self.work), ["in.tar"], "a refused restore left files")
        return err

    def members(self):
        with tarfile.open(fileobj=io.BytesIO(self.good)) as t:
            return [(m, t.extractfile(m).read()) for m in t.getmembers()]

    def rebuilt(self, members):
        """A ustar archive of (TarInfo, bytes) made by Python's tarfile."""
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
            for info, data in members:
                t.addfile(info, io.BytesIO(data) if data is not None else None)
        return buf.getvalue()

    def with_checksums(self, members):
        """`members` with the checksums member recomputed, as a backup of that content would be."""
        members = [(m, d) for m, d in members if m.name != "checksums"]
        text = "".join(hashlib.blake2b(d, digest_size=32).hexdigest() + "  " + m.name + "\n"
                       for m, d in members)
        info = tarfile.TarInfo("checksums")
        info.size = len(text)
        return members + [(info, text.encode())]

    def test_newer_data_format_is_refused_older_is_migrated(self):
        members = self.members()
        newer = []
        for m, d in members:
            if m.name == "format":
                d = b"ifexnode data format 3\n"
                m.size = len(d)
            newer.append((m, d))
        self.refused(self.rebuilt(self.with_checksums(newer)), "newer ifexnode")
        # Format 1 had no format file: the restore migrates it as NodeHandle::open does.
        older = [(m, d) for m, d in members if m.name != "format"]
        path = os.path.join(self.work, "old.tar")
        with open(path, "wb") as f:
            f.write(self.rebuilt(self.with_checksums(older)))
        target = os.path.join(self.work, "restored")
        _, out, _ = cli("restore", "--in", path, "--data", target)
        self.assertIn("data format 1, migrated", out)
        with open(os.path.join(target, "format")) as f, \
                open(os.path.join(self.node.data, "format")) as current:
            self.assertEqual(f.read(), current.read())

    def test_the_good_archive_restores(self):
        # The control: the same path with the unbroken bytes succeeds.
        path = os.path.join(self.work, "in.tar")
        with open(path, "wb") as f:
            f.write(self.good)
        _, out, _ = cli("restore", "--in", path, "--data", os.path.join(self.work, "restored"))
        self.assertIn("verify: ok: 3 entries", out)

    def test_truncated(self):
        for cut in (len(self.good) // 2, len(self.good) - 1024, 700):
            self.refused(self.good[:cut], "truncated")

    def test_flipped_byte_in_a_header(self):
        broken = bytearray(self.good)
        broken[512 * 2 + 5] ^= 0x01  # the name of the second member
        self.refused(bytes(broken), "checksum")

    def test_flipped_byte_in_the_store(self):
        offset = 0
        with tarfile.open(fileobj=io.BytesIO(self.good)) as t:
            for m in t.getmembers():
                if m.name == "store/data.mdb":
                    offset = m.offset_data + m.size // 2
        self.assertGreater(offset, 0)
        broken = bytearray(self.good)
        broken[offset] ^= 0x40
        self.refused(bytes(broken), "does not match its checksum")

    def test_path_traversal_and_absolute_names(self):
        for name in ("../evil", "store/../../evil", "/tmp/evil"):
            members = self.members()
            info = tarfile.TarInfo(name)
            info.size = 4
            members.insert(1, (info, b"evil"))
            self.refused(self.rebuilt(members), "refused")
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "evil")))

    def test_unknown_member_and_links(self):
        members = self.members()
        info = tarfile.TarInfo("extra.sh")
        info.size = 2
        self.refused(self.rebuilt(members[:1] + [(info, b"hi")] + members[1:]), "unknown member")
        link = tarfile.TarInfo("identity.key")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        self.refused(self.rebuilt(members[:1] + [(link, None)] + members[1:]), "not a regular file")

    def test_oversize_member(self):
        members = self.members()
        info = tarfile.TarInfo("admin.token")
        info.size = 5000
        without = [(m, d) for m, d in members if m.name != "admin.token"]
        self.refused(self.rebuilt(without[:1] + [(info, b"x" * 5000)] + without[1:]), "over its bound")

    def test_not_a_backup(self):
        self.refused(b"not a tar file at all" * 100, "checksum")
        members = [(m, d) for m, d in self.members() if m.name != "ifexnode-backup"]
        self.refused(self.rebuilt(members), "is not the manifest")

    def test_non_empty_data_dir_is_left_untouched(self):
        before = tree_digest(self.node.data)
        code, _, err = cli("restore", "--in", self.archive, "--data", self.node.data, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("is not empty", err)
        self.assertEqual(tree_digest(self.node.data), before)
        _, out, _ = cli("verify", "--data", self.node.data)
        self.assertIn("ok: 3 entries", out)

    def test_backup_refuses_an_existing_file_and_a_missing_dir(self):
        code, _, err = cli("backup", "--data", self.node.data, "--out", self.archive, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("--force", err)
        code, _, err = cli("backup", "--data", os.path.join(self.work, "nowhere"), "--out",
                           os.path.join(self.work, "x.tar"), check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("no such data directory", err)
        self.assertEqual(os.listdir(self.work), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
