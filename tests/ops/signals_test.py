"""Issue 11 item 6: signals. SIGHUP used to kill the node (exit 129, nothing logged): it must
leave the node running and answering, with a log line saying what it did. SIGTERM and SIGINT
stop it cleanly: exit 0 and a line naming the signal."""
import os
import signal
import subprocess
import time
import unittest

from ops_support import Node, free_port, read, spawn_run, stop_everything, wait_listening, \
    wait_until


class SignalsTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")

    def tearDown(self):
        stop_everything()
        self.node.close()

    def start(self, label):
        port = free_port()
        log = os.path.join(self.node.tmp.name, label + ".log")
        proc = spawn_run(self.node.data, port, log)
        wait_listening(proc, port, log)
        self.node.port = port
        return proc, log

    def healthy(self):
        status, _, body = self.node.request("GET", "/healthz")
        return status == 200 and body == b"ok\n"

    def stops_cleanly(self, proc, log, sig, name):
        proc.send_signal(sig)
        try:
            code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.fail(f"the node did not stop on {name}: " + read(log))
        self.assertEqual(code, 0, read(log))
        self.assertIn("stopping on " + name, read(log))
        self.assertIn("stopped", read(log).split("stopping on " + name, 1)[1])

    def test_hup_keeps_running_then_term_stops(self):
        proc, log = self.start("hup")
        for _ in range(2):  # a second HUP is handled too (the handler re-arms)
            proc.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            self.assertIsNone(proc.poll(), f"SIGHUP ended the node ({proc.returncode}): "
                              + read(log))
            self.assertTrue(self.healthy())
        wait_until(lambda: read(log).count("SIGHUP") >= 2, 10, "the SIGHUP log lines")
        self.stops_cleanly(proc, log, signal.SIGTERM, "SIGTERM")

    def test_int_stops_cleanly(self):
        proc, log = self.start("int")
        self.stops_cleanly(proc, log, signal.SIGINT, "SIGINT")


if __name__ == "__main__":
    unittest.main(verbosity=2)
