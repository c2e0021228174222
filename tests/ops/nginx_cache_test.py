"""Readers behind a caching proxy (docs/operations.md): Debian's nginx runs
contrib/nginx/ifexnode-cache.conf in front of a real `ifexnode run` on loopback. What the node
answers is counted by its own `ifexnode_http_requests_total`, read from the node directly (never
through the cache), so "served from the cache" means the node was not asked.

The tests share one node and one nginx and run in the order of their numbers: the last one
stops the node to see what readers get while it is down."""
import json
import os
import re
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nginx_proxy import CachingProxy, nginx_binary  # noqa: E402
from ops_support import Node  # noqa: E402

MAX_AGE_S = 3  # [http] cache_max_age_s for this node: short, so expiry is seen in the test
REPEAT = 20
COUNTER = re.compile(r'^ifexnode_http_requests_total\{code="(\dxx)"\} (\d+)', re.M)


def get(port, path, headers=None):
    """(status, headers with lower-case names, body) of GET http://127.0.0.1:PORT/PATH."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def set_http_config(data, **values):
    """Sets keys of the [http] table that `init` wrote into DATA/ifexnode.toml."""
    path = os.path.join(data, "ifexnode.toml")
    with open(path) as f:
        text = f.read()
    for key, value in values.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", lambda _: f"{key} = {value}", text)
        assert n == 1, f"{path}: no '{key} = ' line to change"
    with open(path, "w") as f:
        f.write(text)


def comparable(body):
    """A body as the node would give it again: a search's own timing left out."""
    if body.startswith(b"{"):
        answer = json.loads(body)
        answer.pop("took_ms", None)
        return answer
    return body


def alert(i):
    return {"lang": "en", "title": f"Cached alert number {i}", "summary": f"Summary {i}",
            "body": f"A newspaper office was raided, report {i}.", "country": "TN",
            "categories": ["press-freedom"], "event_date": f"2024-03-{1 + i % 28:02d}"}


class ReadersBehindNginx(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        nginx_binary()  # fails, never skips, when nginx is missing
        cls.node = Node("hub", "hub")
        cls.proxy = None
        try:
            # As docs/operations.md asks of a hub behind a proxy: feed links name the public site.
            set_http_config(cls.node.data, cache_max_age_s=str(MAX_AGE_S),
                            public_url="'https://alerts.example.org'")
            cls.node.start()
            cls.ids = []
            for i in range(6):
                status, _, body = cls.node.publish(alert(i))
                assert status == 201, body
                cls.ids.append(json.loads(body)["id"])
            cls.node.wait_indexed()
            cls.proxy = CachingProxy(cls.node.port).__enter__()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.proxy:
            cls.proxy.close()
        cls.node.close()

    # ---- helpers ----
    def via_proxy(self, path, headers=None):
        return get(self.proxy.port, path, headers)

    def node_counts(self):
        """The node's answered requests by class, read from the node itself."""
        status, _, body = get(self.node.port, "/metrics")
        self.assertEqual(status, 200)
        counts = {cls: int(n) for cls, n in COUNTER.findall(body.decode())}
        self.assertIn("2xx", counts, body[:500])
        return counts

    def assert_node_saw(self, before, expected, what):
        """The requests the node answered since `before` (a node_counts()), by class, are
        `expected`. Every /metrics read is itself counted once answered: the reads made here
        are taken off. Polled a little, as nginx's background updates end after its reply."""
        metrics_reads = 1  # the read that gave `before`
        deadline = time.monotonic() + 10
        while True:
            after = self.node_counts()
            seen = {c: after.get(c, 0) - before.get(c, 0) for c in after}
            seen["2xx"] -= metrics_reads
            seen = {c: n for c, n in seen.items() if n}
            metrics_reads += 1
            if seen == expected or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(seen, expected, f"{what}: the node answered {seen}, expected {expected}")

    # ---- the tests ----
    def test_1_repeated_reads_reach_the_node_once(self):
        resources = {"the list": "/api/alerts?limit=10", "one alert": "/api/alerts/" + self.ids[0],
                     "a search": "/api/search?" + urllib.parse.urlencode({"q": "newspaper"}),
                     "the feed": "/feed.atom?lang=en"}
        for what, path in resources.items():
            before = self.node_counts()
            answers = [self.via_proxy(path) for _ in range(REPEAT)]
            self.assert_node_saw(before, {"2xx": 1}, f"{REPEAT} reads of {what} ({path})")
            self.assertEqual({a[0] for a in answers}, {200}, what)
            self.assertEqual(len({a[2] for a in answers}), 1, f"{what}: bodies differ")
            cache = [a[1].get("x-cache-status") for a in answers]
            self.assertEqual(cache, ["MISS"] + ["HIT"] * (REPEAT - 1),
                             f"{what}: cache statuses (all within max-age {MAX_AGE_S} s)")
            self.assertEqual(answers[0][1]["cache-control"], f"public, max-age={MAX_AGE_S}")
            self.assertEqual(comparable(answers[0][2]), comparable(get(self.node.port, path)[2]),
                             f"{what}: not the node's answer")
        self.assertIn(self.ids[0].encode(), self.via_proxy(resources["the list"])[2])

    def test_2_conditional_reads_are_answered_by_the_cache(self):
        for path in ("/api/alerts?limit=7", "/api/alerts/" + self.ids[1]):
            status, headers, _ = self.via_proxy(path)
            self.assertEqual((status, headers["x-cache-status"]), (200, "MISS"), path)
            etag = headers["etag"]
            before = self.node_counts()
            status, headers, body = self.via_proxy(path, {"If-None-Match": etag})
            self.assertEqual((status, body), (304, b""), path)
            self.assertEqual(headers["etag"], etag, path)
            self.assertEqual(headers["x-cache-status"], "HIT", path)
            self.assert_node_saw(before, {}, f"a conditional read of {path}")
            status, _, _ = self.via_proxy(path, {"If-None-Match": '"someone-else"'})
            self.assertEqual(status, 200, f"{path}: another tag gets the body")

    def test_3_expired_copies_are_revalidated_with_an_etag(self):
        path = "/api/alerts/" + self.ids[2]
        status, headers, body = self.via_proxy(path)
        self.assertEqual((status, headers["x-cache-status"]), (200, "MISS"))
        time.sleep(MAX_AGE_S + 1)  # the copy is now past its max-age
        before = self.node_counts()
        status, headers, again = self.via_proxy(path)
        self.assertEqual((status, again), (200, body))
        # Served from the old copy while nginx asks the node with If-None-Match in the background.
        self.assertIn(headers["x-cache-status"], ("STALE", "REVALIDATED", "UPDATING"))
        self.assert_node_saw(before, {"3xx": 1}, "revalidating an unchanged alert (a 304)")
        status, headers, _ = self.via_proxy(path)
        self.assertEqual((status, headers["x-cache-status"]), (200, "HIT"), "fresh again")

    def test_4_a_new_alert_shows_within_max_age(self):
        path = "/api/alerts?limit=50"
        status, headers, body = self.via_proxy(path)
        self.assertEqual((status, headers["x-cache-status"]), (200, "MISS"))
        status, _, published = self.node.publish(alert(100))
        self.assertEqual(status, 201, published)
        new_id = json.loads(published)["id"]
        self.node.wait_indexed()
        published_at = time.monotonic()
        old_copies = []
        deadline = published_at + MAX_AGE_S + 10  # max-age, then one refresh: bounded wait
        while time.monotonic() < deadline:
            status, headers, body = self.via_proxy(path)
            self.assertEqual(status, 200)
            if new_id.encode() in body:
                break
            old_copies.append(headers["x-cache-status"])
            time.sleep(0.2)
        else:
            self.fail(f"the new alert was not listed through the cache after {MAX_AGE_S + 10} s "
                      f"(statuses {old_copies})")
        print(f"new alert listed through the cache {time.monotonic() - published_at:.1f} s after "
              f"it was indexed (max-age {MAX_AGE_S} s); old copies served: {old_copies}")
        # The old list was served only while fresh, or once while the refresh was under way.
        self.assertTrue(set(old_copies) <= {"HIT", "STALE", "UPDATING"}, old_copies)
        self.assertLessEqual(old_copies.count("STALE") + old_copies.count("UPDATING"), 2,
                             old_copies)

    def test_5_tokens_status_and_metrics_are_never_cached(self):
        token = {"Authorization": "Bearer " + self.node.token}
        path = "/api/alerts?limit=3"
        before = self.node_counts()
        for _ in range(3):
            status, headers, _ = self.via_proxy(path, token)
            self.assertEqual((status, headers["x-cache-status"]), (200, "BYPASS"))
        self.assert_node_saw(before, {"2xx": 3}, "reads with the admin token")
        status, headers, _ = self.via_proxy(path)
        self.assertEqual(headers["x-cache-status"], "MISS", "a token's answer was stored")

        status, _, admin = self.via_proxy("/api/status", token)
        self.assertEqual(status, 200)
        for _ in range(2):
            status, headers, public = self.via_proxy("/api/status")
            self.assertEqual((status, headers["x-cache-status"]), (200, "BYPASS"))
            self.assertLess(set(json.loads(public)), set(json.loads(admin)),
                            "the public status must be the cut-down view")
        status, _, _ = self.via_proxy("/api/auth/check")
        self.assertEqual(status, 401)

        before = self.node_counts()
        for _ in range(3):
            status, headers, body = self.via_proxy("/metrics")
            self.assertEqual(status, 200)
            self.assertNotIn("x-cache-status", headers)
            self.assertIn(b"ifexnode_http_requests_total", body)
        self.assert_node_saw(before, {"2xx": 3}, "/metrics through the proxy")
        self.assertEqual(self.via_proxy("/gossip")[0], 404)

    def test_6_readers_get_the_last_copy_while_the_node_is_down(self):
        path = "/api/alerts?limit=5"
        status, headers, body = self.via_proxy(path)
        self.assertEqual((status, headers["x-cache-status"]), (200, "MISS"))
        self.node.stop()
        time.sleep(MAX_AGE_S + 1)
        status, headers, again = self.via_proxy(path)
        self.assertEqual((status, again), (200, body))
        self.assertEqual(headers["x-cache-status"], "STALE")
        status, headers, _ = self.via_proxy("/api/status")
        self.assertEqual(status, 502, "uncached paths must show the node is down")


if __name__ == "__main__":
    unittest.main(verbosity=2)
