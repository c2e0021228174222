"""Issue 17, `ifexnode doctor`: each check finds what it is for, says what to do, and changes
nothing in the data directory. Real `ifexnode` processes on loopback, stopped by PID; the
clock check is fed by a peer address whose HTTP server's Date header is an hour ahead."""
import email.utils
import hashlib
import http.server
import json
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import set_config  # noqa: E402
from ops_support import Node, cli, free_port, spawn_run, stop_everything, \
    wait_listening  # noqa: E402


def doctor(data, *extra):
    code, out, err = cli("doctor", "--data", data, "--json", "--peer-timeout-ms", "2000", *extra,
                         check=False)
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
        return email.utils.formatdate(time.time() + 3600, usegmt=True)

    def log_message(self, *args):
        pass


class DoctorTest(unittest.TestCase):
    def setUp(self):
        self.a = Node(name="member-a", role="member")
        self.b = Node(name="member-b", role="member")
        self.tmp = self.a.tmp.name

    def tearDown(self):
        stop_everything()

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
        self.start(self.a)
        before = tree_digest(self.a.data, running=True)
        code, report, _ = doctor(self.a.data)
        # The test's keys are unencrypted (`init` without a passphrase): that alone is a warning.
        self.assertEqual(code, 1, report)
        self.assertEqual(report["worst"], "warn")
        self.assertEqual(severities(report, "key_encryption"), {"warn"})
        for check in ("data_dir", "data_format", "key_file", "admin_token", "config", "disk",
                      "listen", "store", "map_size", "forks", "peers", "clock"):
            self.assertEqual(severities(report, check), {"ok"}, (check, report))
        self.assertIn("answers", findings(report, "listen")[0]["message"])
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

    def test_a_clock_an_hour_off(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SkewedClock)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            b_key = json.loads(cli("id", "--data", self.b.data, "--json")[1])["public_key"]
            cli("peer", "add", "--data", self.a.data,
                f"ws://127.0.0.1:{server.server_address[1]}/gossip", b_key)
            code, report, _ = doctor(self.a.data)
        finally:
            server.shutdown()
            server.server_close()
        clock = findings(report, "clock")[0]
        self.assertEqual(clock["severity"], "warn", report)
        self.assertRegex(clock["message"], r"are 3[56]\d\d s from")
        self.assertIn("synchronise", clock["action"])
        # Within a larger bound it is fine.
        self.assertEqual(code, 1)

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
