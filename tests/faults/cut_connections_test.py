"""Connections cut at random byte offsets during catch-up (issue 6, faults).

Node A holds a few thousand alerts (a generated archive, signed by `import-archive`), node B a few
hundred of its own. B's only peer URL for A points at a loopback proxy in this test, which cuts
each connection after a random number of bytes (both directions counted in the order forwarded;
seeded RNG, printed): a quarter of the cuts fall inside the WebSocket upgrade and the handshake,
the rest inside the catch-up streams, half of them with a TCP reset and half with a close. After
the cuts the proxy stops cutting and the two nodes must converge: the same ids on both, each
exactly once, every author's log 1..n without a gap, `verify` passing on both.

IFEX_FAULT_CUTS (default 100) sets the number of cuts; IFEX_FAULT_SEED the random seed."""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from archive_fixture import write_archive  # noqa: E402
from fault_node import cli, federation, sample_alert, set_config, stop_everything, wait_until  # noqa: E402
from loopback_proxy import LoopbackProxy  # noqa: E402

CUTS = int(os.environ.get("IFEX_FAULT_CUTS", "100"))
SEED = int(os.environ.get("IFEX_FAULT_SEED", str(int(time.time() * 1000) % 1_000_000)))
A_ALERTS, B_ALERTS = 4000, 300
HANDSHAKE_REGION = 1500      # the upgrade, four handshake messages and stream headers fit here
MAX_CUT_OFFSET = 80_000      # small against A's few MB, so the catch-up spans many connections
FRAME_BYTES = 16384


def cut_plan(rng):
    def plan(index):
        if index >= CUTS:
            return None, False
        if rng.random() < 0.25:
            offset = rng.randint(1, HANDSHAKE_REGION)
        else:
            offset = rng.randint(HANDSHAKE_REGION, MAX_CUT_OFFSET)
        return offset, rng.random() < 0.5
    return plan


def check_logs_complete(node, expected_by_author):
    entries = node.entry_list()
    ids = [e["id"] for e in entries]
    if len(set(ids)) != len(ids):
        raise AssertionError(f"{node.label} lists {len(ids) - len(set(ids))} ids twice")
    seqs = {}
    for e in entries:
        seqs.setdefault(e["author"], []).append(e["seq"])
    for author, count in expected_by_author.items():
        got = sorted(seqs.get(author, []))
        if got != list(range(1, count + 1)):
            raise AssertionError(f"{node.label}: log of {author[:16]}... holds {len(got)} seqs, "
                                 f"expected 1..{count}")
    return set(ids)


def main():
    print(f"cut_connections_test: {CUTS} cuts, seed {SEED} (IFEX_FAULT_SEED to replay)")
    rng = random.Random(SEED)
    a, b = federation(["A", "B"])
    started = time.monotonic()
    try:
        for node, count, prefix in ((a, A_ALERTS, "a"), (b, B_ALERTS, "b")):
            archive = write_archive(os.path.join(node.tmp.name, "archive.jsonl"), count, prefix)
            cli("import-archive", "--data", node.data, archive, "--json", timeout=600)
        # B reconnects quickly, so the cuts follow each other at the pace of the transfer.
        set_config(b.data, "network", "reconnect_min_ms", 20)
        set_config(b.data, "network", "reconnect_max_ms", 100)
        # Frames of 16 KiB rather than 128 KiB: a connection cut after tens of kilobytes then
        # delivers several whole catch-up messages and ends inside another, as a long transfer
        # cut anywhere does (with the default, a cut below 128 KiB would never deliver one).
        for n in (a, b):
            set_config(n.data, "limits", "max_entry_bytes", 8192)
            set_config(n.data, "network", "max_frame_bytes", FRAME_BYTES)
        print(f"  imported {A_ALERTS} alerts into A and {B_ALERTS} into B "
              f"({time.monotonic() - started:.1f} s)", flush=True)
        a.start()
        with LoopbackProxy(a.port, cut_plan(rng)) as proxy:
            cli("peer", "add", "--data", b.data, f"ws://127.0.0.1:{proxy.port}/gossip", a.key)
            b.start()
            extra = 0
            last_count, last_change = 0, time.monotonic()
            deadline = time.monotonic() + 600
            while len(proxy.cuts()) < CUTS:
                if time.monotonic() > deadline:
                    raise AssertionError(f"only {len(proxy.cuts())} cuts in 600 s")
                count = len(proxy.cuts())
                if count != last_count:
                    if count // 10 != last_count // 10:
                        held = b.get_json("/api/status")["entries"]
                        print(f"  {count:4d} cuts, B holds {held} of "
                              f"{A_ALERTS + B_ALERTS + extra}; "
                              f"{time.monotonic() - started:.1f} s", flush=True)
                    last_count, last_change = count, time.monotonic()
                elif time.monotonic() - last_change > 3:
                    # Catch-up finished before the last cuts: new alerts on A give the
                    # remaining connections bytes to carry (live push, then catch-up again).
                    for _ in range(20):
                        extra += 1
                        status, _, body = a.publish(sample_alert(extra, "late"))
                        if status != 201:
                            raise AssertionError(f"publish on A: {status} {body[:200]!r}")
                    last_change = time.monotonic()
                time.sleep(0.05)
            cuts = proxy.cuts()
            during = b.get_json('/api/status')['entries'] - B_ALERTS
            print(f"  {len(cuts)} cuts done: B stored {during} of A's entries meanwhile "
                  f"({sum(c.to_client for c in cuts)} bytes A->B carried by the cut connections); "
                  f"{extra} alerts published on A during the cuts", flush=True)

            expected = {a.key: A_ALERTS + extra, b.key: B_ALERTS}
            total = sum(expected.values())
            converge_from = time.monotonic()
            wait_until(lambda: len(b.ids()) >= total and len(a.ids()) >= total, 180,
                       f"both nodes to hold {total} entries", every=0.5)
            converge_s = time.monotonic() - converge_from
            a_ids = check_logs_complete(a, expected)
            b_ids = check_logs_complete(b, expected)
            if a_ids != b_ids or len(a_ids) != total:
                raise AssertionError(f"sets differ: A {len(a_ids)}, B {len(b_ids)}, "
                                     f"expected {total}; {len(a_ids ^ b_ids)} differ")
            ra, rb = a.verify(), b.verify()
            counters = b.get_json("/api/status").get("counters", {})
            offsets = [c.cut_at for c in cuts]
            in_handshake = sum(1 for o in offsets if o <= HANDSHAKE_REGION)
            print(f"  cut offsets (bytes): {offsets}")
            print(f"  cut directions: {sum(1 for c in cuts if c.cut_direction == 'to_client')} "
                  f"while sending A->B, {sum(1 for c in cuts if c.cut_direction == 'to_server')} "
                  f"B->A; {sum(1 for c in cuts if c.rst)} by reset; "
                  f"{len(proxy.connections)} connections in all")
            print(f"cut_connections_test: {len(cuts)} cuts ({in_handshake} within the first "
                  f"{HANDSHAKE_REGION} bytes, {len(cuts) - in_handshake} in the streams, "
                  f"{sum(c.forwarded for c in cuts)} bytes carried by cut connections); "
                  f"converged {converge_s:.1f} s after the last cut; A and B both hold "
                  f"{len(a_ids)} ids, no duplicate, logs 1..n; verify ok ({ra['entries']}, "
                  f"{rb['entries']} entries); B counted {counters.get('duplicates')} duplicate "
                  f"receipts; {time.monotonic() - started:.1f} s")
    finally:
        stop_everything()
        for n in (a, b):
            n.close()


if __name__ == "__main__":
    main()
