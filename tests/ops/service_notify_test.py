"""Issue 17: `ifexnode run` speaks systemd's notify protocol (Type=notify in the packaged unit).
The test binds the AF_UNIX datagram socket systemd would, names it in NOTIFY_SOCKET (a path, then
an abstract '@' name), sets WATCHDOG_USEC, and checks what arrives: READY=1 once the listener
accepts, WATCHDOG=1 pings, RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM."""
import os
import signal
import socket
import subprocess
import time
import unittest

from ops_support import BIN, Node, free_port, read, reap

WAIT_S = 30  # the bound on every wait below; none is a timing assertion


class NotifyListener:
    """The socket systemd binds for a service: datagrams, one state message each."""

    def __init__(self, address):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.messages = []

    def wait_for(self, line, proc, log):
        """Reads datagrams until one holds `line`; returns that message's lines."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                if proc.poll() is not None:
                    raise AssertionError(f"the node ended ({proc.returncode}) before {line}: "
                                         + read(log))
                continue
            lines = data.decode().split("\n")
            self.messages.append(lines)
            if line in lines:
                return lines
        raise AssertionError(f"no {line} in {WAIT_S} s; got {self.messages}: " + read(log))

    def close(self):
        self.sock.close()


class ServiceNotifyTest(unittest.TestCase):
    def setUp(self):
        self.node = Node(name="member-a", role="member")
        self.proc = None
        self.listener = None

    def tearDown(self):
        if self.proc is not None:
            reap(self.proc)
        if self.listener is not None:
            self.listener.close()
        self.node.close()

    def run_node(self, notify_socket):
        port = free_port()
        log = os.path.join(self.node.tmp.name, "node.log")
        env = dict(os.environ, NOTIFY_SOCKET=notify_socket, WATCHDOG_USEC="200000")
        with open(log, "w") as out:
            self.proc = subprocess.Popen([BIN, "run", "--data", self.node.data, "--listen",
                                          f"127.0.0.1:{port}"], stdout=out,
                                         stderr=subprocess.STDOUT, env=env)
        return port, log

    def check_lifecycle(self, address, notify_socket):
        self.listener = NotifyListener(address)
        port, log = self.run_node(notify_socket)
        ready = self.listener.wait_for("READY=1", self.proc, log)
        self.assertIn(f"STATUS=listening on 127.0.0.1:{port}", ready)
        # READY=1 promises the listener is bound: a connection succeeds right away.
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        for _ in range(2):  # the watchdog keeps pinging, not just once
            self.listener.wait_for("WATCHDOG=1", self.proc, log)

        self.proc.send_signal(signal.SIGHUP)
        reloading = self.listener.wait_for("RELOADING=1", self.proc, log)
        self.assertTrue(any(l.startswith("MONOTONIC_USEC=") for l in reloading), reloading)
        self.listener.wait_for("READY=1", self.proc, log)
        self.assertIsNone(self.proc.poll(), read(log))

        self.proc.send_signal(signal.SIGTERM)
        self.listener.wait_for("STOPPING=1", self.proc, log)
        self.assertEqual(self.proc.wait(timeout=WAIT_S), 0, read(log))

    def test_path_socket(self):
        path = os.path.join(self.node.tmp.name, "notify.sock")
        self.check_lifecycle(path, path)

    def test_abstract_socket(self):
        name = f"ifexnode-notify-test-{os.getpid()}"
        # Python binds an abstract name given with a leading NUL; systemd writes it with '@'.
        self.check_lifecycle("\0" + name, "@" + name)

    def test_no_socket_is_harmless(self):
        # NOTIFY_SOCKET naming nothing: the node runs and stops as without systemd.
        port, log = self.run_node(os.path.join(self.node.tmp.name, "nobody-listens.sock"))
        deadline = time.monotonic() + WAIT_S
        while f"listening on 127.0.0.1:{port}" not in read(log):
            self.assertIsNone(self.proc.poll(), read(log))
            self.assertLess(time.monotonic(), deadline, read(log))
            time.sleep(0.05)
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=WAIT_S), 0, read(log))


if __name__ == "__main__":
    unittest.main(verbosity=2)
