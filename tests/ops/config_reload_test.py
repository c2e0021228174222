"""SIGHUP reloads ifexnode.toml (docs/operations.md, "Reloading the configuration"): the [log]
section applies at once (level, per-subsystem levels, format), other changed keys are named as
needing a restart, `run --log-level` keeps winning, and a file that does not load is logged as an
error while the node keeps running with its settings. Real `ifexnode run` processes on loopback,
signalled and stopped by PID."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import set_config  # noqa: E402
from ops_support import BIN, Node, free_port, publish, read, reap, spawn_run, stop_everything, \
    wait_listening, wait_until  # noqa: E402

WAIT_S = 30  # the bound on every wait; none is a timing assertion


def records(path):
    """The JSON lines of a log; a line that is not JSON fails the test where it is read."""
    return [json.loads(line) for line in read(path).splitlines()]


def events(path, name):
    return [r for r in records(path) if r["event"] == name]


class ConfigReloadTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.log = os.path.join(self.node.tmp.name, "run.log")
        self.config = os.path.join(self.node.data, "ifexnode.toml")
        set_config(self.node.data, "log", "format", "json")

    def tearDown(self):
        stop_everything()
        self.node.close()

    def start(self, *extra):
        self.node.port = free_port()
        proc = spawn_run(self.node.data, self.node.port, self.log, *extra)
        return proc

    def hup_and_wait(self, proc, event, count):
        """Sends SIGHUP to the node's PID and waits for its count-th `event` record."""
        os.kill(proc.pid, signal.SIGHUP)
        wait_until(lambda: proc.poll() is not None or len(events(self.log, event)) >= count,
                   WAIT_S, f"{count} {event} record(s)")
        self.assertIsNone(proc.poll(), f"the node ended on SIGHUP: {read(self.log)}")
        return events(self.log, event)[count - 1]

    def read_config(self):
        with open(self.config) as f:
            return f.read()

    def write_config(self, text):
        with open(self.config, "w") as f:
            f.write(text)

    def healthy(self):
        status, _, body = self.node.request("GET", "/healthz")
        return status == 200 and body == b"ok\n"

    def test_level_applies_live_and_a_broken_file_keeps_the_settings(self):
        proc = self.start()
        wait_listening(proc, self.node.port, self.log)
        self.assertEqual([r for r in records(self.log) if r["level"] == "debug"], [])

        set_config(self.node.data, "log", "level", "debug")
        set_config(self.node.data, "http", "cache_max_age_s", 60)
        reloaded = self.hup_and_wait(proc, "config_reloaded", 1)
        self.assertEqual(reloaded["level"], "info")
        self.assertEqual(reloaded["fields"],
                         {"applied": "log.level", "needs_restart": "http.cache_max_age_s"})
        self.assertIn("http.cache_max_age_s", reloaded["message"])
        # Debug events now appear: the indexer logs each batch it indexed at the debug level.
        publish(self.node.data, "an alert indexed after the reload")
        wait_until(lambda: events(self.log, "indexed"), WAIT_S, "a debug indexed event")
        self.assertEqual(events(self.log, "indexed")[0]["level"], "debug")
        # Only the [log] keys changed live: the HTTP cache lifetime is still the one of the start.
        status, headers, _ = self.node.request("GET", "/api/alerts")
        self.assertEqual(status, 200)
        self.assertIn("max-age=30", headers.get("cache-control", ""))

        # A file that does not parse: an error, and the node runs on with debug still on.
        good = self.read_config()
        self.write_config(good + "\n[log\nlevel = \n")
        failed = self.hup_and_wait(proc, "config_reload_failed", 1)
        self.assertEqual(failed["level"], "error")
        self.assertIn("ifexnode.toml", failed["message"])
        self.assertIn("keeping the settings in use", failed["message"])
        self.assertTrue(self.healthy())
        self.write_config(good)  # `publish` reads the file too; the node is not told
        before = len(events(self.log, "indexed"))
        publish(self.node.data, "an alert indexed after the failed reload")
        wait_until(lambda: len(events(self.log, "indexed")) > before, WAIT_S,
                   "a debug event after the failed reload")

        # A valid file with a bad value is refused the same way.
        self.write_config(good.replace('level = "debug"', 'level = "loud"'))
        failed = self.hup_and_wait(proc, "config_reload_failed", 2)
        self.assertIn("log.level must be", failed["message"])

        # Fixed and back to info: debug events stop (the alert below is indexed, but silently).
        self.write_config(good.replace('level = "debug"', 'level = "info"'))
        reloaded = self.hup_and_wait(proc, "config_reloaded", 2)
        self.assertEqual(reloaded["fields"]["applied"], "log.level")
        # The restart-only key is named again: it still differs from the running value.
        self.assertEqual(reloaded["fields"]["needs_restart"], "http.cache_max_age_s")
        self.assertEqual(reap(proc), 0)

    def test_levels_and_format_apply_live(self):
        proc = self.start()
        wait_listening(proc, self.node.port, self.log)
        set_config(self.node.data, "log", "levels", "index=debug")
        set_config(self.node.data, "log", "format", "text")
        os.kill(proc.pid, signal.SIGHUP)
        wait_until(lambda: "SIGHUP: reloaded ifexnode.toml: applied log.format,log.levels"
                   in read(self.log), WAIT_S, "the reload line in text")
        publish(self.node.data, "an alert indexed in text")
        wait_until(lambda: "debug indexed" in read(self.log), WAIT_S, "a debug line in text")
        self.assertEqual(reap(proc), 0)
        lines = read(self.log).splitlines()
        json_lines = [line for line in lines if line.startswith("{")]
        text_lines = [line for line in lines if not line.startswith("{")]
        self.assertTrue(json_lines and text_lines, lines)
        # JSON up to the reload, text from the reload line on.
        first_text = lines.index(text_lines[0])
        self.assertEqual(lines[:first_text], json_lines)
        self.assertIn("SIGHUP: reloaded", text_lines[0])

    def test_log_level_flag_keeps_winning(self):
        # At warn the reload is not logged: the node's READY=1 after SIGHUP (sd_notify, to a
        # socket bound where systemd's would be) says it is done.
        notify_path = os.path.join(self.node.tmp.name, "notify.socket")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(0.2)
        self.node.port = free_port()
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        with open(self.log, "w") as out:
            proc = subprocess.Popen([BIN, "run", "--data", self.node.data, "--listen",
                                     f"127.0.0.1:{self.node.port}", "--log-level", "warn"],
                                    stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            self.wait_ready(notify, proc)
            set_config(self.node.data, "log", "level", "debug")
            set_config(self.node.data, "log", "levels", "index=debug")
            os.kill(proc.pid, signal.SIGHUP)
            self.wait_ready(notify, proc)
            publish(self.node.data, "an alert indexed at warn")
            # Once it is listed it has been indexed: a debug `indexed` event would be logged.
            wait_until(lambda: self.listed("an alert indexed at warn"), WAIT_S,
                       "the indexed alert")
        finally:
            self.assertEqual(reap(proc), 0)
            notify.close()
        for record in records(self.log):
            self.assertIn(record["level"], ["warn", "error"], record)

    def wait_ready(self, notify, proc):
        """Reads notify datagrams until one holds READY=1."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                if "READY=1" in notify.recv(4096).decode().split("\n"):
                    return
            except socket.timeout:
                self.assertIsNone(proc.poll(), read(self.log))
        self.fail(f"no READY=1 in {WAIT_S} s: {read(self.log)}")

    def listed(self, title):
        status, _, body = self.node.request("GET", "/api/alerts")
        return status == 200 and title in body.decode()


if __name__ == "__main__":
    unittest.main(verbosity=2)
