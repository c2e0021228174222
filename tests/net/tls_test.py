"""TLS served by the node itself and dialed as wss:// (issue 15), with certificates from a CA
that this test makes with openssl. Real `ifexnode run` processes on loopback:

  A serves TLS: on its main port (beside plain HTTP and ws://, told apart by the first bytes)
    and on a second, TLS-only port on 127.0.0.2 ([tls] listen).
  B dials wss://127.0.0.1 trusting only the test CA (--ca): it replicates both ways.
  D dials the TLS-only port pinned to A's certificate (--tls-fingerprint): it replicates.
  G dials plain ws:// on A's main port: it replicates (older nodes keep working).
  C trusts another CA, E trusts the right CA but dials a name the certificate lacks: both are
    refused before any gossip byte, and say why in their logs; A never sees them as peers.
  HTTPS reads work on both ports; a plain request on the TLS-only port gets a clear 400.
  SIGHUP serves a renewed certificate without a restart; a broken renewal keeps the old one.
  A [tls] section that names a missing file stops the node at start with a clear message.
Every process is stopped by PID at the end."""
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import (FaultNode, cli, federation, free_port, refused_start,  # noqa: E402
                        sample_alert, set_config, stop_everything, wait_until)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(folder, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN={name}", cwd=folder)
    return os.path.join(folder, f"{name}.pem")


def make_cert(folder, name, ca, san):
    """A server certificate signed by `ca` for the subjectAltName `san`; returns (cert, key)."""
    with open(os.path.join(folder, f"{name}.ext"), "w") as f:
        f.write(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=folder)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.crt",
            cwd=folder)
    return os.path.join(folder, f"{name}.crt"), os.path.join(folder, f"{name}.key")


def cert_sha256(path):
    with open(path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return hashlib.sha256(der).hexdigest()


def served_sha256(host, port, cafile):
    """The SHA-256 of the certificate a TLS handshake to HOST:PORT gets (checked against cafile)."""
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


def https_get(host, port, path, cafile):
    context = ssl.create_default_context(cafile=cafile)
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    try:
        conn.request("GET", path)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def plain_get(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="tls-pki-", dir=os.environ.get("IFEX_TEST_TMP"))
        cls.ca = make_ca(cls.pki, "test-ca")
        cls.other_ca = make_ca(cls.pki, "other-ca")
        cls.cert, cls.key = make_cert(cls.pki, "node-a", "test-ca", "IP:127.0.0.1,DNS:localhost")
        cls.renewed_cert, cls.renewed_key = make_cert(cls.pki, "node-a-renewed", "test-ca",
                                                      "IP:127.0.0.1,DNS:localhost")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki, ignore_errors=True)

    def setUp(self):
        self.addCleanup(stop_everything)
        self.a, self.b, self.c, self.d, self.e, self.g = federation(["A", "B", "C", "D", "E", "G"])
        # The certificate lives in A's data dir, named relative to it, as an operator would.
        shutil.copy(self.cert, os.path.join(self.a.data, "tls.crt"))
        shutil.copy(self.key, os.path.join(self.a.data, "tls.key"))
        set_config(self.a.data, "tls", "cert_file", "tls.crt")
        set_config(self.a.data, "tls", "key_file", "tls.key")
        self.tls_port = free_port()
        set_config(self.a.data, "tls", "listen", f"127.0.0.2:{self.tls_port}")
        for n in (self.b, self.c, self.d, self.e, self.g):
            set_config(n.data, "network", "reconnect_min_ms", 50)
            set_config(n.data, "network", "reconnect_max_ms", 300)
        self.a.start()
        a_key = self.a.key
        cli("peer", "add", "--data", self.b.data, f"wss://127.0.0.1:{self.a.port}/gossip", a_key,
            "--ca", self.ca)
        cli("peer", "add", "--data", self.d.data, f"wss://127.0.0.2:{self.tls_port}/gossip", a_key,
            "--tls-fingerprint", self.colon_fingerprint(self.cert))
        cli("peer", "add", "--data", self.g.data, f"ws://127.0.0.1:{self.a.port}/gossip", a_key)
        cli("peer", "add", "--data", self.c.data, f"wss://localhost:{self.a.port}/gossip", a_key,
            "--ca", self.other_ca)
        cli("peer", "add", "--data", self.e.data, f"wss://127.0.0.2:{self.tls_port}/gossip", a_key,
            "--ca", self.ca)
        for n in (self.b, self.c, self.d, self.e, self.g):
            n.start()

    @staticmethod
    def colon_fingerprint(path):
        h = cert_sha256(path).upper()
        return ":".join(h[i:i + 2] for i in range(0, len(h), 2))

    def publish(self, node, i):
        status, _, body = node.publish(sample_alert(i, tag=f"tls-{node.label}"))
        self.assertEqual(status, 201, body)
        return json.loads(body)["id"]

    def test_wss_replication_trust_and_refusals(self):
        from_a = self.publish(self.a, 1)
        for n in (self.b, self.d, self.g):
            wait_until(lambda n=n: from_a in n.ids(), 60, f"{n.label} to get A's alert")
        from_b = self.publish(self.b, 2)
        wait_until(lambda: from_b in self.a.ids(), 60, "A to get B's alert over wss")
        from_d = self.publish(self.d, 3)
        wait_until(lambda: from_d in self.a.ids(), 60, "A to get D's alert over the TLS port")

        # C (another CA) and E (a name the certificate lacks) are refused at the TLS handshake.
        for n, why in ((self.c, "certificate"), (self.e, "certificate")):
            try:
                wait_until(lambda n=n: "TLS handshake with" in n.log_text(), 60,
                           f"{n.label} to log its refused TLS handshake")
            except AssertionError:
                raise AssertionError(n.log_text()[-3000:])
            line = next(l for l in n.log_text().splitlines() if "TLS handshake with" in l)
            self.assertIn(why, line)
            self.assertNotIn(from_a, n.ids())
        peers = {p["public_key"] for p in self.a.get_json("/api/status", token=self.a.token)["peers"]}
        self.assertEqual(peers, {self.b.key, self.d.key, self.g.key})

        # A counts the handshakes it could not finish (C and E hang up on its certificate).
        status, metrics = plain_get("127.0.0.1", self.a.port, "/metrics")
        self.assertEqual(status, 200)
        failed = [l for l in metrics.decode().splitlines()
                  if l.startswith("ifexnode_tls_handshakes_failed_total ")]
        self.assertEqual(len(failed), 1, metrics[:2000])
        self.assertGreater(float(failed[0].split()[1]), 0)

    def test_https_both_ports_and_tls_only_refusal(self):
        status, body = https_get("127.0.0.1", self.a.port, "/api/alerts", self.ca)
        self.assertEqual(status, 200, body)
        status, body = plain_get("127.0.0.1", self.a.port, "/api/alerts")
        self.assertEqual(status, 200, body)  # the main port still speaks plain HTTP
        context = ssl.create_default_context(cafile=self.ca)
        context.check_hostname = False  # 127.0.0.2 is not in the certificate; the chain is
        conn = http.client.HTTPSConnection("127.0.0.2", self.tls_port, context=context, timeout=10)
        conn.request("GET", "/api/alerts")
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        status, body = plain_get("127.0.0.2", self.tls_port, "/api/alerts")
        self.assertEqual(status, 400)
        self.assertIn(b"TLS only", body)
        with self.assertRaises(ssl.SSLError):
            https_get("127.0.0.1", self.a.port, "/api/alerts", self.other_ca)

    def test_sighup_serves_a_renewed_certificate(self):
        self.assertEqual(served_sha256("127.0.0.1", self.a.port, self.ca), cert_sha256(self.cert))
        shutil.copy(self.renewed_cert, os.path.join(self.a.data, "tls.crt"))
        shutil.copy(self.renewed_key, os.path.join(self.a.data, "tls.key"))
        self.a.proc.send_signal(signal.SIGHUP)
        renewed = cert_sha256(self.renewed_cert)
        wait_until(lambda: served_sha256("127.0.0.1", self.a.port, self.ca) == renewed, 30,
                   "A to serve the renewed certificate")
        self.assertIn("SIGHUP: now serving TLS with /CN=node-a-renewed", self.a.log_text())
        # A broken renewal (a truncated file) is refused, and the renewed certificate stays.
        with open(os.path.join(self.a.data, "tls.crt"), "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nMIIB\n")
        self.a.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "the TLS certificate was not reloaded" in self.a.log_text(), 30,
                   "A to refuse the renewal")
        self.assertEqual(served_sha256("127.0.0.1", self.a.port, self.ca), renewed)
        self.assertIsNone(self.a.proc.poll())
        # B, which trusts the CA, keeps replicating with the renewed certificate.
        from_a = self.publish(self.a, 4)
        wait_until(lambda: from_a in self.b.ids(), 60, "B to get A's alert after the renewal")


class TlsConfigTest(unittest.TestCase):
    def test_missing_certificate_stops_the_start(self):
        self.addCleanup(stop_everything)
        node = FaultNode("solo")
        set_config(node.data, "tls", "cert_file", "absent.crt")
        set_config(node.data, "tls", "key_file", "absent.key")
        self.assertIn("TLS certificate", refused_start(node))

    def test_half_a_tls_section_is_refused(self):
        node = FaultNode("half")
        set_config(node.data, "tls", "cert_file", "tls.crt")
        self.assertIn("tls.cert_file and tls.key_file go together", refused_start(node))

    def test_doctor_reads_the_certificate(self):
        pki = tempfile.mkdtemp(prefix="tls-doctor-", dir=os.environ.get("IFEX_TEST_TMP"))
        self.addCleanup(shutil.rmtree, pki, True)
        make_ca(pki, "doctor-ca")
        node = FaultNode("doc")
        cert, key = make_cert(pki, "short", "doctor-ca", "DNS:localhost")  # 2 days left
        set_config(node.data, "tls", "cert_file", cert)
        set_config(node.data, "tls", "key_file", key)
        os.chmod(key, 0o640)

        def findings():
            code, out, err = cli("doctor", "--data", node.data, "--json", "--peer-timeout-ms",
                                 "500", check=False)
            return {f["check"]: f for f in json.loads(out)["findings"]}

        found = findings()
        self.assertEqual(found["tls_certificate"]["severity"], "warn", found)
        self.assertIn("expires in", found["tls_certificate"]["message"])
        self.assertIn("renew", found["tls_certificate"]["action"])
        self.assertEqual(found["tls_key"]["severity"], "ok", found)
        os.chmod(key, 0o644)
        self.assertEqual(findings()["tls_key"]["severity"], "fail")
        openssl("x509", "-req", "-in", "short.csr", "-CA", "doctor-ca.pem", "-CAkey",
                "doctor-ca.key", "-days", "90", "-out", "long.crt", cwd=pki)
        set_config(node.data, "tls", "cert_file", os.path.join(pki, "long.crt"))
        found = findings()
        self.assertEqual(found["tls_certificate"]["severity"], "ok", found)
        # 90 days from `openssl x509` to the second; doctor rounds down what is left.
        self.assertRegex(found["tls_certificate"]["message"], r"is valid for (89|90) more days")

    def test_pins_only_for_wss(self):
        node = FaultNode("pins")
        other = FaultNode("other", network_key=node.network_key())
        code, _, err = cli("peer", "add", "--data", node.data, "ws://127.0.0.1:7400/gossip",
                           other.key, "--tls-fingerprint", "00" * 32, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("wss://", err)
        code, _, err = cli("peer", "add", "--data", node.data, "wss://127.0.0.1:7400/gossip",
                           other.key, "--tls-fingerprint", "abc", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("SHA-256", err)
        cli("peer", "add", "--data", node.data, "wss://127.0.0.1:7400/gossip", other.key,
            "--tls-fingerprint", "AB" * 32)
        listed = json.loads(cli("peer", "list", "--data", node.data, "--json")[1])
        self.assertEqual(listed[0]["tls"], {"certificate_sha256": "ab" * 32})
        self.assertEqual(listed[0]["urls"], ["wss://127.0.0.1:7400/gossip"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
