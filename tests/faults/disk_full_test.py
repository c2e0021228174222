"""A full store and a full disk (issue 6, faults): writes fail with a clear error, reads, search
and gossip serving go on, and writing resumes once there is room, with nothing earlier lost.

`disk_full_test.py map-full`: node N runs with `[store] map_size_mib = 1`; alerts are POSTed until
the store is full. Then: POST answers 507 naming `map_size_mib`; `ifexnode publish` exits 1 with
the same message; what peer B pushes is refused with a logged error; every acknowledged alert is
still served (GET by id, lists, search, feed, status, metrics, healthz); a fresh node C catches up
all of them from N; `verify` passes. Then the map is raised to 64 MiB while N runs and a CLI
publish writes past N's map: N must adopt the grown map (no restart), POST works again, B's
alerts arrive; after a restart nothing acknowledged is missing.

`disk_full_test.py enospc`: the same on a real full file system: N's data dir on a 32 MiB tmpfs
mounted in a private mount namespace (`unshare --mount`, so nothing is left mounted whatever
happens). A filler file takes the free space twice: all of it (writes get ENOSPC), then all but a
few pages (a large write gets a short write, which LMDB reports as EIO). Both must give the
`disk_full` error; deleting the filler must let writes resume. Exits 77 (skipped) when the
namespace or the mount is not permitted."""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_node import (FaultNode, cli, federation, sample_alert, set_config,  # noqa: E402
                        stop_everything, wait_until)

SKIP = 77
BIG_BODY = 4000     # bytes of alert text: fills 1 MiB in a few hundred alerts


def publish_until_refused(node, acked, tag, body_bytes, limit):
    """POSTs alerts until one is refused; returns (status, body) of the refusal."""
    for i in range(limit):
        status, _, body = node.publish(sample_alert(len(acked) + i, tag, body_bytes))
        if status == 201:
            acked.append(body_json(body)["id"])
            continue
        return status, body
    raise AssertionError(f"{limit} alerts stored and still not full")


def body_json(body):
    return json.loads(body)


def cli_publish(node, body_bytes, check):
    alert = sample_alert(0, "cli", body_bytes)
    return cli("publish", "--data", node.data, "--json", "--lang", "en", "--country", "TN",
               "--category", "press-freedom", "--title", "cli alert", "--summary", "s",
               "--body", alert["body"], check=check)


def check_reads(node, acked):
    """Everything acknowledged is served, and every kind of read answers."""
    for entry_id in acked:
        node.get_json("/api/alerts/" + entry_id)
    listed = node.get_json("/api/alerts?limit=100")["alerts"]
    if not listed:
        raise AssertionError("the list of alerts is empty")
    found = node.get_json("/api/search?" + urllib.parse.urlencode({"q": "newspaper raided"}))
    if not found["results"]:
        raise AssertionError("search finds nothing")
    for path in ("/feed.atom", "/metrics", "/healthz", "/api/status", "/"):
        status, _, body = node.request("GET", path)
        if status != 200:
            raise AssertionError(f"GET {path}: {status} {body[:200]!r}")
    ids = set(node.ids())
    missing = [i for i in acked if i not in ids]
    if missing:
        raise AssertionError(f"{len(missing)} acknowledged ids missing: {missing[:5]}")
    node.verify()
    return len(ids)


def expect_refusal(status, body, code_words, what):
    text = body.decode(errors="replace")
    if status != 507 or not all(w in text for w in code_words):
        raise AssertionError(f"{what}: expected 507 with {code_words}, got {status}: {text[:400]}")
    print(f"  {what}: 507 {text[:160]}...")


def expect_cli_refusal(node, body_bytes, words, what, acked, attempts=10):
    """`ifexnode publish` must be refused within `attempts`; any that fits is acknowledged."""
    for _ in range(attempts):
        code, out, err = cli_publish(node, body_bytes, check=False)
        if code == 0:
            try:
                acked.append(json.loads(out)["id"])
            except (ValueError, KeyError) as e:
                raise AssertionError(f"{what}: exit 0 without an id ({e}): {out}{err}") from None
            continue
        if code != 1 or not all(w in err for w in words):
            raise AssertionError(f"{what}: expected exit 1 naming {words}, got {code}: {out}{err}")
        print(f"  {what}: exit 1, {err.strip()[:160]}...")
        return
    raise AssertionError(f"{what}: {attempts} alerts stored by the command line, never refused")


def catch_up_reader(reader, source, acked, what):
    """`reader` (not running before) dials `source` and must get every acknowledged id."""
    cli("peer", "add", "--data", reader.data, f"ws://127.0.0.1:{source.port}/gossip", source.key)
    if reader.proc is None or reader.proc.poll() is not None:
        reader.start()
    wait_until(lambda: set(acked) <= set(reader.ids()), 60, f"{reader.label} to catch up ({what})",
               every=0.2)


# ---- LMDB map full ----

def map_full():
    started = time.monotonic()
    n, b, c = federation(["N", "B", "C"])
    try:
        set_config(n.data, "store", "map_size_mib", 1)
        for x in (n, b, c):
            set_config(x.data, "network", "reconnect_min_ms", 20)
            set_config(x.data, "network", "reconnect_max_ms", 200)
        b.start()
        cli("peer", "add", "--data", n.data, f"ws://127.0.0.1:{b.port}/gossip", b.key)
        n.start()
        acked = []
        status, body = publish_until_refused(n, acked, "full", BIG_BODY, 2000)
        full_after = len(acked)
        print(f"  map full after {len(acked)} alerts of ~{BIG_BODY} bytes "
              f"({time.monotonic() - started:.1f} s)")
        expect_refusal(status, body, ["store is full", "map_size_mib"], "POST when full")
        # A full LMDB map is not a fixed state: pages freed by earlier commits become usable
        # again once the readers that still saw them finish (the indexer, a listing), so an
        # alert or two may still fit. Each such one must be acknowledged for real (it is
        # checked below with the rest); the refusal must come back within a few attempts.
        status, body = publish_until_refused(n, acked, "again", BIG_BODY, 10)
        expect_refusal(status, body, ["store is full"], "POST again")
        expect_cli_refusal(n, BIG_BODY, ["store is full", "map_size_mib"], "ifexnode publish",
                           acked)
        full_after = len(acked)  # what still fitted while full is not counted as "after raising"

        # N refuses what B pushes, says why, and keeps running.
        b_acked = []
        for i in range(5):
            status, _, body = b.publish(sample_alert(i, "from-B", BIG_BODY))
            assert status == 201, (status, body)
            b_acked.append(body_json(body)["id"])
        wait_until(lambda: "cannot store entries: the store is full" in n.log_text(last=1), 30,
                   "N to log that it cannot store B's entries")
        n.wait_indexed()
        held = check_reads(n, acked)
        catch_up_reader(c, n, acked, "from a full node")
        print(f"  while full: {len(acked)} acknowledged alerts served by id, list, search, feed; "
              f"C caught up {len(c.ids())} entries from N; verify ok on N ({held} entries)")

        # "Space is freed" while N runs: the operator raises the map and a command writes with
        # the larger map, growing the file past N's map. N must adopt it and go on, no restart.
        set_config(n.data, "store", "map_size_mib", 64)
        data_file = os.path.join(n.data, "store", "data.mdb")
        for _ in range(100):
            if os.path.getsize(data_file) > (1 << 20):
                break
            code, out, _ = cli_publish(n, BIG_BODY, check=True)
            acked.append(body_json(out)["id"])
        grown = os.path.getsize(data_file)
        if grown <= (1 << 20):
            raise AssertionError(f"100 CLI publishes did not grow the store past 1 MiB: {grown}")
        for i in range(5):
            status, _, body = n.publish(sample_alert(i, "after", BIG_BODY))
            if status != 201:
                raise AssertionError(f"POST after raising the map: {status} {body[:300]!r}\n"
                                     f"{n.log_text(last=1)[-3000:]}")
            acked.append(body_json(body)["id"])
        # B's refused alerts come back once a new one shows N the gap (graft).
        status, _, body = b.publish(sample_alert(5, "from-B", BIG_BODY))
        assert status == 201, (status, body)
        b_acked.append(body_json(body)["id"])
        wait_until(lambda: set(b_acked) <= set(n.ids()), 60, "B's alerts to reach N", every=0.2)
        n.wait_indexed()
        held = check_reads(n, acked + b_acked)
        print(f"  map raised while running: CLI publishes grew the store to {grown} bytes, past "
              f"N's map; N went on serving and stored 5 POSTed and {len(b_acked)} gossiped "
              f"alerts; N holds {held}")
        # And a restart with the larger map.
        n.stop()
        n.start()
        held = check_reads(n, acked + b_acked)
        wait_until(lambda: set(acked + b_acked) <= set(c.ids()), 60, "C to get the new alerts",
                   every=0.2)
        c.verify()
        print(f"disk_full_test map-full: full after {full_after} alerts; 507, publish exit 1 "
              f"and a logged refusal of gossip while full; reads, search, feeds and catch-up "
              f"served; after raising map_size_mib (no restart) {len(acked) - full_after} local "
              f"and {len(b_acked)} "
              f"gossiped alerts stored; after a restart {len(acked) + len(b_acked)} acknowledged "
              f"ids all present, N holds {held}, verify ok; {time.monotonic() - started:.1f} s")
    finally:
        stop_everything()
        for x in (n, b, c):
            x.close()


# ---- a real full file system ----

def fill(path, leave_bytes):
    """Writes `path` until the file system has at most `leave_bytes` free (or none)."""
    st = os.statvfs(os.path.dirname(path))
    chunk = b"\0" * (1 << 20)
    with open(path, "wb") as f:
        for _ in range(100_000):  # bounded: far more MiB than the tmpfs holds
            free = st.f_bavail * st.f_frsize
            want = free - leave_bytes
            if want <= 0:
                break
            try:
                f.write(chunk[:min(len(chunk), want)])
                f.flush()
                os.fsync(f.fileno())
            except OSError:
                break
            st = os.statvfs(os.path.dirname(path))
    st = os.statvfs(os.path.dirname(path))
    return st.f_bavail * st.f_frsize


def enospc_inside(mount_point, log_dir):
    """Runs in the private mount namespace: mounts the tmpfs, then the scenario."""
    os.makedirs(mount_point, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mount_point],
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(f"SKIPPED: cannot mount a tmpfs: {done.stderr.strip()}")
        return SKIP
    started = time.monotonic()
    n = FaultNode("N", tmp_root=mount_point, log_dir=log_dir)
    c = FaultNode("C", tmp_root=log_dir, network_key=n.network_key())
    for x, other in ((n, c), (c, n)):
        cli("roster", "add", "--data", x.data, other.key)
    filler = os.path.join(mount_point, "filler")
    try:
        n.start()
        acked = []
        for i in range(20):
            status, _, body = n.publish(sample_alert(i, "before", 2000))
            assert status == 201, (status, body)
            acked.append(body_json(body)["id"])
        n.wait_indexed()
        figures = []
        # All but a few pages: the next large commit is a short write (EIO from LMDB), then
        # nothing at all: ENOSPC. Both are a full disk to the operator.
        for leave, body_bytes, what in ((3 * 4096, 30_000, "nearly full (short write)"),
                                        (0, 2000, "full (ENOSPC)")):
            free = fill(filler, leave)
            status, body = publish_until_refused(n, acked, "fill", body_bytes, 500)
            print(f"  {what}: {free} bytes free after the filler; {len(acked)} alerts stored")
            expect_refusal(status, body, ["disk is full"], f"POST, disk {what}")
            expect_cli_refusal(n, body_bytes, ["disk is full"], f"ifexnode publish, disk {what}",
                               acked)
            held = check_reads(n, acked)
            catch_up_reader(c, n, acked, f"disk {what}")
            os.remove(filler)
            for i in range(3):
                status, _, body = n.publish(sample_alert(i, "resumed", 2000))
                if status != 201:
                    raise AssertionError(f"POST after freeing space: {status} {body[:300]!r}")
                acked.append(body_json(body)["id"])
            code, out, _ = cli_publish(n, 2000, check=True)
            acked.append(body_json(out)["id"])
            n.wait_indexed()
            held = check_reads(n, acked)
            wait_until(lambda: set(acked) <= set(c.ids()), 60, "C to get the new alerts",
                       every=0.2)
            print(f"  {what}: after deleting the filler, writes resumed; N holds {held}, "
                  f"verify ok; C holds all {len(acked)} acknowledged")
        print(f"disk_full_test enospc: 32 MiB tmpfs, a short write and an ENOSPC each gave 507 "
              f"'disk is full' and publish exit 1; reads, search, feeds and catch-up served "
              f"meanwhile; writes resumed after deleting the filler; {len(acked)} acknowledged "
              f"ids all present, verify ok; {time.monotonic() - started:.1f} s")
        return 0
    finally:
        stop_everything()
        n.close()
        c.close()
        if os.path.exists(filler):
            os.remove(filler)
        subprocess.run(["umount", mount_point], capture_output=True)


def enospc():
    if os.geteuid() != 0:
        print("SKIPPED: mounting a tmpfs needs root (CAP_SYS_ADMIN)")
        return SKIP
    base = os.environ.get("IFEX_TEST_TMP") or "/tmp"
    os.makedirs(base, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="enospc-", dir=base) as tmp:
        mount_point = os.path.join(tmp, "small-fs")
        probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            print(f"SKIPPED: cannot make a private mount namespace: {probe.stderr.strip()}")
            return SKIP
        inner = subprocess.run(["unshare", "--mount", "--propagation", "private", "--",
                                sys.executable, os.path.abspath(__file__), "enospc-inside",
                                mount_point, tmp], timeout=900)
        return inner.returncode


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "map-full"
    if mode == "map-full":
        map_full()
    elif mode == "enospc":
        sys.exit(enospc())
    elif mode == "enospc-inside":
        sys.exit(enospc_inside(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(f"unknown mode {mode}: map-full or enospc")
