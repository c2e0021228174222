"""Dialing peers through a SOCKS5 proxy (issue 15), against Debian's real dante-server (`danted`)
that this test starts on loopback. Real `ifexnode run` processes:

  A serves ws:// and wss:// (a certificate from a CA this test makes with openssl).
  B dials ws://localhost through danted ([network] socks5_proxy): it replicates both ways, and
    danted's log shows the connection to A's port, so it went through the proxy.
  C dials wss://localhost through a second danted (peer add --socks5, over a proxy that is down
    in its config): TLS runs inside the tunnel to A, and that danted's log shows it.
  G has a proxy that is down in its config but dials A with --socks5 none: it replicates.
  D dials an .onion URL through danted: danted tries to resolve the name itself (its log says
    so) and answers reply 4, which D reports in words: the name went to the proxy, not to a
    local resolver. E dials the same URL with no proxy: it refuses with a clear message.
  F's proxy is down: F says it cannot reach the proxy, and keeps running and serving.
  `doctor` probes no peer dialed through a proxy, nor an onion service (no lookup, no connection).
danted's `username` method checks system accounts, so the RFC 1929 step (the isolation
credentials) is pinned byte for byte in tests/node/socks5_messages_test.cpp and run against a
scripted proxy in tests/node/socks5_connect_test.cpp instead; danted runs
with `socksmethod: none` here and picks "no authentication" from what the node offers.
Every process is stopped by PID (danted by its own process group) at the end."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import (FaultNode, cli, federation, free_port, refused_start,  # noqa: E402
                        sample_alert, set_config, stop_everything, wait_until)
from tls_test import make_ca, make_cert  # noqa: E402

DANTED = shutil.which("danted") or "/usr/sbin/danted"
ONION = "ifexnodetestxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"


class Danted:
    """One danted on 127.0.0.1, in the foreground, in a process group of its own (it forks its
    children into its group): stopped with killpg on that group, never by name."""

    def __init__(self, folder, name):
        self.folder = folder
        self.name = name
        self.port = free_port()
        self.log_path = os.path.join(folder, f"{name}.log")
        self.conf = os.path.join(folder, f"{name}.conf")
        with open(self.conf, "w") as f:
            f.write(f"""logoutput: {self.log_path}
internal: 127.0.0.1 port = {self.port}
external: 127.0.0.1
socksmethod: none
clientmethod: none
client pass {{
  from: 127.0.0.0/8 to: 0.0.0.0/0
  log: connect disconnect error
}}
socks pass {{
  from: 127.0.0.0/8 to: 0.0.0.0/0
  command: connect
  log: connect disconnect error
}}
""")
        self.proc = None

    def start(self):
        if not os.path.exists(DANTED):
            raise AssertionError("danted is not installed (apt install dante-server; "
                                 "scripts/install-deps.sh installs it)")
        self.out = open(os.path.join(self.folder, f"{self.name}.out"), "w")
        self.proc = subprocess.Popen([DANTED, "-f", self.conf, "-N", "1",
                                      "-p", os.path.join(self.folder, f"{self.name}.pid")],
                                     stdout=self.out, stderr=subprocess.STDOUT,
                                     start_new_session=True)

        def listening():
            if self.proc.poll() is not None:
                with open(self.out.name) as f:
                    raise AssertionError("danted exited: " + f.read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        wait_until(listening, 30, "danted to listen", every=0.1)

    def stop(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        # Its children may outlive the parent by a moment; the group ends with them.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.out.close()
        self.proc = None

    def connections_to(self, port):
        """danted's log lines of connections it made to 127.0.0.1:PORT."""
        to = re.compile(r"127\.0\.0\.1\.%d\b" % port)
        return [l for l in self.log_text().splitlines() if "tcp/connect" in l and to.search(l)]

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""


def publish(test, node, i):
    status, _, body = node.publish(sample_alert(i, tag=f"socks-{node.label}"))
    test.assertEqual(status, 201, body)
    return json.loads(body)["id"]


def dial_errors(node):
    return [l for l in node.log_text().splitlines() if "dial_failed" in l or "failed:" in l]


class Socks5Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="socks5-", dir=os.environ.get("IFEX_TEST_TMP"))
        cls.ca = make_ca(cls.tmp, "test-ca")
        cls.cert, cls.key = make_cert(cls.tmp, "node-a", "test-ca", "DNS:localhost")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.addCleanup(stop_everything)
        self.danted = Danted(self.tmp, "danted-1")
        self.addCleanup(self.danted.stop)
        self.danted.start()
        self.danted_c = Danted(self.tmp, "danted-2")
        self.addCleanup(self.danted_c.stop)
        self.danted_c.start()
        proxy = f"127.0.0.1:{self.danted.port}"
        dead_proxy = f"127.0.0.1:{free_port()}"  # nothing listens there
        self.a, self.b, self.c, self.d, self.e, self.f, self.g = federation(
            ["A", "B", "C", "D", "E", "F", "G"])
        shutil.copy(self.cert, os.path.join(self.a.data, "tls.crt"))
        shutil.copy(self.key, os.path.join(self.a.data, "tls.key"))
        set_config(self.a.data, "tls", "cert_file", "tls.crt")
        set_config(self.a.data, "tls", "key_file", "tls.key")
        for n in (self.b, self.c, self.d, self.e, self.f, self.g):
            set_config(n.data, "network", "reconnect_min_ms", 50)
            set_config(n.data, "network", "reconnect_max_ms", 300)
        set_config(self.b.data, "network", "socks5_proxy", proxy)
        set_config(self.d.data, "network", "socks5_proxy", proxy)
        set_config(self.f.data, "network", "socks5_proxy", dead_proxy)
        set_config(self.g.data, "network", "socks5_proxy", dead_proxy)
        set_config(self.c.data, "network", "socks5_proxy", dead_proxy)
        self.a.start()
        a_key, a_port = self.a.key, self.a.port
        cli("peer", "add", "--data", self.b.data, f"ws://localhost:{a_port}/gossip", a_key)
        cli("peer", "add", "--data", self.c.data, f"wss://localhost:{a_port}/gossip", a_key,
            "--ca", self.ca, "--socks5", f"127.0.0.1:{self.danted_c.port}")
        cli("peer", "add", "--data", self.g.data, f"ws://127.0.0.1:{a_port}/gossip", a_key,
            "--socks5", "none")
        cli("peer", "add", "--data", self.d.data, f"ws://{ONION}/gossip", a_key)
        cli("peer", "add", "--data", self.e.data, f"ws://{ONION}/gossip", a_key)
        cli("peer", "add", "--data", self.f.data, f"ws://127.0.0.1:{a_port}/gossip", a_key)
        for n in (self.b, self.c, self.d, self.e, self.f, self.g):
            n.start()

    def wait_log(self, node, text, what):
        try:
            wait_until(lambda: text in node.log_text(), 60, what)
        except AssertionError:
            raise AssertionError(f"{what}; {node.label}'s log ends:\n" + node.log_text()[-3000:])

    def test_replication_through_danted_and_refusals(self):
        from_a = publish(self, self.a, 1)
        for n in (self.b, self.c, self.g):
            wait_until(lambda n=n: from_a in n.ids(), 60, f"{n.label} to get A's alert")
        from_b = publish(self, self.b, 2)
        wait_until(lambda: from_b in self.a.ids(), 60, "A to get B's alert through the proxy")
        from_c = publish(self, self.c, 3)
        wait_until(lambda: from_c in self.a.ids(), 60, "A to get C's alert over wss in the tunnel")
        peers = {p["public_key"]
                 for p in self.a.get_json("/api/status", token=self.a.token)["peers"]}
        self.assertEqual(peers, {self.b.key, self.c.key, self.g.key})

        # Each danted carried its node's connection to A: B's by [network] socks5_proxy, C's by
        # its peer's own proxy. G went directly: the proxy in its config is down, and it is
        # dialed with --socks5 none.
        for proxy in (self.danted, self.danted_c):
            self.assertTrue(proxy.connections_to(self.a.port), proxy.log_text()[-3000:])

        # The onion name reached danted unresolved: it tried to look it up itself and failed.
        self.wait_log(self.d, "SOCKS5 reply 4: host unreachable",
                      "D to report danted's reply to the onion CONNECT")
        self.assertIn(f'could not resolve hostname "{ONION}"', self.danted.log_text())
        self.assertIn("the proxy could not reach the host", self.d.log_text())

        # Without a proxy the onion URL is never dialed (nor looked up).
        self.wait_log(self.e, "dialing it needs [network] socks5_proxy",
                      "E to refuse dialing an onion URL without a proxy")

        # A proxy that is down: a clear error, and the node keeps running and serving.
        self.wait_log(self.f, "cannot connect to the SOCKS5 proxy",
                      "F to report its proxy down")
        self.assertIsNone(self.f.proc.poll())
        self.assertIn("peers", self.f.get_json("/api/status", token=self.f.token))
        for n in (self.d, self.e, self.f):
            self.assertNotIn(from_a, n.ids())

        # doctor probes no peer that is dialed through a proxy, nor an onion service: a direct
        # probe would make the lookup and the connection the proxy is there to avoid.
        for n, said in ((self.b, "dialed through the SOCKS5 proxy"),
                        (self.e, "an onion service with no SOCKS5 proxy")):
            out = cli("doctor", "--data", n.data, "--json", "--peer-timeout-ms", "500",
                      check=False)[1]
            peers = [f for f in json.loads(out)["findings"] if f["check"] == "peers"]
            self.assertEqual(len(peers), 1, peers)
            self.assertIn(said, peers[0]["message"])
            self.assertIn("not probed", peers[0]["message"])

        # What `peer list` says of each peer's proxy.
        listed = json.loads(cli("peer", "list", "--data", self.c.data, "--json")[1])
        self.assertEqual(listed[0]["socks5"], f"127.0.0.1:{self.danted_c.port}")
        listed = json.loads(cli("peer", "list", "--data", self.b.data, "--json")[1])
        self.assertEqual(listed[0]["socks5"], "default")


class Socks5ConfigTest(unittest.TestCase):
    def test_a_proxy_named_by_host_name_is_refused(self):
        self.addCleanup(stop_everything)
        node = FaultNode("named")
        set_config(node.data, "network", "socks5_proxy", "localhost:9050")
        self.assertIn("socks5_proxy", refused_start(node))

    def test_peer_add_checks_its_proxy(self):
        node = FaultNode("adder")
        other = FaultNode("other")
        code, out, err = cli("peer", "add", "--data", node.data, "ws://127.0.0.1:7400/gossip",
                             other.key, "--socks5", "proxy.example:1080", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("an address, not a name", out + err)
        code, out, err = cli("peer", "add", "--data", node.data, f"ws://{ONION}/gossip",
                             other.key, "--socks5", "none", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("onion service", out + err)


if __name__ == "__main__":
    unittest.main()
