"""What a feed reader and an HTTP cache see, end to end against real `ifexnode` processes
(issue 11, items 8 and 9): the Atom feed lists new reports by when they were signed, newest
first, whatever their event date; imported archive records stay out of it unless asked for; and
every ETag changes when a byte of its representation does (an author's name, above all)."""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from node_process import Node, cli  # noqa: E402

HERE = os.path.dirname(__file__)
FIXTURE = os.path.join(HERE, "..", "fixtures", "legacy_fixture.jsonl")
CHECK_ATOM = os.path.join(HERE, "..", "feed", "check_atom.py")
ATOM = "{http://www.w3.org/2005/Atom}"
EVENT_DATE_SCHEME = "urn:ifexnode:event-date"


def legacy_dates():
    with open(FIXTURE, encoding="utf-8") as f:
        return {r["legacy_id"]: r["date"] for r in (json.loads(line) for line in f if line.strip())}


def french_alert(i, event_date):
    return {"lang": "fr", "title": f"Alerte numéro {i}", "summary": f"Résumé {i}",
            "body": f"Texte de l'alerte {i}.", "country": "TN", "categories": ["press-freedom"],
            "event_date": event_date}


class FeedOrder(unittest.TestCase):
    """A hub holding the fixture archive (imported first), then new reports with event dates in
    any order; the last one is dated 2024-03-01, before all the others."""

    @classmethod
    def setUpClass(cls):
        cls.node = Node("hub", "hub")
        try:
            cli("import-archive", "--data", cls.node.data, FIXTURE, "--json")
            cls.node.start()
            cls.new_ids = []  # in publication order
            for i, date in enumerate(["2025-06-01", "2025-05-01", "2025-07-01", "2025-04-01",
                                      "2025-08-01", "2025-03-01"]):
                status, _, body = cls.node.publish(french_alert(i, date))
                assert status == 201, body
                cls.new_ids.append(json.loads(body)["id"])
                time.sleep(0.002)  # distinct signing times, so the order is the publication's
            # Published today through the command line while the node runs, as in the report.
            _, out, _ = cli("publish", "--data", cls.node.data, "--json", "--lang", "fr",
                            "--country", "TN", "--category", "press-freedom", "--title",
                            "Publiée aujourd'hui, datée du 1er mars 2024", "--event-date",
                            "2024-03-01")
            cls.late_id = json.loads(out)["id"]
            cls.new_ids.append(cls.late_id)
            cls.node.wait_indexed()
        except BaseException:
            cls.node.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def feed(self, **params):
        path = "/feed.atom?" + urllib.parse.urlencode(params)
        status, headers, body = self.node.request("GET", path)
        self.assertEqual(status, 200, body[:300])
        self.assertTrue(headers["content-type"].startswith("application/atom+xml"))
        checked = subprocess.run([sys.executable, CHECK_ATOM, "/dev/stdin"], input=body,
                                 capture_output=True, timeout=60)
        self.assertEqual(checked.returncode, 0, checked.stderr.decode(errors="replace"))
        return ET.fromstring(body)

    @staticmethod
    def entry_id(entry):
        return entry.find(ATOM + "id").text.rsplit(":", 1)[1]

    def ids(self, feed):
        return [self.entry_id(e) for e in feed.findall(ATOM + "entry")]

    def test_newest_signed_first_whatever_the_event_date(self):
        newest_first = list(reversed(self.new_ids))
        self.assertEqual(self.ids(self.feed()), newest_first)
        for params in [{"limit": 3}, {"lang": "fr", "limit": 3}, {"country": "TN", "limit": 3}]:
            self.assertEqual(self.ids(self.feed(**params)), newest_first[:3], params)

    def test_archive_records_only_when_asked_for(self):
        self.assertFalse(set(self.ids(self.feed(limit=100))) - set(self.new_ids))
        with_archive = self.ids(self.feed(include="archive", limit=100))
        self.assertEqual(len(with_archive), len(self.new_ids) + len(legacy_dates()))
        # The archive went in first, so it follows every new report.
        self.assertEqual(with_archive[:len(self.new_ids)], list(reversed(self.new_ids)))
        status, _, body = self.node.request("GET", "/feed.atom?include=everything")
        self.assertEqual(status, 400)
        self.assertIn("include", json.loads(body)["error"])

    def test_dates_of_new_reports_and_archive_records(self):
        dates = legacy_dates()
        feed = self.feed(include="archive", limit=100)
        entries = feed.findall(ATOM + "entry")
        self.assertEqual(feed.find(ATOM + "updated").text, entries[0].find(ATOM + "updated").text)
        for entry in entries:
            alert = self.node.get_json("/api/alerts/" + self.entry_id(entry))
            published = entry.find(ATOM + "published").text
            updated = entry.find(ATOM + "updated").text
            legacy = alert["alert"].get("legacy_id", "")
            # updated: when it entered the federation (signed); published: first publication.
            self.assertEqual(updated, alert["created_at"])
            if legacy:
                self.assertEqual(published, dates[legacy] + "T00:00:00Z")
            else:
                self.assertEqual(published, alert["created_at"])
            shown = [c.get("term") for c in entry.findall(ATOM + "category")
                     if c.get("scheme") == EVENT_DATE_SCHEME]
            self.assertEqual(shown, [alert["event_date"]])
        late = [e for e in entries if self.entry_id(e) == self.late_id][0]
        label = [c.get("label") for c in late.findall(ATOM + "category")
                 if c.get("scheme") == EVENT_DATE_SCHEME]
        self.assertEqual(label, ["Event date 2024-03-01"])


class NameChange(unittest.TestCase):
    """A hub holding one alert of a rostered member; the member is renamed with the command line
    while the hub runs (the hub reads the roster from its store on every request)."""

    def setUp(self):
        self.hub = Node("hub", "hub")
        self.addCleanup(self.hub.close)
        member = Node("member", "member")
        self.addCleanup(member.close)
        _, out, _ = cli("id", "--data", member.data, "--json")
        self.member_key = json.loads(out)["public_key"]
        _, out, _ = cli("publish", "--data", member.data, "--json", "--lang", "en", "--country",
                        "TN", "--category", "press-freedom", "--title", "Reporter detained",
                        "--event-date", "2025-01-15")
        self.alert_id = json.loads(out)["id"]
        bundle = os.path.join(member.tmp.name, "member.bundle")
        cli("export", "--data", member.data, "--out", bundle)
        cli("roster", "add", "--data", self.hub.data, self.member_key, "--name", "Old Name")
        cli("import", "--data", self.hub.data, bundle)
        self.hub.start()
        self.hub.wait_indexed()

    def get(self, path, etag=None):
        return self.hub.request("GET", path, headers={"If-None-Match": etag} if etag else None)

    def author_names_in_feed(self, body):
        return [e.find(ATOM + "author/" + ATOM + "name").text
                for e in ET.fromstring(body).findall(ATOM + "entry")]

    def test_renaming_a_member_changes_every_etag_that_shows_the_name(self):
        paths = {"alert": "/api/alerts/" + self.alert_id, "feed": "/feed.atom",
                 "filtered feed": "/feed.atom?lang=en&limit=5"}
        before = {}
        for what, path in paths.items():
            status, headers, body = self.get(path)
            self.assertEqual(status, 200, what)
            before[what] = (headers["etag"], body)
            self.assertEqual(self.get(path, headers["etag"])[0], 304, what)
        self.assertEqual(json.loads(before["alert"][1])["author_name"], "Old Name")
        self.assertEqual(self.author_names_in_feed(before["feed"][1]), ["Old Name"])
        list_etag = self.get("/api/alerts")[1]["etag"]

        cli("roster", "add", "--data", self.hub.data, self.member_key, "--name", "New Name")

        for what, path in paths.items():
            old_etag, old_body = before[what]
            status, headers, body = self.get(path, old_etag)
            self.assertEqual(status, 200, f"{what}: the old ETag must not get a 304")
            self.assertNotEqual(body, old_body, what)
            self.assertNotEqual(headers["etag"], old_etag, what)
            self.assertEqual(self.get(path, headers["etag"])[0], 304, what)
        status, headers, body = self.get(paths["alert"])
        self.assertEqual(json.loads(body)["author_name"], "New Name")
        self.assertNotIn("immutable", headers["cache-control"])
        self.assertEqual(self.author_names_in_feed(self.get("/feed.atom")[2]), ["New Name"])
        # The list shows no names: its body, and so its tag, may stay; it must still revalidate.
        self.assertIn(self.get("/api/alerts", list_etag)[0], (200, 304))

    def test_alert_etag_is_the_same_for_the_same_bytes(self):
        path = "/api/alerts/" + self.alert_id
        first = self.get(path)
        second = self.get(path)
        self.assertEqual(first[1]["etag"], second[1]["etag"])
        self.assertEqual(first[2], second[2])
        self.assertFalse(first[1]["etag"].startswith("W/"))  # strong: byte-identical bodies
        self.assertEqual(self.get(path, "*")[0], 304)
        self.assertEqual(self.get("/api/alerts/" + "0" * 64, "*")[0], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
