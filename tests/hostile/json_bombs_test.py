"""JSON bombs and hostile bodies on POST /api/alerts, against a real `ifexnode run`: deep
nesting, huge numbers, duplicate keys, 10 MB bodies, bodies that never end. Each must get a 4xx
(or, for a request that never ends, be closed at request_timeout_ms), the node must go on
serving, and nothing may be stored. The time per case is printed, never asserted."""
import json
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hostile_http import Node, cli, entry_count, healthy, post_alert, send, set_config  # noqa: E402

REQUEST_TIMEOUT_MS = 2000
MB = 1024 * 1024


def alert(**fields):
    base = {"lang": "en", "country": "TN", "categories": ["press-freedom"],
            "title": "A valid title", "summary": "s", "body": "b"}
    base.update(fields)
    return base


def alert_text(**fields):
    return json.dumps(alert(**fields)).encode()


def nested(depth):
    return "[" * depth + "]" * depth


class JsonBombs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node("bombs", "hub")
        try:
            set_config(cls.node, "http", "request_timeout_ms", str(REQUEST_TIMEOUT_MS))
            cls.node.start()
        except BaseException:
            cls.node.close()
            raise
        cls.figures = []

    @classmethod
    def tearDownClass(cls):
        try:
            print("\ncase | status | seconds | reason or what happened")
            for row in cls.figures:
                print(" | ".join(row))
        finally:
            cls.node.close()

    def refused(self, name, body, expect, **kw):
        """Posts `body`; requires a status in `expect`, a reason for 400s, a node that still
        serves, and nothing stored."""
        stored_before = entry_count(self.node)
        answer = post_alert(self.node, body, **kw)
        why = answer.reason() or answer.note
        self.figures.append([name, str(answer.status), f"{answer.seconds:.3f}", why[:100]])
        self.assertIn(answer.status, expect, f"{name}: {answer.status} {answer.body[:200]!r} {answer.note}")
        if answer.status == 400:
            self.assertTrue(answer.reason(), f"{name}: a 400 without a reason")
        self.assertTrue(healthy(self.node), f"{name}: the node stopped serving")
        self.assertEqual(entry_count(self.node), stored_before, f"{name}: something was stored")
        return answer

    # ---- the control ----
    def test_0_control_valid_alert_is_refused_only_for_the_missing_token(self):
        # Without the token the same valid body is 401: the cases below fail on their bodies.
        answer = send(self.node.port, "POST", "/api/alerts", alert_text(),
                      {"Content-Type": "application/json"})
        self.assertEqual(answer.status, 401)

    # ---- nesting ----
    def test_nesting_depth_10(self):
        title = {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": "deep"}}}}}}}}}
        self.refused("nesting depth 10 (as the title)", alert_text(title=title), {400})

    def test_nesting_depth_1000(self):
        self.refused("nesting depth 1,000", nested(1000).encode(), {400})

    def test_nesting_depth_120000_within_the_body_limit(self):
        self.refused("nesting depth 120,000 (240 KB)", nested(120_000).encode(), {400})

    def test_nesting_depth_1000000(self):
        self.refused("nesting depth 1,000,000 (2 MB)", nested(1_000_000).encode(), {413})

    # ---- numbers ----
    def test_huge_exponent(self):
        self.refused("title 1e999999", alert_text().replace(b'"A valid title"', b"1e999999"), {400})
        self.refused("document 1e999999", b"1e999999", {400})
        self.refused("unknown field 1e999999",
                     alert_text().replace(b'{"lang"', b'{"x": 1e999999, "lang"'), {400})

    def test_negative_zero(self):
        self.refused("title -0", alert_text().replace(b'"A valid title"', b"-0"), {400})
        self.refused("event_date -0.0e-0", alert_text(event_date=None).replace(b"null", b"-0.0e-0"), {400})

    def test_integer_beyond_64_bits(self):
        self.refused("title 99999999999999999999999",
                     alert_text().replace(b'"A valid title"', b"99999999999999999999999"), {400})

    def test_a_hundred_thousand_digit_number(self):
        self.refused("title with 100,000 digits",
                     alert_text().replace(b'"A valid title"', b"1" * 100_000), {400})

    # ---- duplicate keys: a second value must not silently win ----
    def test_duplicate_title(self):
        body = b'{"lang": "en", "country": "TN", "categories": ["press-freedom"], ' \
               b'"title": "What the reviewer saw", "title": "What gets signed"}'
        self.refused("two \"title\" fields", body, {400})

    def test_duplicate_key_in_a_translation(self):
        body = b'{"lang": "en", "country": "TN", "categories": ["press-freedom"], "title": "t", ' \
               b'"translations": {"fr": {"title": "un", "title": "deux"}}}'
        self.refused("two \"title\" fields in translations.fr", body, {400})

    def test_duplicate_translation_language(self):
        body = b'{"lang": "en", "country": "TN", "categories": ["press-freedom"], "title": "t", ' \
               b'"translations": {"fr": {"title": "un"}, "fr": {"title": "deux"}}}'
        self.refused("two \"fr\" translations", body, {400})

    # ---- size ----
    def test_ten_megabytes(self):
        self.refused("10 MB body", alert_text(body="x" * (10 * MB)), {413})

    def test_ten_megabytes_of_whitespace(self):
        self.refused("10 MB of whitespace", b" " * (10 * MB) + alert_text(), {413})

    def test_ten_megabytes_claimed(self):
        # The length alone is over the limit: refused before the body arrives.
        self.refused("Content-Length 10 MB, 100 bytes sent", alert_text(), {413},
                     content_length=10 * MB, stall_after=100)

    def test_ten_megabytes_chunked(self):
        chunk = b"x" * 65536
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(160)) + b"0\r\n\r\n"
        answer = send(self.node.port, "POST", "/api/alerts", body,
                      {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                      token=self.node.token, content_length=False)
        self.figures.append(["10 MB chunked", str(answer.status), f"{answer.seconds:.3f}",
                             (answer.reason() or answer.note)[:100]])
        self.assertEqual(answer.status, 413)
        self.assertTrue(healthy(self.node))
        self.assertEqual(entry_count(self.node), 0)

    # ---- bodies that never end ----
    def test_body_that_never_ends(self):
        answer = post_alert(self.node, alert_text(), content_length=1000, stall_after=10,
                            timeout=REQUEST_TIMEOUT_MS / 1000 + 30)
        self.figures.append(["body never ends (10 of 1000 bytes)", str(answer.status),
                             f"{answer.seconds:.3f}", (answer.reason() or answer.note)[:100]])
        # Closed by the node (a 408, or silence), not held open until our own timeout.
        self.assertNotIn("no end of answer", answer.note)
        self.assertIn(answer.status, {None, 408})
        self.assertTrue(healthy(self.node))
        self.assertEqual(entry_count(self.node), 0)

    def test_headers_that_never_end(self):
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.node.port), timeout=30) as s:
            s.sendall(b"POST /api/alerts HTTP/1.1\r\nHost: x\r\nX-Slow: a")
            data = b""
            try:
                while True:
                    more = s.recv(4096)
                    if not more:
                        break
                    data += more
            except ConnectionResetError:
                pass
        seconds = time.monotonic() - start
        status = data.split(b" ")[1].decode() if data.startswith(b"HTTP/1.1 ") else "None"
        self.figures.append(["headers never end", status, f"{seconds:.3f}", "closed by the node"])
        self.assertLess(seconds, 30)  # closed by the node, not by our socket timeout
        self.assertTrue(healthy(self.node))

    # ---- odd documents ----
    def test_odd_documents(self):
        for name, body in [("empty body", b""), ("a lone {", b"{"), ("null", b"null"),
                           ("an array of alerts", b"[" + alert_text() + b"]"),
                           ("a byte-order mark", b"\xef\xbb\xbf" + alert_text()),
                           ("a comment", b"/* hi */" + alert_text()),
                           ("a trailing comma", alert_text()[:-1] + b",}"),
                           ("two documents", alert_text() + alert_text()),
                           ("NaN", alert_text().replace(b'"A valid title"', b"NaN"))]:
            self.refused(name, body, {400})
        self.refused("text/plain", alert_text(), {415}, content_type="text/plain")

    def test_z_nothing_stored_and_listing_empty(self):
        _, out, _ = cli("list", "--data", self.node.data, "--json")
        self.assertEqual(json.loads(out), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
