"""Arabic and Unicode edge cases through POST /api/alerts, against a real `ifexnode run`: valid
text (bidi controls, ZWJ/ZWNJ, combining marks, NFC and NFD, emoji sequences) is stored as sent,
byte for byte, comes back exactly from GET /api/alerts/{id} and `ifexnode show`, and `ifexnode
verify` passes; invalid text (lone surrogates in JSON escapes, overlong forms, bytes that are
never UTF-8, surrogates encoded in UTF-8, C0/C1 controls) is a 400 naming the field, with
nothing stored. docs/protocol.md, "Validation rules": text is never normalised."""
import json
import os
import sys
import unicodedata
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hostile_http import Node, cli, entry_count, healthy, post_alert  # noqa: E402

PERSIAN_ZWNJ = "می\u200cخواهم"                 # "I want": the ZWNJ keeps the prefix unjoined
ARABIC_ZWJ = "\u0644\u200d\u0627 \u0639\u200d"  # forced joining forms
HARAKAT = "مُحَمَّدٌ صَحَفِيٌّ"                  # vowel marks, a shadda stacked on a vowel
NFC = unicodedata.normalize("NFC", "Journaliste arrêté à Médéa, Bouira, Kéllé")
NFD = unicodedata.normalize("NFD", NFC)

VALID = {
    "right-to-left override (U+202E ... U+202C)": ("Blogger fined \u202eeuqitirc\u202c for a post",
                                                  "\u202eunterminated override in the body"),
    "isolates (U+2066..U+2069)": ("\u2067مدونة\u2069 \u2066blog\u2069 \u2068x\u2069",
                                  "An unterminated isolate \u2067 here"),
    "marks (LRM, RLM, ALM)": ("\u200e2024\u200f \u061cعدد", "body \u200e\u200f\u061c"),
    "Persian with ZWNJ": (PERSIAN_ZWNJ, "روزنامه\u200cنگار بازداشت شد"),
    "Arabic with ZWJ": (ARABIC_ZWJ, ARABIC_ZWJ),
    "Arabic vowel marks": (HARAKAT, HARAKAT + "\n" + HARAKAT),
    "stacked combining marks": ("a\u0301\u0302\u0303\u0304 Z\u0335\u0336\u0337", "e\u0301"),
    "NFC": (NFC, NFC),
    "NFD of the same words": (NFD, NFD),
    "emoji ZWJ sequences and flags": ("\U0001f469\u200d\U0001f4bb \U0001f3f3\ufe0f\u200d\U0001f308 "
                                      "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 "
                                      "\U0001f1f9\U0001f1f3", "\U0001f9d1\U0001f3fd\u200d\u2696\ufe0f"),
    "astral letters": ("\U0001d54f \U00020bb7", "\U0001d54f"),
    "line and paragraph separators in the body": ("Separators", "a\u2028b\u2029c"),
}

# Noncharacters are valid UTF-8 (RFC 3629); the protocol accepts them, so they must round-trip.
NONCHARACTERS = ("Noncharacters \ufdd0 \ufffe \uffff \U0010ffff", "\U0001fffe")


def alert(title, body="", **extra):
    a = {"lang": "en", "country": "TN", "categories": ["press-freedom"], "title": title,
         "summary": "Unicode edge cases", "body": body}
    a.update(extra)
    return a


def utf8_json(a):
    return json.dumps(a, ensure_ascii=False).encode("utf-8")


def ascii_json(a):
    return json.dumps(a, ensure_ascii=True).encode("ascii")  # astral as surrogate-pair escapes


def raw_title(title_bytes):
    """A body whose title field holds these raw bytes (possibly not UTF-8)."""
    return (b'{"lang": "en", "country": "TN", "categories": ["press-freedom"], "title": "'
            + title_bytes + b'", "body": "b"}')


INVALID = [
    ("lone high surrogate escape \\ud800", raw_title(b"abc \\ud800 def")),
    ("lone low surrogate escape \\udc00", raw_title(b"abc \\udc00 def")),
    ("surrogates in the wrong order", raw_title(b"\\udc00\\ud800")),
    ("high surrogate at the end", raw_title(b"abc\\ud83d")),
    ("overlong '/' (C0 AF)", raw_title(b"a\xc0\xafb")),
    ("overlong NUL (C0 80)", raw_title(b"a\xc0\x80b")),
    ("overlong 3-byte (E0 80 AF)", raw_title(b"a\xe0\x80\xafb")),
    ("byte FF", raw_title(b"a\xffb")),
    ("byte FE", raw_title(b"a\xfeb")),
    ("surrogate encoded in UTF-8 (ED A0 80)", raw_title(b"a\xed\xa0\x80b")),
    ("above U+10FFFF (F4 90 80 80)", raw_title(b"a\xf4\x90\x80\x80b")),
    ("truncated sequence (E2 82)", raw_title(b"a\xe2\x82")),
    ("lone continuation byte (80)", raw_title(b"a\x80b")),
    ("C0 control ESC (\\u001b[31m)", raw_title(b"\\u001b[31mred")),
    ("C0 control BEL", raw_title(b"bell \\u0007")),
    ("NUL", raw_title(b"nul \\u0000 byte")),
    ("C1 control NEL (U+0085)", raw_title("next line \u0085".encode())),
    ("C1 control CSI (U+009B)", raw_title("csi \u009b31m".encode())),
    ("DEL", raw_title(b"del \\u007f")),
    ("a line feed in the title", raw_title(b"two\\nlines")),
]


class Unicode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node("unicode", "hub")
        try:
            cls.node.start()
        except BaseException:
            cls.node.close()
            raise
        cls.rows = []

    @classmethod
    def tearDownClass(cls):
        try:
            print("\ncase | status | result")
            for row in cls.rows:
                print(" | ".join(row))
        finally:
            cls.node.close()

    def publish_and_read_back(self, name, a, encode):
        answer = post_alert(self.node, encode(a))
        self.assertEqual(answer.status, 201, f"{name}: {answer.status} {answer.body!r}")
        entry_id = answer.json()["id"]
        # The API's answer, parsed: the same code points, so the same UTF-8 bytes.
        got = self.node.get_json("/api/alerts/" + entry_id)["alert"]
        for field in ("title", "body"):
            self.assertEqual(got[field].encode("utf-8"), a[field].encode("utf-8"),
                             f"{name}: {field} changed on the way through the API")
        # The raw answer carries the UTF-8 bytes themselves (the serializer escapes only what
        # JSON requires: quotes, backslash, controls).
        _, _, raw = self.node.request("GET", "/api/alerts/" + entry_id)
        expected_raw = json.dumps(a["title"], ensure_ascii=False)[1:-1].encode("utf-8")
        self.assertIn(expected_raw, raw, f"{name}: the title's bytes are not in the answer")
        # And the CLI reads the same from the store.
        _, out, _ = cli("show", "--data", self.node.data, entry_id, "--json")
        shown = json.loads(out)["alert"]
        self.assertEqual((shown["title"], shown["body"]), (a["title"], a["body"]), name)
        return entry_id

    def test_valid_text_round_trips_byte_for_byte(self):
        ids = {}
        for name, (title, body) in VALID.items():
            for how, encode in (("UTF-8", utf8_json), ("\\u escapes", ascii_json)):
                with self.subTest(case=name, encoding=how):
                    ids[(name, how)] = self.publish_and_read_back(name, alert(title, body), encode)
            # Escaped or not, the same text is the same alert payload: only created_ms and seq
            # differ, so the ids differ; the texts are equal (checked above).
            self.rows.append([name, "201", f"round-trips ({len(title.encode())} title bytes)"])
        # NFC and NFD are different bytes, both kept: no normalisation on the way in or out.
        self.assertNotEqual(NFC.encode(), NFD.encode())
        nfc = self.node.get_json("/api/alerts/" + ids[("NFC", "UTF-8")])["alert"]["title"]
        nfd = self.node.get_json("/api/alerts/" + ids[("NFD of the same words", "UTF-8")])["alert"]["title"]
        self.assertEqual((nfc, nfd), (NFC, NFD))
        self.rows.append(["NFC vs NFD", "201", f"kept apart: {len(NFC.encode())} and "
                                               f"{len(NFD.encode())} bytes"])
        _, out, _ = cli("verify", "--data", self.node.data, "--json")
        self.assertTrue(json.loads(out)["ok"], out)

    def test_noncharacters(self):
        stored_before = entry_count(self.node)
        a = alert(*NONCHARACTERS)
        answer = post_alert(self.node, utf8_json(a))
        if answer.status == 201:
            self.publish_and_read_back("noncharacters", a, utf8_json)
            self.rows.append(["noncharacters U+FDD0 U+FFFE U+FFFF U+10FFFF", "201",
                              "accepted (valid UTF-8) and round-trip"])
        else:
            self.assertEqual(answer.status, 400)
            self.assertTrue(answer.reason())
            self.assertEqual(entry_count(self.node), stored_before)
            self.rows.append(["noncharacters", "400", answer.reason()[:100]])

    def test_invalid_text_is_refused_with_a_reason(self):
        for name, body in INVALID:
            with self.subTest(case=name):
                stored_before = entry_count(self.node)
                answer = post_alert(self.node, body)
                reason = answer.reason()
                self.rows.append([name, str(answer.status), reason[:110]])
                self.assertEqual(answer.status, 400, f"{name}: {answer.body!r}")
                self.assertTrue(reason, f"{name}: no reason given")
                # The reason never echoes the raw hostile bytes (controls stay out of logs).
                self.assertFalse(any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in reason), reason)
                self.assertEqual(entry_count(self.node), stored_before, f"{name}: stored")
                self.assertTrue(healthy(self.node))


if __name__ == "__main__":
    unittest.main(verbosity=2)
