"""Attacks on a running node's HTTP reader and connection budget from loopback (issue 11, S1-S4),
against real `ifexnode run` processes:
  S1 endless trailers, an endless chunk-size line, big trailer fields: the node's memory stays
     bounded, it refuses the request and an honest client is answered all along;
  S2 a CR/LF in an alert id never becomes a header of the answer;
  S3 slow clients from many addresses cannot lock out honest readers or a member's gossip
     connection; caps apply per /24; a stalled header is closed before a stalled body;
  S4 a Transfer-Encoding other than "chunked" is a 400 and a close (nothing smuggled after it),
     refused connections are summarised in the log, and a relay without public reads shows a
     scanner nothing (no Server header, no page, no API).
Figures (RSS, answers) are printed; limits are asserted with wide margins, never speed."""
import json
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_node import cli, federation, sample_alert, set_config as set_toml, stop_everything, wait_until  # noqa: E402
from hostile_http import Node, send  # noqa: E402

MiB = 1024 * 1024


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


def raw_exchange(port, wire, timeout=10.0, source=None):
    """Sends `wire` on one connection and reads until the node closes; returns the bytes."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        if source:
            s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        s.sendall(wire)
        out = b""
        while True:
            try:
                data = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not data:
                break
            out += data
        return out
    finally:
        s.close()


def status_lines(raw):
    return [line for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.")]


class HonestReader(threading.Thread):
    """Asks /healthz every `every` seconds while an attack runs; counts answers."""

    def __init__(self, port, every=0.4, source="127.0.0.1"):
        super().__init__(daemon=True)
        self.port, self.every, self.source = port, every, source
        self.asked = self.answered = 0
        self.worst = 0.0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            self.asked += 1
            start = time.monotonic()
            try:
                raw = raw_exchange(self.port, b"GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
                                   timeout=3.0, source=self.source)
                if raw.startswith(b"HTTP/1.1 200"):
                    self.answered += 1
            except OSError:
                pass
            self.worst = max(self.worst, time.monotonic() - start)
            self.halt.wait(self.every)

    def stop(self):
        self.halt.set()
        self.join(timeout=10)


def stream_until_closed(port, head, unit, limit_bytes):
    """Sends `head`, then `unit` over and over up to `limit_bytes` or until the node stops
    reading; returns (bytes sent, the node's answer)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    sent = 0
    answer = b""
    try:
        s.sendall(head)
        block = unit * max(1, (64 * 1024) // len(unit))
        try:
            while sent < limit_bytes:
                s.sendall(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        try:
            s.settimeout(3)
            while True:
                data = s.recv(65536)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, socket.timeout, OSError):
            pass
    finally:
        s.close()
    return sent, answer


class WithOneHub(unittest.TestCase):
    """One running hub for the whole class, stopped by PID whatever happens."""
    NODE_NAME = "hub"

    @classmethod
    def setUpClass(cls):
        cls.node = Node(cls.NODE_NAME, "hub")
        try:
            cls.node.start()
        except BaseException:
            cls.node.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.node.close()


class MemoryBounds(WithOneHub):
    """S1: what Boost's parser does not bound, the node's read buffer does."""

    NODE_NAME = "trailers"

    def attack(self, name, head, unit, limit_bytes=200 * MiB):
        pid = self.node.proc.pid
        before = rss_bytes(pid)
        reader = HonestReader(self.node.port)
        reader.start()
        peak = [before]
        halt = threading.Event()

        def sample():
            while not halt.is_set():
                peak[0] = max(peak[0], rss_bytes(pid))
                halt.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            sent, answer = stream_until_closed(self.node.port, head, unit, limit_bytes)
        finally:
            halt.set()
            sampler.join(timeout=5)
            reader.stop()
        grown = (peak[0] - before) / MiB
        print(f"\n{name}: sent {sent / MiB:.1f} MiB before the node stopped reading; "
              f"RSS {before / MiB:.1f} -> peak {peak[0] / MiB:.1f} MiB (+{grown:.1f}); "
              f"answer {status_lines(answer)[:1]}; honest /healthz {reader.answered}/{reader.asked}, "
              f"slowest {reader.worst:.2f} s")
        self.assertTrue(answer.startswith(b"HTTP/1.1 4"), f"{name}: no 4xx answer: {answer[:200]!r}")
        self.assertLess(grown, 64, f"{name}: the node grew by {grown:.0f} MiB")
        self.assertLess(sent, 64 * MiB, f"{name}: the node kept reading {sent / MiB:.0f} MiB")
        self.assertEqual(reader.answered, reader.asked, f"{name}: honest requests went unanswered")
        self.assertTrue(send(self.node.port, "GET", "/healthz").status == 200)

    def test_endless_trailer_lines(self):
        head = (b"POST /api/alerts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: application/json\r\n\r\n0\r\n")
        self.attack("endless trailers", head, b"a:b\r\n")

    def test_big_trailer_fields(self):
        head = (b"POST /api/alerts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"1\r\na\r\n0\r\n")
        self.attack("1 KB trailer fields", head, b"x-t: " + b"v" * 1019 + b"\r\n")

    def test_endless_chunk_extension(self):
        head = (b"POST /api/alerts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5;ext=")
        self.attack("endless chunk extension", head, b"x")

    def test_endless_header_line(self):
        self.attack("endless header", b"GET / HTTP/1.1\r\nX-Long: ", b"y")


class Framing(WithOneHub):
    """S2 and S4: what reaches the wire, and what is read as a request."""

    NODE_NAME = "framing"

    def test_no_response_splitting_through_an_alert_id(self):
        wire = (b"GET /api/alerts/x%0d%0aSet-Cookie:%20pwn=1 HTTP/1.1\r\nHost: h\r\n"
                b"If-None-Match: *\r\nConnection: close\r\n\r\n")
        raw = raw_exchange(self.node.port, wire)
        head = raw.partition(b"\r\n\r\n")[0]
        print(f"\nsplitting attempt answered: {head.splitlines()[:1]}")
        self.assertNotIn(b"set-cookie", head.lower())
        self.assertNotIn(b"pwn", head)
        self.assertTrue(raw.startswith(b"HTTP/1.1 400"), raw[:200])
        # Encoded forms of NUL and a bare LF are refused the same way.
        for bad in (b"%00", b"%0a", b"%0d"):
            raw = raw_exchange(self.node.port, b"GET /api/alerts/" + b"a" * 30 + bad + b"b" * 31 +
                               b" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            self.assertTrue(raw.startswith(b"HTTP/1.1 400"), raw[:200])

    def test_transfer_encodings_other_than_chunked_are_refused(self):
        smuggled = b"GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n"
        for te in (b"xchunked", b"identity", b"chunked, identity", b"gzip, chunked", b"chunked\x0b"):
            wire = (b"POST /api/alerts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + te +
                    b"\r\n\r\n" + smuggled)
            raw = raw_exchange(self.node.port, wire)
            answers = status_lines(raw)
            print(f"Transfer-Encoding: {te!r} -> {answers}")
            self.assertEqual(len(answers), 1, f"{te!r}: the body was read as a request: {raw!r}")
            self.assertTrue(answers[0].startswith(b"HTTP/1.1 400"), f"{te!r}: {answers}")
        both = (b"POST /api/alerts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Length: 5\r\n\r\n0\r\n\r\n" + smuggled)
        answers = status_lines(raw_exchange(self.node.port, both))
        self.assertEqual(len(answers), 1, answers)
        self.assertTrue(answers[0].startswith(b"HTTP/1.1 400"), answers)

    def test_chunk_extensions_are_refused_and_plain_chunks_work(self):
        ext = (b"POST /api/alerts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"2;a=b\r\n{}\r\n0\r\n\r\n")
        self.assertTrue(raw_exchange(self.node.port, ext).startswith(b"HTTP/1.1 400"))
        # An honest chunked POST still reaches the API (401: no token), with its trailers.
        ok = (b"POST /api/alerts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
              b"Connection: close\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n")
        self.assertTrue(raw_exchange(self.node.port, ok).startswith(b"HTTP/1.1 401"))

    def test_no_server_header(self):
        answer = send(self.node.port, "GET", "/healthz")
        self.assertEqual(answer.status, 200)
        self.assertNotIn("server", answer.headers)


class ConnectionBudget(unittest.TestCase):
    """S3 and the log part of S4, with a member's node dialing the hub during the attack."""

    HEADER_TIMEOUT_MS = 1500
    REQUEST_TIMEOUT_MS = 6000

    @classmethod
    def setUpClass(cls):
        try:
            cls.hub, cls.member = federation(["hub", "member"])
            set_toml(cls.hub.data, "http", "header_timeout_ms", cls.HEADER_TIMEOUT_MS)
            set_toml(cls.hub.data, "http", "request_timeout_ms", cls.REQUEST_TIMEOUT_MS)
            cls.hub.log_level = "info"
            cls.hub.start()
        except BaseException:
            stop_everything()
            raise

    @classmethod
    def tearDownClass(cls):
        stop_everything()
        for n in (cls.hub, cls.member):
            n.close()

    def slow_connection(self, source):
        """A client that sends half a request header and then nothing."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        s.bind((source, 0))
        s.connect(("127.0.0.1", self.hub.port))
        s.sendall(b"GET /api/alerts HTTP/1.1\r\nHost: h\r\n")
        return s

    def test_slow_clients_from_many_prefixes_lock_nobody_out(self):
        reader = HonestReader(self.hub.port, every=0.4)
        held = []
        reader.start()
        try:
            # 40 attacker addresses in 40 different /24s, 8 connections each, up to 100 new ones a
            # second (each slow connection lives HEADER_TIMEOUT_MS): far more than the 64
            # unauthenticated slots and the 128 of the whole node.
            sources = [f"127.{10 + i}.{i % 7}.{1 + i % 200}" for i in range(40)]
            deadline = time.monotonic() + 10
            member_started = False
            i = 0
            while time.monotonic() < deadline:
                try:
                    held.append(self.slow_connection(sources[i % len(sources)]))
                except OSError:
                    pass
                i += 1
                if i == 200 and not member_started:
                    # The member dials the hub in the middle of the attack.
                    member_started = True
                    cli("peer", "add", "--data", self.member.data,
                        f"ws://127.0.0.1:{self.hub.port}/gossip", self.hub.key)
                    self.member.start()
                time.sleep(0.01)
            published = self.member.publish(sample_alert(1, "during-attack"))
            self.assertEqual(published[0], 201, published)
            alert_id = json.loads(published[2])["id"]
            wait_until(lambda: alert_id in self.hub.ids(), 30, "the member's alert at the hub")
        finally:
            reader.stop()
            for s in held:
                s.close()
        status = self.hub.get_json("/api/status", token=self.hub.token)
        counters = status.get("counters", status)
        print(f"\nslow clients opened: {i}; honest /healthz {reader.answered}/{reader.asked} "
              f"(slowest {reader.worst:.2f} s); evicted {counters.get('connections_evicted')}, "
              f"refused {counters.get('connections_refused')}")
        self.assertGreaterEqual(reader.answered, reader.asked - 1,
                                "honest readers were locked out by slow clients")
        self.assertGreater(counters.get("connections_evicted", 0), 0)

    def test_the_cap_counts_a_whole_slash_24(self):
        conns = [self.slow_connection(f"127.99.7.{1 + k}") for k in range(20)]
        try:
            time.sleep(0.3)  # well inside the header deadline
            alive = 0
            for s in conns:
                s.setblocking(False)
                try:
                    alive += 1 if s.recv(1, socket.MSG_PEEK) != b"" else 0
                except BlockingIOError:
                    alive += 1  # still open, waiting for the rest of its header
                except OSError:
                    pass
            print(f"\n20 connections from 20 addresses of one /24: {alive} kept")
            self.assertEqual(alive, 8)
        finally:
            for s in conns:
                s.close()

    def test_a_stalled_header_is_closed_before_a_stalled_body(self):
        def seconds_until_closed(wire):
            s = socket.create_connection(("127.0.0.1", self.hub.port), timeout=30)
            try:
                start = time.monotonic()
                s.sendall(wire)
                try:
                    while s.recv(4096):
                        pass
                except (ConnectionResetError, socket.timeout):
                    pass
                return time.monotonic() - start
            finally:
                s.close()

        header = seconds_until_closed(b"GET / HTTP/1.1\r\nHost: h\r\n")
        body = seconds_until_closed(b"POST /api/alerts HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n{")
        print(f"\nstalled header closed after {header:.2f} s, stalled body after {body:.2f} s "
              f"(header_timeout_ms {self.HEADER_TIMEOUT_MS}, request_timeout_ms {self.REQUEST_TIMEOUT_MS})")
        self.assertLess(header, self.REQUEST_TIMEOUT_MS / 1000 - 1)
        self.assertGreater(body, self.REQUEST_TIMEOUT_MS / 1000 - 1)

    def test_refused_connections_are_summarised_in_the_log(self):
        def refusal_lines():
            text = self.hub.log_text()
            return text.count("refusing connections") + text.count("refusing a connection")

        before = refusal_lines()
        conns = []
        try:
            for k in range(8):
                conns.append(self.slow_connection("127.98.1.1"))
            refused = 0
            for _ in range(2000):
                s = socket.socket()
                s.bind(("127.98.1.1", 0))  # the holders' own address: refused by every version
                try:
                    s.connect(("127.0.0.1", self.hub.port))
                    refused += 1
                except OSError:
                    pass
                finally:
                    s.close()
        finally:
            for s in conns:
                s.close()
        time.sleep(0.5)
        lines = refusal_lines() - before
        print(f"\n{refused} refused connections gave {lines} log lines")
        self.assertLessEqual(lines, 5)


class HiddenRelay(unittest.TestCase):
    """S4: a relay with public_reads = false tells a scanner nothing."""

    def test_a_relay_answers_a_bare_404_or_its_decoy(self):
        relay = Node("relay", "relay")
        try:
            relay.start()
            for path in ("/", "/healthz", "/api/status", "/api/alerts", "/feed.atom", "/metrics",
                         "/app.js", "/nothing", "/gossip"):
                answer = send(relay.port, "GET", path)
                text = answer.body.decode("latin-1").lower()
                self.assertEqual(answer.status, 404, (path, answer.status))
                self.assertNotIn("server", answer.headers, path)
                self.assertNotIn("www-authenticate", answer.headers, path)
                self.assertNotIn("ifex", text, path)
                self.assertNotIn("token", text, path)
            self.assertEqual(send(relay.port, "GET", "/healthz", token=relay.token).status, 200)
            self.assertEqual(send(relay.port, "GET", "/api/status", token=relay.token).status, 200)
            relay.stop()
            decoy = os.path.join(relay.tmp.name, "decoy.html")
            with open(decoy, "w") as f:
                f.write("<html><body>It works!</body></html>\n")
            set_toml(relay.data, "http", "decoy_file", decoy)
            relay.start()
            answer = send(relay.port, "GET", "/api/alerts")
            self.assertEqual(answer.status, 200)
            self.assertIn(b"It works!", answer.body)
            self.assertNotIn("server", answer.headers)
        finally:
            relay.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
