"""Issue 11 item 1: one `ifexnode run` per data directory. A second run on the same data dir (on
another port) must exit non-zero naming the first one's pid; CLI writes go on working while a
node runs; after a kill -9 of the node, a new run starts (the lock cannot be left stale)."""
import os
import signal
import subprocess
import unittest

from ops_support import Node, free_port, publish, read, reap, spawn_run, stop_everything, \
    wait_listening


class RunLockTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.data = self.node.data
        self.tmp = self.node.tmp.name

    def tearDown(self):
        stop_everything()
        self.node.close()

    def start(self, label):
        port = free_port()
        log = os.path.join(self.tmp, label + ".log")
        proc = spawn_run(self.data, port, log)
        return proc, port, log

    def test_second_run_refused_and_lock_never_stale(self):
        first, port, log = self.start("first")
        wait_listening(first, port, log)

        second, _, second_log = self.start("second")
        try:
            code = second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.fail("a second run on the same data dir kept running: " + read(second_log))
        self.assertNotEqual(code, 0)
        text = read(second_log)
        self.assertIn("another ifexnode is running on " + self.data, text)
        self.assertIn(f"(pid {first.pid})", text)
        self.assertEqual(first.poll(), None, "the first node must keep running")

        # CLI writes do not take the run lock.
        publish(self.data, "published while the node runs")

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        third, port3, log3 = self.start("third")
        wait_listening(third, port3, log3)
        self.assertEqual(reap(third), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
