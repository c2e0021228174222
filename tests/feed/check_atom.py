#!/usr/bin/env python3
"""Checks that FILE is a well-formed Atom 1.0 feed (RFC 4287) as ifexnode writes it.

Usage: check_atom.py FILE [--entries N]

Exits 1 with one line per problem on stderr when the document is not well-formed XML or breaks
a structural rule (namespace, required elements, unique ids, xml:lang, category terms, ...).
Otherwise exits 0 and prints a JSON digest of the feed on stdout, so the C++ test can check that
the text it rendered reads back unchanged.
"""

import json
import re
import sys
import xml.etree.ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
EXT = "urn:ifexnode:atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ENTRY_ID = re.compile(r"^urn:ifexnode:entry:[0-9a-f]{64}$")

problems = []


def a(name):
    return "{%s}%s" % (ATOM, name)


def problem(message):
    problems.append(message)


def exactly_one(parent, name, where):
    found = parent.findall(a(name))
    if len(found) != 1:
        problem("%s: %d <%s> elements, expected exactly one" % (where, len(found), name))
        return None
    return found[0]


def at_most_one(parent, name, where):
    found = parent.findall(a(name))
    if len(found) > 1:
        problem("%s: %d <%s> elements, expected at most one" % (where, len(found), name))
    return found[0] if found else None


def text_of(element):
    return "" if element is None or element.text is None else element.text


def check_date(element, where):
    if element is not None and not RFC3339.match(text_of(element)):
        problem("%s: <%s> %r is not an RFC 3339 date" % (where, element.tag, text_of(element)))


def check_text_construct(element, where):
    if element is None:
        return
    kind = element.get("type", "text")
    if kind not in ("text", "html", "xhtml"):
        problem("%s: <%s> has type %r" % (where, element.tag, kind))
    if kind != "xhtml" and len(element):
        problem("%s: <%s> of type %s has child elements" % (where, element.tag, kind))


def check_person(person, where):
    if exactly_one(person, "name", where + "/author") is None:
        return
    if not text_of(person.find(a("name"))):
        problem("%s: empty author name" % where)


def check_links(parent, where):
    alternates = set()
    links = []
    for link in parent.findall(a("link")):
        href = link.get("href")
        if not href:
            problem("%s: <link> without href" % where)
        rel = link.get("rel", "alternate")
        if rel == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            if key in alternates:
                problem("%s: two alternate links with type/hreflang %r" % (where, key))
            alternates.add(key)
        links.append({"rel": rel, "type": link.get("type", ""), "href": href or ""})
    return links


def check_categories(parent, where):
    out = []
    for category in parent.findall(a("category")):
        term = category.get("term")
        if not term:
            problem("%s: <category> without term" % where)
        out.append({"scheme": category.get("scheme", ""), "term": term or ""})
    return out


def text_digest(element):
    if element is None:
        return None
    return {"type": element.get("type", "text"), "lang": element.get(XML_LANG),
            "text": text_of(element)}


def check(path, expected_entries):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        problem("not valid UTF-8: %s" % e)
    if not raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>'):
        problem("missing XML declaration")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        problem("not well-formed XML: %s" % e)
        return None
    if root.tag != a("feed"):
        problem("root element is %r, expected {%s}feed" % (root.tag, ATOM))
        return None

    feed = {}
    feed["id"] = text_of(exactly_one(root, "id", "feed"))
    title = exactly_one(root, "title", "feed")
    check_text_construct(title, "feed")
    feed["title"] = text_of(title)
    updated = exactly_one(root, "updated", "feed")
    check_date(updated, "feed")
    feed["updated"] = text_of(updated)
    feed["generator"] = text_of(at_most_one(root, "generator", "feed"))
    feed["links"] = check_links(root, "feed")
    if not any(l["rel"] == "self" for l in feed["links"]):
        problem("feed: no rel=self link")
    feed_authors = root.findall(a("author"))
    for author in feed_authors:
        check_person(author, "feed")

    entries = []
    ids = set()
    for n, entry in enumerate(root.findall(a("entry"))):
        where = "entry %d" % n
        d = {}
        d["lang"] = entry.get(XML_LANG)
        if not d["lang"]:
            problem("%s: no xml:lang" % where)
        d["id"] = text_of(exactly_one(entry, "id", where))
        if not ENTRY_ID.match(d["id"]):
            problem("%s: id %r is not urn:ifexnode:entry:<64 hex>" % (where, d["id"]))
        if d["id"] in ids:
            problem("%s: duplicate id %s" % (where, d["id"]))
        ids.add(d["id"])
        title = exactly_one(entry, "title", where)
        check_text_construct(title, where)
        d["title"] = text_digest(title)
        if title is not None and not title.get(XML_LANG):
            problem("%s: <title> has no xml:lang" % where)
        updated = exactly_one(entry, "updated", where)
        check_date(updated, where)
        d["updated"] = text_of(updated)
        published = at_most_one(entry, "published", where)
        check_date(published, where)
        d["published"] = text_of(published)
        authors = entry.findall(a("author"))
        if not authors and not feed_authors:
            problem("%s: no author in the entry nor in the feed" % where)
        for author in authors:
            check_person(author, where)
        d["author_name"] = text_of(entry.find(a("author") + "/" + a("name")))
        d["author_uri"] = text_of(entry.find(a("author") + "/" + a("uri")))
        summary = at_most_one(entry, "summary", where)
        content = at_most_one(entry, "content", where)
        for element in (summary, content):
            check_text_construct(element, where)
            if element is not None and not element.get(XML_LANG):
                problem("%s: <%s> has no xml:lang" % (where, element.tag))
        d["summary"] = text_digest(summary)
        d["content"] = text_digest(content)
        d["links"] = check_links(entry, where)
        if content is None and not any(l["rel"] == "alternate" for l in d["links"]):
            problem("%s: neither content nor an alternate link" % where)
        d["categories"] = check_categories(entry, where)
        if not d["categories"]:
            problem("%s: no category" % where)
        d["event_date"] = text_of(entry.find("{%s}event-date" % EXT))
        d["country"] = text_of(entry.find("{%s}country" % EXT))
        entries.append(d)

    if expected_entries is not None and len(entries) != expected_entries:
        problem("%d entries, expected %d" % (len(entries), expected_entries))
    return {"feed": feed, "entries": entries}


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--entries"):
        print(__doc__, file=sys.stderr)
        return 2
    expected = int(argv[3]) if len(argv) == 4 else None
    digest = check(argv[1], expected)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    json.dump(digest, sys.stdout, ensure_ascii=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
