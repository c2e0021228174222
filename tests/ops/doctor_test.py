"""Issue 17, `ifexnode doctor`: each check finds what it is for, says what to do, and changes
nothing in the data directory: it opens the store read-only, so it neither waits on a writer nor
notes a restored store file. Peer probes run in parallel within one overall deadline. Real
`ifexnode` processes on loopback, stopped by PID; the clock check is fed by a peer address whose
HTTP server's Date header is two hours ahead; a peer that never answers is a listening socket
this test never accepts on; a writer holding the store is a helper process (LMDB via ctypes)."""
import email.utils
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import set_config  # noqa: E402
from ops_support import Node, cli, free_port, spawn_run, stop_everything, \
    wait_listening  # noqa: E402


def doctor(data, *extra):
    timeout = [] if "--peer-timeout-ms" in extra else ["--peer-timeout-ms", "2000"]
    code, out, err = cli("doctor", "--data", data, "--json", *timeout, *extra, check=False)
    if not out:
        raise AssertionError(f"doctor printed nothing (exit {code}): {err}")
    report = json.loads(out)
    return code, report, err


def findings(report, check):
    return [f for f in report["findings"] if f["check"] == check]


def severities(report, check):
    return {f["severity"] for f in findings(report, check)}


def tree_digest(root, running=False):
    """Every file under root with its mode and content hash (what doctor must leave alone), but
    LMDB's lock files (its reader table, written by any reader) and, while the node runs, what
    the node itself rewrites (its status file, store and index)."""
    out = {}
    for base, _, files in os.walk(root):
        if running and base != root:
            continue
        for name in files:
            if name == "lock.mdb" or (running and name == "status.json"):
                continue
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                out[path] = (os.stat(path).st_mode, hashlib.sha256(f.read()).hexdigest())
    return out


class SkewedClock(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")

    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(time.time() + 7200, usegmt=True)

    def log_message(self, *args):
        pass


# Opens the store with the system's LMDB and holds its write transaction until stdin closes:
# what a long import or a busy node looks like to a second process.
HOLD_WRITER = r"""
import ctypes, sys
lib = ctypes.CDLL("liblmdb.so.0")
env, txn = ctypes.c_void_p(), ctypes.c_void_p()
assert lib.mdb_env_create(ctypes.byref(env)) == 0
assert lib.mdb_env_set_mapsize(env, ctypes.c_size_t(1 << 30)) == 0
assert lib.mdb_env_open(env, sys.argv[1].encode(), 0, 0o600) == 0
assert lib.mdb_txn_begin(env, None, 0, ctypes.byref(txn)) == 0
print("holding", flush=True)
sys.stdin.read()
lib.mdb_txn_abort(txn)
lib.mdb_env_close(env)
"""


def file_state(path):
    with open(path, "rb") as f:
        return os.stat(path).st_mtime_ns, hashlib.sha256(f.read()).hexdigest()


class DoctorTest(unittest.TestCase):
    def setUp(self):
        self.a = Node(name="member-a", role="member")
        self.b = Node(name="member-b", role="member")
        self.tmp = self.a.tmp.name
        self.helpers = []

    def tearDown(self):
        stop_everything()
        for proc in self.helpers:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)

    def hold_writer(self, data):
        """Starts the helper that holds DATA's store write transaction; returns once it does."""
        proc = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, os.path.join(data, "store")],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.helpers.append(proc)
        self.assertEqual(proc.stdout.readline().strip(), "holding")
        return proc

    def b_key(self):
        return json.loads(cli("id", "--data", self.b.data, "--json")[1])["public_key"]

    def start(self, node):
        port = free_port()
        log = os.path.join(node.tmp.name, "run.log")
        proc = spawn_run(node.data, port, log)
        wait_listening(proc, port, log)
        set_config(node.data, "network", "listen", f"127.0.0.1:{port}")  # what doctor reads
        return proc, port

    def test_a_healthy_running_node(self):
        _, b_port = self.start(self.b)
        b_key = json.loads(cli("id", "--data", self.b.data, "--json")[1])["public_key"]
        cli("peer", "add", "--data", self.a.data, f"ws://127.0.0.1:{b_port}/gossip", b_key)
        a_proc, _ = self.start(self.a)
        before = tree_digest(self.a.data, running=True)
        code, report, _ = doctor(self.a.data)
        # The test's keys are unencrypted (`init` without a passphrase): that alone is a warning.
        self.assertEqual(code, 1, report)
        self.assertEqual(report["worst"], "warn")
        self.assertEqual(severities(report, "key_encryption"), {"warn"})
        for check in ("data_dir", "data_format", "key_file", "admin_token", "config", "disk",
                      "run_lock", "listen", "store", "map_size", "forks", "peers", "clock"):
            self.assertEqual(severities(report, check), {"ok"}, (check, report))
        self.assertIn("answers", findings(report, "listen")[0]["message"])
        self.assertIn(f"(pid {a_proc.pid})", findings(report, "run_lock")[0]["message"])
        self.assertIn(f"127.0.0.1:{b_port}", findings(report, "peers")[0]["message"])
        # Both nodes run on this host: their clocks agree to the second.
        self.assertRegex(findings(report, "clock")[0]["message"], r"are (-1|0|1) s from")
        for f in report["findings"]:
            self.assertTrue(f["severity"] == "ok" or f["action"], f)
        self.assertEqual(tree_digest(self.a.data, running=True), before)  # doctor changed nothing

    def test_what_it_finds(self):
        os.chmod(os.path.join(self.a.data, "admin.token"), 0o644)
        os.chmod(self.a.data, 0o755)
        dead_port = free_port()  # nothing listens there
        b_key = json.loads(cli("id", "--data", self.b.data, "--json")[1])["public_key"]
        cli("peer", "add", "--data", self.a.data, f"ws://127.0.0.1:{dead_port}/gossip", b_key)
        # A port held by another process, where the stopped node would listen.
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        set_config(self.a.data, "network", "listen", f"127.0.0.1:{holder.getsockname()[1]}")
        try:
            before = tree_digest(self.a.data)
            code, report, err = doctor(self.a.data)
        finally:
            holder.close()
        self.assertEqual(code, 2, report)
        self.assertIn("failing", err)
        token = findings(report, "admin_token")[0]
        self.assertEqual(token["severity"], "fail")
        self.assertIn("chmod 600", token["action"])
        self.assertEqual(severities(report, "data_dir"), {"warn"})
        self.assertIn("chmod 700", findings(report, "data_dir")[0]["action"])
        self.assertEqual(severities(report, "peers"), {"warn"})
        self.assertIn("unreachable", findings(report, "peers")[0]["message"])
        listen = findings(report, "listen")[0]
        self.assertEqual(listen["severity"], "fail")
        self.assertIn("cannot be bound", listen["message"])
        self.assertEqual(tree_digest(self.a.data), before)

    def test_clock_skew_bound_is_the_configs(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SkewedClock)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            cli("peer", "add", "--data", self.a.data,
                f"ws://127.0.0.1:{server.server_address[1]}/gossip", self.b_key())
            _, by_default, _ = doctor(self.a.data)  # [limits] max_clock_skew_s = 3600
            set_config(self.a.data, "limits", "max_clock_skew_s", 3 * 3600)
            _, wider, _ = doctor(self.a.data)
            _, flag, _ = doctor(self.a.data, "--max-clock-skew-s", "60")
        finally:
            server.shutdown()
            server.server_close()
        clock = findings(by_default, "clock")[0]
        self.assertEqual(clock["severity"], "warn", by_default)
        self.assertRegex(clock["message"], r"are 7[12]\d\d s from")
        self.assertIn("more than 3600 s", clock["message"])
        self.assertIn("synchronise", clock["action"])
        self.assertEqual(severities(wider, "clock"), {"ok"}, wider)
        self.assertIn("more than 10800 s", findings(wider, "clock")[0]["message"])
        self.assertEqual(severities(flag, "clock"), {"warn"}, flag)  # the flag wins

    def test_a_busy_writer_is_not_waited_on(self):
        """A running node, and another process holding the store's write transaction: doctor
        (and status) read beside it, and leave the store file as it was."""
        proc, _ = self.start(self.a)
        store_file = os.path.join(self.a.data, "store", "data.mdb")
        self.hold_writer(self.a.data)
        before = file_state(store_file)
        code, report, _ = doctor(self.a.data)  # cli() gives up after 120 s: not a hang
        self.assertEqual(severities(report, "store"), {"ok"}, report)
        self.assertEqual(severities(report, "run_lock"), {"ok"}, report)
        self.assertIn(f"(pid {proc.pid})", findings(report, "run_lock")[0]["message"])
        self.assertEqual(code, 1, report)  # the unencrypted test key
        self.assertIn("running", cli("status", "--data", self.a.data)[1])
        self.assertEqual(file_state(store_file), before)

    def test_a_restored_store_is_reported_not_marked(self):
        """A store file copied into place (a restore): the node's next start sets the
        store_copied hold; doctor only says so, and leaves the file's bytes and mtime alone."""
        store_file = os.path.join(self.a.data, "store", "data.mdb")
        copy = store_file + ".restored"
        shutil.copy2(store_file, copy)  # a new inode (the old file still holds its own)
        os.replace(copy, store_file)
        before = tree_digest(self.a.data)
        state = file_state(store_file)
        _, report, _ = doctor(self.a.data)
        self.assertEqual(severities(report, "publishing"), {"info"}, report)
        self.assertIn("is a copy", findings(report, "publishing")[0]["message"])
        self.assertEqual(file_state(store_file), state)
        self.assertEqual(tree_digest(self.a.data), before)
        _, out, _ = cli("publishing", "status", "--data", self.a.data, "--json")
        self.assertIn("store_copied", out)  # the first read-write open set it

    def test_a_host_name_listen_address(self):
        """`localhost:PORT` resolves, but the node binds IP addresses only: doctor says so and
        gives the address to write, and the node indeed refuses it."""
        port = free_port()
        set_config(self.a.data, "network", "listen", f"localhost:{port}")
        _, report, _ = doctor(self.a.data)
        listen = findings(report, "listen")[0]
        self.assertEqual(listen["severity"], "fail", report)
        self.assertIn("host name", listen["message"])
        self.assertIn("localhost is ", listen["message"])  # resolved, not "not numeric"
        self.assertRegex(listen["action"], r'listen = "(127\.0\.0\.1|\[::1\]):%d"' % port)
        code, _, err = cli("run", "--data", self.a.data, check=False, timeout=60)
        self.assertNotEqual(code, 0)
        self.assertIn("IP address", err)

    def test_unreachable_peers_are_probed_in_parallel_within_a_deadline(self):
        """A closed port, 40 addresses of a socket that never answers, and a peer found by name:
        each address gets its own timeout, the probes run side by side (one after the other
        they would take 40 s, past the 15 s for all), and a short overall deadline cuts all
        short."""
        black_hole = socket.socket()
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(1)  # never accepted: connects hang, or never get an answer
        answering = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SkewedClock)
        thread = threading.Thread(target=answering.serve_forever, daemon=True)
        thread.start()
        key = self.b_key()
        hole = black_hole.getsockname()[1]
        try:
            cli("peer", "add", "--data", self.a.data, f"ws://127.0.0.1:{free_port()}/gossip", key)
            cli("peer", "add", "--data", self.a.data,
                f"ws://localhost:{answering.server_address[1]}/gossip", key)
            for i in range(40):
                cli("peer", "add", "--data", self.a.data, f"ws://127.0.0.1:{hole}/g{i}", key)
            started = time.monotonic()
            _, report, _ = doctor(self.a.data, "--peer-timeout-ms", "1000",
                                  "--peers-deadline-ms", "15000")
            took = time.monotonic() - started
            _, cut, _ = doctor(self.a.data, "--peer-timeout-ms", "3000",
                               "--peers-deadline-ms", "500")
        finally:
            black_hole.close()
            answering.shutdown()
            answering.server_close()
        print(f"doctor with 42 peer addresses: {took:.1f} s", file=sys.stderr)
        peers = findings(report, "peers")
        self.assertEqual(len(peers), 42, report)
        answered = [f for f in peers if f["severity"] == "ok"]
        self.assertEqual(len(answered), 1, peers)
        self.assertIn("localhost", answered[0]["message"])
        holes = [f for f in peers if f"127.0.0.1:{hole}/" in f["message"]]
        self.assertEqual(len(holes), 40)
        for f in holes:
            self.assertEqual(f["severity"], "warn")
            self.assertRegex(f["message"], r"no answer within 1000 ms|timed out")
            self.assertNotIn("ran out", f["message"])
        cut_holes = [f for f in findings(cut, "peers") if f"127.0.0.1:{hole}/" in f["message"]]
        self.assertEqual(len(cut_holes), 40)
        for f in cut_holes:
            self.assertIn("time for all peers ran out", f["message"])

    def test_an_unreadable_run_lock_is_unknown(self):
        lock = os.path.join(self.a.data, "run.lock")
        if os.path.lexists(lock):
            os.unlink(lock)
        os.symlink("run.lock", lock)  # a loop: stat fails with ELOOP
        # Not init's default port, which another node on this host may hold.
        set_config(self.a.data, "network", "listen", f"127.0.0.1:{free_port()}")
        code, report, _ = doctor(self.a.data)
        run_lock = findings(report, "run_lock")[0]
        self.assertEqual(run_lock["severity"], "warn", report)
        self.assertIn("unknown", run_lock["message"])
        self.assertIn("regular file", run_lock["action"])
        listen = findings(report, "listen")[0]
        self.assertEqual(listen["severity"], "info", report)
        self.assertIn("nothing answers there", listen["message"])

    def test_broken_config_and_newer_format(self):
        path = os.path.join(self.a.data, "ifexnode.toml")
        with open(path, "a") as f:
            f.write("\n[network]\nlisten = 7\n")
        with open(os.path.join(self.a.data, "format"), "w") as f:
            f.write("ifexnode data format 99\n")
        code, report, _ = doctor(self.a.data)
        self.assertEqual(code, 2)
        self.assertEqual(severities(report, "config"), {"fail"})
        self.assertEqual(severities(report, "data_format"), {"fail"})
        self.assertIn("newer ifexnode", findings(report, "data_format")[0]["message"])
        self.assertEqual(severities(report, "data_dir"), {"ok"})  # checks go on after a failure

    def test_text_output_and_a_missing_dir(self):
        set_config(self.a.data, "network", "listen", f"127.0.0.1:{free_port()}")  # not 7400
        code, out, _ = cli("doctor", "--data", self.a.data, "--peer-timeout-ms", "500",
                           check=False)
        self.assertIn(code, (0, 1))
        self.assertRegex(out, r"(?m)^ok    config: ")
        self.assertRegex(out, r"(?m)^warn  key_encryption: .*\n      -> ")
        code, out, err = cli("doctor", "--data", os.path.join(self.tmp, "nowhere"), "--json",
                             check=False)
        self.assertEqual(code, 2)
        self.assertEqual(severities(json.loads(out), "data_dir"), {"fail"})


if __name__ == "__main__":
    unittest.main()
