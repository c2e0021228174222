"""Totals, facet counts and date sorting of GET /api/alerts and GET /api/search (issue 18), end
to end against a real `ifexnode` process. The expected counts are computed here, by brute force,
from the alerts this test published; nothing expected is written down by hand."""
import collections
import json
import os
import random
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from node_process import Node  # noqa: E402

COUNTRIES = ["TN", "EG", "MX", "TR", "PH"]
CATEGORIES = ["press-freedom", "detention", "impunity", "surveillance", "censorship"]
LANGS = ["en", "fr", "es", "ar"]
WORD = "zorblax"  # a word only some of the fixture's alerts have


def make_fixture(count=48, seed=18):
    """Alerts across countries, categories, languages (translations too) and 30 years."""
    rng = random.Random(seed)
    alerts = []
    for i in range(count):
        lang = rng.choice(LANGS)
        alert = {"lang": lang, "title": f"Alert {i}" + (f" {WORD}" if i % 3 == 0 else ""),
                 "summary": f"Summary {i}", "body": f"Body of alert {i}.",
                 "country": rng.choice(COUNTRIES),
                 "categories": sorted(rng.sample(CATEGORIES, rng.randint(1, 2))),
                 "event_date": f"{rng.randint(1995, 2025)}-{rng.randint(1, 12):02d}-"
                               f"{rng.randint(1, 28):02d}"}
        others = [x for x in LANGS if x != lang]
        translated = rng.sample(others, rng.randint(0, 2))
        if translated:
            alert["translations"] = {t: {"title": f"T{i} {t}" + (f" {WORD}" if i % 3 == 0 else ""),
                                         "summary": "", "body": ""} for t in translated}
        alerts.append(alert)
    return alerts


def langs_of(alert):
    return [alert["lang"], *alert.get("translations", {}).keys()]


def matches(alert, filters):
    if "country" in filters and alert["country"] != filters["country"]:
        return False
    if "category" in filters and filters["category"] not in alert["categories"]:
        return False
    if "lang" in filters and filters["lang"] not in langs_of(alert):
        return False
    if "from" in filters and alert["event_date"] < filters["from"]:
        return False
    if "to" in filters and alert["event_date"] > filters["to"]:
        return False
    return True


def brute_facets(alerts, author):
    """The facets as the API gives them, counted over `alerts` (as a dict of value -> count)."""
    counts = {k: collections.Counter() for k in ["country", "category", "lang", "author", "year"]}
    for a in alerts:
        counts["country"][a["country"]] += 1
        counts["category"].update(a["categories"])
        counts["lang"].update(langs_of(a))
        counts["author"][author] += 1
        counts["year"][a["event_date"][:4]] += 1
    return {k: dict(v) for k, v in counts.items()}


def as_counts(facets):
    return {k: {e["value"]: e["count"] for e in v} for k, v in facets.items()}


class Facets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node("hub", "hub")
        try:
            cls.node.start()
            cls.alerts = make_fixture()
            cls.ids = {}
            for a in cls.alerts:
                status, _, body = cls.node.publish(a)
                assert status == 201, body
                cls.ids[json.loads(body)["id"]] = a
            cls.node.wait_indexed()
            cls.author = cls.node.get_json("/api/alerts?limit=1")["alerts"][0]["author"]
        except BaseException:
            cls.node.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def get(self, path, **params):
        return self.node.get_json(path + "?" + urllib.parse.urlencode(params))

    def check_shape(self, facets):
        self.assertEqual(list(facets), ["country", "category", "lang", "author", "year"])
        for name, entries in facets.items():
            counts = [e["count"] for e in entries]
            if name == "year":
                self.assertEqual([e["value"] for e in entries],
                                 sorted(e["value"] for e in entries))
            else:
                self.assertEqual(counts, sorted(counts, reverse=True), name)
            self.assertTrue(all(c > 0 for c in counts), name)

    def test_listing_total_and_facets(self):
        for filters in [{}, {"country": "TN"}, {"category": "detention", "lang": "fr"},
                        {"country": "EG", "category": "press-freedom"},
                        {"from": "2000-01-01", "to": "2014-12-31"},
                        {"lang": "ar", "from": "2010-01-01"}, {"country": "ZZ"}]:
            with self.subTest(filters=filters):
                expected = [a for a in self.alerts if matches(a, filters)]
                page = self.get("/api/alerts", limit=100, **filters)
                self.assertEqual(page["total"], len(expected))
                self.assertTrue(page["total_exact"])
                self.check_shape(page["facets"])
                self.assertEqual(as_counts(page["facets"]), brute_facets(expected, self.author))
                self.assertEqual(len(page["alerts"]), len(expected))
                named = [e for e in page["facets"]["author"] if e.get("name") == "hub"]
                self.assertEqual(len(named), 1 if expected else 0)

    def test_listing_later_pages_carry_no_counts(self):
        first = self.get("/api/alerts", limit=10)
        seen = [a["id"] for a in first["alerts"]]
        cursor = first["next_cursor"]
        for _ in range(20):  # bounded: 48 alerts, 10 a page
            if cursor is None:
                break
            page = self.get("/api/alerts", limit=10, cursor=cursor)
            self.assertNotIn("facets", page)
            self.assertNotIn("total", page)
            seen += [a["id"] for a in page["alerts"]]
            cursor = page["next_cursor"]
        self.assertEqual(len(seen), first["total"])
        self.assertEqual(sorted(seen), sorted(self.ids))

    def test_search_total_and_facets(self):
        for filters in [{}, {"country": "MX"}, {"category": "impunity", "lang": "en"},
                        {"from": "2005-01-01", "to": "2019-12-31"}]:
            with self.subTest(filters=filters):
                expected = [a for i, a in enumerate(self.alerts)
                            if i % 3 == 0 and matches(a, filters)]
                got = self.get("/api/search", q=WORD, limit=5, **filters)
                self.assertEqual(got["total"], len(expected))
                self.assertTrue(got["total_exact"])
                self.check_shape(got["facets"])
                self.assertEqual(as_counts(got["facets"]), brute_facets(expected, self.author))
                self.assertEqual(len(got["results"]), min(5, len(expected)))

    def test_search_sorted_by_date(self):
        expected = sorted(a["event_date"] for i, a in enumerate(self.alerts) if i % 3 == 0)
        for sort, order in [("newest", list(reversed(expected))), ("oldest", expected)]:
            with self.subTest(sort=sort):
                dates, offset = [], 0
                for _ in range(10):  # bounded: 16 matches, 5 a page
                    got = self.get("/api/search", q=WORD, sort=sort, limit=5, offset=offset)
                    self.assertEqual(got["sort"], sort)
                    dates += [r["date"] for r in got["results"]]
                    if got["next_offset"] is None:
                        break
                    offset = got["next_offset"]
                self.assertEqual(dates, order)
        got = self.get("/api/search", q=WORD)
        self.assertEqual(got["sort"], "relevance")
        status, _, body = self.node.request("GET", f"/api/search?q={WORD}&sort=date")
        self.assertEqual(status, 400)
        self.assertIn("sort", json.loads(body)["error"])


class BoundedSearchFacets(unittest.TestCase):
    """Past `[http] max_facet_matches`, a search's total and facets are estimates: the counts
    over the matches checked, scaled to the total (docs/http-api.md, `GET /api/search`)."""

    @classmethod
    def setUpClass(cls):
        cls.node = Node("hub", "hub")
        try:
            path = os.path.join(cls.node.data, "ifexnode.toml")
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(re.sub(r"(?m)^max_facet_matches = .*$", "max_facet_matches = 1000", text))
            cls.node.start()
            # 1,500 alerts, every one with the word "Body": more matches than the bound.
            cls.alerts = make_fixture(count=1500, seed=19)
            for a in cls.alerts:
                status, _, body = cls.node.publish(a)
                assert status == 201, body
            cls.node.wait_indexed(timeout=120)
            cls.author = cls.node.get_json("/api/alerts?limit=1")["alerts"][0]["author"]
        except BaseException:
            cls.node.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def test_counts_past_the_bound_are_scaled_estimates(self):
        got = self.node.get_json("/api/search?q=body&limit=5")
        self.assertFalse(got["total_exact"])
        # Past the bound the total is Xapian's estimate (the query is a word in four stemmers).
        self.assertEqual(got["total"], got["total_estimate"])
        self.assertGreaterEqual(got["total"], 1000)
        brute = brute_facets(self.alerts, self.author)
        counts = as_counts(got["facets"])
        self.assertEqual(set(counts["country"]), set(brute["country"]))
        for value, n in counts["country"].items():
            self.assertLessEqual(n, got["total"])
            # At least 1,000 of the 1,500 were checked: each estimate keeps the real share.
            share, real_share = n / got["total"], brute["country"][value] / len(self.alerts)
            self.assertLess(abs(share - real_share), 0.2 * real_share, (value, n, brute))
        # Scaled, not lower bounds: one country per alert, so the estimates add up to the total
        # (give or take rounding, one per value).
        self.assertLessEqual(abs(sum(counts["country"].values()) - got["total"]),
                             len(counts["country"]))
        self.assertEqual(counts["author"], {self.author: got["total"]})

    def test_counts_within_the_bound_stay_exact(self):
        expected = [a for i, a in enumerate(self.alerts) if i % 3 == 0 and a["country"] == "TN"]
        got = self.node.get_json(f"/api/search?q={WORD}&country=TN&limit=5")
        self.assertTrue(got["total_exact"])
        self.assertEqual(got["total"], len(expected))
        self.assertEqual(as_counts(got["facets"]), brute_facets(expected, self.author))


if __name__ == "__main__":
    unittest.main()
