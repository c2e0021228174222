"""Two nodes replicating through Debian's nginx terminating TLS (issue 15): the documented
contrib/nginx/ifexnode-tls-proxy.conf, with only its marked lines changed, in front of node A,
which listens on plain loopback. B dials wss://127.0.0.1:NGINX/gossip trusting the test's CA.

  - alerts flow both ways through the proxy, and nginx's log shows the 101 upgrade of /gossip;
  - readers get the API over https through the same proxy;
  - the handshake inside still authenticates end to end: C, which dials the same proxy expecting
    another key than A's, is refused (the proxy cannot make a node accept someone else) and
    never gets A's alerts.
Every process (nodes, nginx and its workers) is stopped by PID at the end."""
import json
import os
import shutil
import ssl
import sys
import tempfile
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "faults"))
sys.path.insert(0, os.path.join(HERE, "..", "ops"))
sys.path.insert(0, HERE)
from fault_node import cli, federation, sample_alert, set_config, stop_everything, wait_until  # noqa: E402
from nginx_proxy import CachingProxy  # noqa: E402
from tls_test import make_ca, make_cert  # noqa: E402

TLS_CONF = os.path.join(HERE, "..", "..", "contrib", "nginx", "ifexnode-tls-proxy.conf")


class TlsProxy(CachingProxy):
    """nginx running ifexnode-tls-proxy.conf: TLS with the given certificate on 127.0.0.1."""

    def __init__(self, node_port, cert, key, ca):
        super().__init__(node_port)
        self.cert, self.key, self.ca = cert, key, ca

    def site(self):
        cert = shutil.copy(self.cert, os.path.join(self.prefix, "proxy.crt"))
        key = shutil.copy(self.key, os.path.join(self.prefix, "proxy.key"))
        with open(TLS_CONF) as f:
            text = f.read()
        edits = [("server 127.0.0.1:7400;", f"server 127.0.0.1:{self.node_port};"),
                 ("listen 443 ssl;", f"listen 127.0.0.1:{self.port} ssl;"),
                 ("ssl_certificate /etc/letsencrypt/live/hub.example.org/fullchain.pem;",
                  f"ssl_certificate {cert};"),
                 ("ssl_certificate_key /etc/letsencrypt/live/hub.example.org/privkey.pem;",
                  f"ssl_certificate_key {key};")]
        for old, new in edits:
            if text.count(old) != 1:
                raise AssertionError(f"{TLS_CONF}: expected '{old}' exactly once (an EDIT line)")
            text = text.replace(old, new)
        return text

    def probe(self):
        context = ssl.create_default_context(cafile=self.ca)
        with urllib.request.urlopen(f"https://127.0.0.1:{self.port}/healthz", timeout=5,
                                    context=context):
            pass


class TlsProxyTest(unittest.TestCase):
    def setUp(self):
        self.addCleanup(stop_everything)
        self.pki = tempfile.mkdtemp(prefix="tls-proxy-pki-", dir=os.environ.get("IFEX_TEST_TMP"))
        self.addCleanup(shutil.rmtree, self.pki, True)
        self.ca = make_ca(self.pki, "proxy-ca")
        cert, key = make_cert(self.pki, "proxy", "proxy-ca", "IP:127.0.0.1")
        self.a, self.b, self.c = federation(["A", "B", "C"])
        for n in (self.b, self.c):
            set_config(n.data, "network", "reconnect_min_ms", 50)
            set_config(n.data, "network", "reconnect_max_ms", 300)
        self.a.start()
        self.proxy = TlsProxy(self.a.port, cert, key, self.ca)
        self.proxy.start()
        self.addCleanup(self.proxy.close)
        url = f"wss://127.0.0.1:{self.proxy.port}/gossip"
        cli("peer", "add", "--data", self.b.data, url, self.a.key, "--ca", self.ca)
        # C names B's key for the node behind the proxy: the handshake must refuse A.
        cli("peer", "add", "--data", self.c.data, url, self.b.key, "--ca", self.ca)
        self.b.start()
        self.c.start()

    def publish(self, node, i):
        status, _, body = node.publish(sample_alert(i, tag=f"proxy-{node.label}"))
        self.assertEqual(status, 201, body)
        return json.loads(body)["id"]

    def test_replication_and_reads_through_the_proxy(self):
        from_a = self.publish(self.a, 1)
        wait_until(lambda: from_a in self.b.ids(), 60, "B to get A's alert through nginx")
        from_b = self.publish(self.b, 2)
        wait_until(lambda: from_b in self.a.ids(), 60, "A to get B's alert through nginx")
        with open(self.proxy.access_log) as f:
            upgrades = [l for l in f if '"GET /gossip HTTP/1.1" 101' in l]
        self.assertTrue(upgrades, "nginx logged no WebSocket upgrade of /gossip")

        context = ssl.create_default_context(cafile=self.ca)
        with urllib.request.urlopen(f"https://127.0.0.1:{self.proxy.port}/api/alerts",
                                    timeout=10, context=context) as r:
            ids = [a["id"] for a in json.loads(r.read())["alerts"]]
        self.assertIn(from_a, ids)

        # C reached A's TLS (the proxy's) but expected another node: refused, nothing learnt.
        wait_until(lambda: "cannot connect with" in self.c.log_text(), 60,
                   "C to fail its handshake through the proxy")
        self.assertNotIn(from_a, self.c.ids())
        peers = {p["public_key"] for p in self.a.get_json("/api/status", token=self.a.token)["peers"]}
        self.assertEqual(peers, {self.b.key})


if __name__ == "__main__":
    unittest.main(verbosity=2)
