"""Equivocation behind a partition is found when the two sides meet (issue 19, F1).

Author F's seq 2 exists in two validly signed versions: the test signs #1, copies F's data
directory, signs #2 ("first history"), then puts the copy back and signs another #2 ("second
history"), as a restored backup or a censor holding F's key would. Real `ifexnode run` processes
on loopback: X holds F's #1 and first #2, Y holds #1 and the second #2, each imported from a
bundle while the two were apart. Then X dials Y. Both clocks say "F at 2"; with head ids in the
clocks (gossip version 2) each side sends the other its #2, so both build the fork proof and
freeze F's log within seconds, and neither keeps grafting.

Before issue 19 nothing was exchanged (the clocks carried seqs only), no proof was made, and this
test fails at the first wait."""
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import cli, federation, stop_everything, wait_until  # noqa: E402

WAIT_S = 30


def publish(node, title):
    out = cli("publish", "--data", node.data, "--json", "--lang", "en", "--country", "TN",
              "--category", "press-freedom", "--title", title, "--summary", "A summary.",
              "--body", "A newspaper office was raided.", "--source", "https://example.org/a")[1]
    return json.loads(out)["id"]


def export(node, author, path):
    cli("export", "--data", node.data, "--out", path, "--author", author, "--force")
    return path


def frozen(node, author):
    status = node.get_json("/api/status")
    return any(m["key"] == author and m["frozen"] for m in status["members"])


def counters(node):
    out = cli("status", "--data", node.data, "--json", check=False)[1]
    return json.loads(out)["counters"] if out.strip().startswith("{") else {}


def meet(dialer, listener, author):
    """Starts `listener`, then `dialer` dialing it; waits until both froze `author`'s log."""
    listener.start()
    cli("peer", "add", "--data", dialer.data, f"ws://127.0.0.1:{listener.port}/gossip",
        listener.key)
    dialer.start()
    joined = time.monotonic()
    wait_until(lambda: frozen(dialer, author) and frozen(listener, author), WAIT_S,
               f"a fork proof at both {dialer.label} and {listener.label}")
    print(f"fork proof at {dialer.label} and {listener.label} "
          f"{time.monotonic() - joined:.2f} s after {dialer.label} started")


def main():
    f, x, y, z, w = federation(["F", "X", "Y", "Z", "W"])
    try:
        publish(f, "fork test alert 1")
        backup = f.data + ".backup"
        shutil.copytree(f.data, backup)
        first_2 = publish(f, "first history, alert 2")
        bundle_a = export(f, f.key, os.path.join(f.tmp.name, "first.bundle"))
        first_3 = publish(f, "first history, alert 3")
        bundle_a3 = export(f, f.key, os.path.join(f.tmp.name, "first-3.bundle"))
        shutil.rmtree(f.data)
        shutil.copytree(backup, f.data)
        # The restored copy holds publishing (F2); this test forks F on purpose.
        cli("publishing", "release", "--data", f.data, "--accept-fork-risk")
        second_2 = publish(f, "second history, alert 2")
        bundle_b = export(f, f.key, os.path.join(f.tmp.name, "second.bundle"))
        assert first_2 != second_2

        # Apart: each side gets one history.
        cli("import", "--data", x.data, bundle_a)
        cli("import", "--data", y.data, bundle_b)
        assert first_2 in x.ids() and second_2 not in x.ids()
        assert second_2 in y.ids() and first_2 not in y.ids()

        meet(x, y, f.key)
        for node in (x, y):
            # The status file is rewritten every second.
            c = wait_until(lambda: (lambda c: c if c.get("fork_proofs", 0) >= 1 else None)(
                counters(node)), 10, f"{node.label}'s status to count the proof")
            assert c.get("grafts_sent", 0) <= 2, (node.label, c)  # no grafting loop
        # Each kept its own #2 and holds both signed versions in its proof: a restart or
        # `verify` finds the store intact.
        assert first_2 in x.ids() and second_2 not in x.ids()
        assert second_2 in y.ids() and first_2 not in y.ids()
        time.sleep(3)  # what a grafting loop would do meanwhile
        for node in (x, y):
            c = counters(node)
            assert c.get("grafts_sent", 0) <= 2, (node.label, c)
        x.stop()
        y.stop()
        x.verify()
        y.verify()

        # Unequal seqs: Z holds the first history up to #3, W the second up to #2. Z's
        # catch-up sends #3, whose prev is not W's #2: W asks Z for its #2 (once) instead of
        # grafting #3 again and again, and both freeze F.
        cli("import", "--data", z.data, bundle_a3)
        cli("import", "--data", w.data, bundle_b)
        assert first_3 in z.ids()
        meet(z, w, f.key)
        time.sleep(3)
        c = counters(w)
        assert c.get("grafts_sent", 0) <= 2, ("W", c)
        assert first_3 not in w.ids()
        print("ok: forks found at equal and at unequal seqs, no grafting loop")
    finally:
        stop_everything()


if __name__ == "__main__":
    main()
