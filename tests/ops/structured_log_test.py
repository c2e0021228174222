"""Issue 17, structured logs: `[log] format = "json"` writes one JSON object a line (time, level,
subsystem, event, message, fields); `format = "journald"` sends journald's native datagrams (to a
socket this test binds where journald's would be); `auto` picks journald exactly when
$JOURNAL_STREAM names stderr, as systemd sets it; `levels` sets a level per subsystem; a bad value
is refused with a clear message. Real `ifexnode run` processes on loopback, stopped by PID."""
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import set_config  # noqa: E402
from ops_support import BIN, Node, cli, free_port, publish, read, reap, spawn_run, \
    stop_everything, wait_listening, wait_until  # noqa: E402


def parse_journal_datagram(data):
    """journald's native protocol: NAME=value\\n, or NAME\\n + le64 length + value + \\n."""
    fields, i = {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            name, value = line.split(b"=", 1)
            i = nl + 1
        else:
            name = line
            (n,) = struct.unpack("<Q", data[nl + 1:nl + 9])
            value = data[nl + 9:nl + 9 + n]
            if data[nl + 9 + n:nl + 10 + n] != b"\n":
                raise AssertionError(f"no line break after a binary value: {data!r}")
            i = nl + 10 + n
        fields[name.decode()] = value.decode()
    return fields


class Journal:
    """A datagram socket where journald's would be; collects what the node sends."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.records = []

    def drain(self, timeout=0.0):
        while True:
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if not ready:
                return self.records
            self.records.append(parse_journal_datagram(self.sock.recv(1 << 20)))
            timeout = 0.0

    def wait_event(self, event, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.drain(0.1)
            if any(r.get("IFEX_EVENT") == event for r in self.records):
                return
        raise AssertionError(f"no {event} record in {timeout} s: {self.records}")

    def close(self):
        self.sock.close()


class StructuredLogTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.tmp = self.node.tmp.name
        self.port = free_port()
        self.log_path = os.path.join(self.tmp, "run.log")

    def tearDown(self):
        stop_everything()

    def run_node(self, *extra):
        return spawn_run(self.node.data, self.port, self.log_path, *extra)

    def test_json_lines_with_levels_per_subsystem(self):
        set_config(self.node.data, "log", "format", "json")
        set_config(self.node.data, "log", "levels", "index=debug")
        proc = self.run_node()
        wait_listening(proc, self.port, self.log_path)
        publish(self.node.data, "an alert to index")
        # The indexer logs each indexed batch at the debug level: on with index=debug.
        wait_until(lambda: '"event":"indexed"' in read(self.log_path), 30, "an indexed event")
        self.assertEqual(reap(proc), 0)
        lines = read(self.log_path).splitlines()
        self.assertTrue(lines)
        records = []
        for line in lines:
            record = json.loads(line)  # every line is one JSON object
            self.assertEqual(list(record), ["time", "level", "subsystem", "event", "message",
                                            "fields"], line)
            self.assertRegex(record["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(record["level"], ["debug", "info", "warn", "error"])
            self.assertIn(record["subsystem"],
                          ["node", "net", "gossip", "publish", "http", "index"])
            self.assertTrue(all(isinstance(v, str) for v in record["fields"].values()), line)
            records.append(record)
        events = [r["event"] for r in records]
        for expected in ("listening", "indexed", "stopping", "stopped"):
            self.assertIn(expected, events)
        listening = next(r for r in records if r["event"] == "listening")
        self.assertEqual(listening["fields"]["listen"], f"127.0.0.1:{self.port}")
        self.assertEqual(listening["fields"]["role"], "member")
        # Only the index subsystem was lowered to debug.
        debug_areas = {r["subsystem"] for r in records if r["level"] == "debug"}
        self.assertEqual(debug_areas, {"index"})

    def test_log_level_flag_wins_over_the_file(self):
        set_config(self.node.data, "log", "format", "json")
        set_config(self.node.data, "log", "levels", "index=debug")
        proc = self.run_node("--log-level", "warn")
        deadline = time.monotonic() + 30
        # At warn nothing logs that it listens: wait for the port instead.
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            self.assertIsNone(proc.poll(), read(self.log_path))
            time.sleep(0.05)
        publish(self.node.data, "an alert to index")
        time.sleep(1.0)  # let the indexer run a round or more; nothing may be logged for it
        self.assertEqual(reap(proc), 0)
        for line in read(self.log_path).splitlines():
            self.assertIn(json.loads(line)["level"], ["warn", "error"], line)

    def test_journald_records(self):
        journal = Journal(os.path.join(self.tmp, "journal.socket"))
        try:
            set_config(self.node.data, "log", "format", "journald")
            set_config(self.node.data, "log", "journal_socket", journal.path)
            proc = self.run_node()
            journal.wait_event("listening")
            self.assertEqual(reap(proc), 0)
            records = journal.drain(0.5)
        finally:
            journal.close()
        events = [r["IFEX_EVENT"] for r in records]
        self.assertIn("stopped", events)
        listening = next(r for r in records if r["IFEX_EVENT"] == "listening")
        self.assertEqual(listening["PRIORITY"], "6")
        self.assertEqual(listening["SYSLOG_IDENTIFIER"], "ifexnode")
        self.assertEqual(listening["IFEX_SUBSYSTEM"], "node")
        self.assertEqual(listening["IFEX_LISTEN"], f"127.0.0.1:{self.port}")
        self.assertIn(f"listening on 127.0.0.1:{self.port}", listening["MESSAGE"])
        # Everything went to the journal; stderr has nothing but what came before the config.
        self.assertNotIn("listening on", read(self.log_path))

    def test_auto_follows_journal_stream(self):
        journal = Journal(os.path.join(self.tmp, "journal.socket"))
        try:
            set_config(self.node.data, "log", "journal_socket", journal.path)  # format: auto
            # Without $JOURNAL_STREAM: text on stderr.
            proc = self.run_node()
            wait_listening(proc, self.port, self.log_path)
            self.assertEqual(reap(proc), 0)
            self.assertRegex(read(self.log_path),
                             r"(?m)^\d{4}-\d\d-\d\dT\S+Z info  node \S+ \(member-a, member\) "
                             r"listening on")
            self.assertEqual(journal.drain(0.2), [])
            # With $JOURNAL_STREAM naming the file stderr goes to, as systemd does: journald.
            with open(self.log_path, "w") as log:
                st = os.fstat(log.fileno())
                env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
                proc = subprocess.Popen([BIN, "run", "--data", self.node.data, "--listen",
                                         f"127.0.0.1:{self.port}"], stdout=log,
                                        stderr=subprocess.STDOUT, env=env)
            try:
                journal.wait_event("listening")
            finally:
                self.assertEqual(reap(proc), 0)
            self.assertNotIn("listening on", read(self.log_path))
        finally:
            journal.close()

    def test_missing_journal_falls_back_to_text(self):
        set_config(self.node.data, "log", "format", "journald")
        set_config(self.node.data, "log", "journal_socket", os.path.join(self.tmp, "absent"))
        proc = self.run_node()
        wait_listening(proc, self.port, self.log_path)
        self.assertEqual(reap(proc), 0)
        text = read(self.log_path)
        self.assertIn("cannot reach journald at", text)
        self.assertIn("stopped", text)

    def test_a_line_break_in_a_logged_string_cannot_forge_a_line(self):
        # The node's name is in the `listening` line; one with a line break, an escape
        # sequence and a forged event stands for any peer-supplied string that gets logged.
        forged = "2026-12-07T00:00:00.000Z error forged"
        name = f"member-a\n{forged}\u001b[2J"
        set_config(self.node.data, "node", "name", name)
        set_config(self.node.data, "log", "format", "text")
        proc = self.run_node()
        wait_listening(proc, self.port, self.log_path)
        self.assertEqual(reap(proc), 0)
        lines = read(self.log_path).splitlines()
        self.assertFalse([line for line in lines if line.startswith(forged)], lines)
        listening = [line for line in lines if "listening on" in line]
        self.assertEqual(len(listening), 1, lines)
        self.assertIn("(member-a\\n" + forged + "\\x1b[2J, member)", listening[0])
        self.assertNotIn("\x1b", read(self.log_path))

        # JSON: still one object a line, and the name comes back exactly.
        set_config(self.node.data, "log", "format", "json")
        proc = self.run_node()
        wait_listening(proc, self.port, self.log_path)
        self.assertEqual(reap(proc), 0)
        records = [json.loads(line) for line in read(self.log_path).splitlines()]
        listening = next(r for r in records if r["event"] == "listening")
        self.assertIn(f"({name}, member)", listening["message"])

    def test_bad_values_are_refused(self):
        for key, value, said in [("format", "xml", "log.format must be"),
                                 ("level", "loud", "log.level must be"),
                                 ("levels", "disk=debug", "log.levels must be")]:
            with self.subTest(key=key):
                node = Node(name="member-b", role="member")
                set_config(node.data, "log", key, value)
                code, _, err = cli("run", "--data", node.data, "--listen",
                                   f"127.0.0.1:{free_port()}", check=False, timeout=30)
                self.assertNotEqual(code, 0)
                self.assertIn(said, err)


if __name__ == "__main__":
    unittest.main()
