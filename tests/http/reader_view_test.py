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
        status, headers, body = self.node.request("GET", "/feed.atom?" + urllib.parse.urlencode(params))
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
