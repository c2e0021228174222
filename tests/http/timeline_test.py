"""GET /api/timeline (issue 18): alerts per year and per month of a year, by category, under
the common filters, end to end against a real `ifexnode` process. Every expected count is
computed here, by brute force, from the alerts this test published."""
import calendar
import collections
import datetime
import json
import os
import random
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from node_process import Node  # noqa: E402

COUNTRIES = ["TN", "EG", "MX", "TR"]
CATEGORIES = ["press-freedom", "detention", "impunity", "surveillance"]
LANGS = ["en", "fr", "es", "ar"]
BUSY_YEAR = 2012  # many alerts, in several months of it


def make_fixture(count=60, seed=1995):
    """Alerts over 1995-2025 (a third of them in BUSY_YEAR, one on a leap day, one dated before
    1995), across countries, categories (one or two) and languages (translations too)."""
    rng = random.Random(seed)
    alerts = []
    for i in range(count):
        lang = rng.choice(LANGS)
        year = BUSY_YEAR if i % 3 == 0 else rng.randint(1995, 2025)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        alert = {"lang": lang, "title": f"Alert {i}", "summary": f"Summary {i}",
                 "body": f"Body of alert {i}.", "country": rng.choice(COUNTRIES),
                 "categories": sorted(rng.sample(CATEGORIES, rng.randint(1, 2))),
                 "event_date": date}
        translated = rng.sample([x for x in LANGS if x != lang], rng.randint(0, 2))
        if translated:
            alert["translations"] = {t: {"title": f"T{i} {t}", "summary": "", "body": ""}
                                     for t in translated}
        alerts.append(alert)
    alerts[1]["event_date"] = "2012-02-29"
    alerts[2]["event_date"] = "1990-06-15"
    return alerts


def langs_of(alert):
    return [alert["lang"], *alert.get("translations", {}).keys()]


def matches(alert, filters):
    checks = {"country": lambda v: alert["country"] == v,
              "category": lambda v: v in alert["categories"],
              "lang": lambda v: v in langs_of(alert),
              "from": lambda v: alert["event_date"] >= v,
              "to": lambda v: alert["event_date"] <= v}
    return all(checks[k](v) for k, v in filters.items() if k in checks)


def brute_bins(alerts, year, stacked):
    """The bins as the API gives them, counted over `alerts`: every year from 1995 (or earlier)
    to this year, or the twelve months of `year`."""
    totals = collections.Counter()
    by_cat = collections.defaultdict(collections.Counter)
    for a in alerts:
        d = a["event_date"]
        if year is not None and int(d[:4]) != year:
            continue
        period = d[:7] if year is not None else d[:4]
        totals[period] += 1
        by_cat[period].update(a["categories"])
    if year is not None:
        periods = [(f"{year}-{m:02d}", f"{year}-{m:02d}-01",
                    f"{year}-{m:02d}-{calendar.monthrange(year, m)[1]:02d}") for m in range(1, 13)]
    else:
        years = [int(p) for p in totals] + [1995, datetime.datetime.now(datetime.timezone.utc).year]
        periods = [(f"{y}", f"{y}-01-01", f"{y}-12-31") for y in range(min(years), max(years) + 1)]
    out = []
    for period, start, end in periods:
        b = {"period": period, "from": start, "to": end, "count": totals[period]}
        if stacked:
            b["categories"] = dict(by_cat[period])
        out.append(b)
    return out


def comparable(bins):
    """The API's bins with each category list as a dict (its order is checked apart)."""
    out = []
    for b in bins:
        b = dict(b)
        if "categories" in b:
            b["categories"] = {e["value"]: e["count"] for e in b["categories"]}
        out.append(b)
    return out


class Timeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node("hub", "hub")
        try:
            cls.node.start()
            cls.alerts = make_fixture()
            for a in cls.alerts:
                status, _, body = cls.node.publish(a)
                assert status == 201, body
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

    def check(self, filters, year=None, stacked=False):
        params = dict(filters)
        if year is not None:
            params["year"] = str(year)
        if stacked:
            params["stack"] = "category"
        got = self.get("/api/timeline", **params)
        expected = [a for a in self.alerts if matches(a, filters)]
        want = brute_bins(expected, year, stacked)
        self.assertEqual(comparable(got["bins"]), want)
        self.assertEqual(got["unit"], "month" if year is not None else "year")
        self.assertEqual(got["year"], None if year is None else str(year))
        self.assertEqual(got["stack"], "category" if stacked else None)
        self.assertEqual(got["total"], sum(b["count"] for b in want))
        self.assertTrue(got["total_exact"])
        for b in got["bins"]:
            counts = [e["count"] for e in b.get("categories", [])]
            self.assertEqual(counts, sorted(counts, reverse=True))
            self.assertTrue(all(c > 0 for c in counts))
        return got

    def test_per_year_and_per_month(self):
        # None or one filter: read from the counts; two filters or dates: the bounded walk.
        for filters in [{}, {"country": "TN"}, {"category": "detention"}, {"lang": "ar"},
                        {"author": self.author}, {"country": "EG", "category": "impunity"},
                        {"lang": "fr", "country": "MX"}, {"from": "2000-01-01", "to": "2012-06-30"},
                        {"country": "TR", "from": "2012-03-01"}, {"country": "ZZ"}]:
            for year in [None, BUSY_YEAR, 1990, 2030]:
                for stacked in [False, True]:
                    with self.subTest(filters=filters, year=year, stacked=stacked):
                        self.check(filters, year, stacked)

    def test_years_run_from_1995_or_earlier_to_this_year_without_gaps(self):
        got = self.check({})
        years = [int(b["period"]) for b in got["bins"]]
        self.assertEqual(years, list(range(years[0], years[-1] + 1)))
        self.assertEqual(years[0], 1990)  # the fixture's one alert before 1995
        self.assertEqual(years[-1], datetime.datetime.now(datetime.timezone.utc).year)
        self.assertIn(0, [b["count"] for b in got["bins"]])  # zero years are listed
        self.assertEqual(self.check({"country": "ZZ"})["bins"][0]["period"], "1995")

    def test_totals_agree_with_the_listing(self):
        for filters in [{}, {"country": "TN"}, {"country": "EG", "category": "impunity"}]:
            with self.subTest(filters=filters):
                got = self.get("/api/timeline", **filters)
                listing = self.get("/api/alerts", limit=1, **filters)
                self.assertEqual(got["total"], listing["total"])
                for b in got["bins"]:
                    if b["count"]:
                        period = self.get("/api/alerts", limit=1, **filters,
                                          **{"from": b["from"], "to": b["to"]})
                        self.assertEqual(period["total"], b["count"], b["period"])

    def test_bad_parameters(self):
        for query, word in [("year=95", "year"), ("year=20121", "year"), ("stack=country", "stack"),
                            ("bucket=month", "bucket"), ("country=TUN", "country")]:
            with self.subTest(query=query):
                status, _, body = self.node.request("GET", "/api/timeline?" + query)
                self.assertEqual(status, 400)
                self.assertIn(word, json.loads(body)["error"])

    def test_cached_like_lists(self):
        status, headers, _ = self.node.request("GET", "/api/timeline?stack=category")
        self.assertEqual(status, 200)
        headers = {k.lower(): v for k, v in headers.items()}
        self.assertTrue(headers["cache-control"].startswith("public, max-age="))
        status, _, _ = self.node.request("GET", "/api/timeline?stack=category",
                                         headers={"If-None-Match": headers["etag"]})
        self.assertEqual(status, 304)


if __name__ == "__main__":
    unittest.main()
