"""No secret key in anything a node writes or sends (issue 6, secrets).

Nodes S and T have UNENCRYPTED identity keys (`init` without a passphrase), so the test reads
each key's 32-byte seed from its key file (docs/keys.md: plain format, seed at offset 41) and
builds libsodium's 64-byte secret key (seed || public key). Both run at the debug log level (T's
log in JSON lines, `[log] format = "json"`), each
dialing the other through a recording loopback proxy, so every gossip byte both ways is captured
(the stream is encrypted; it is searched anyway). The test then exercises every command, every
HTTP endpoint (errors included: 400, 401, 404, 405, 413, 415, a WebSocket upgrade left
unfinished), bundles both ways, the legacy importer, search, verify, status and reindex.

Searched: both logs, the stdout and stderr of every command, every HTTP response (status line,
headers and body, as bytes), the proxies' captured bytes, the bundles, the status file, and every
file in both data dirs except the key files themselves (LMDB stores, catalog, search index,
configuration, network key). Looked for: every node's seed and 64-byte secret key in raw, hex
(both cases), base64 (standard and URL-safe, every alignment) and base32 (every alignment, both
cases), plus 16-byte windows of each seed (secret_patterns.py); and S's and T's admin tokens
(outside their own files). Zero matches are allowed.

A self-check first shows the search can fail: it must find the seed in a plain key file and each
spelling planted in a synthetic buffer at every alignment."""
import base64
import binascii
import json
import os
import re
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_node import cli, federation, sample_alert, set_config, stop_everything, \
    wait_until  # noqa: E402
from loopback_proxy import LoopbackProxy  # noqa: E402
from raw_http import raw_request, status_of  # noqa: E402
from secret_patterns import find_all, spellings  # noqa: E402

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                       "legacy_fixture.jsonl")
KEY_MAGIC, SEED_OFFSET, PLAIN_SIZE = b"IFEXKEY1", 41, 73


def secrets_of(node):
    """(seed, 64-byte secret key) from the node's plain key file."""
    raw = open(os.path.join(node.data, "identity.key"), "rb").read()
    if len(raw) != PLAIN_SIZE or not raw.startswith(KEY_MAGIC) or raw[8] != 0:
        raise AssertionError(f"{node.label}'s key file is not the plain format (docs/keys.md)")
    public, seed = raw[9:41], raw[SEED_OFFSET:SEED_OFFSET + 32]
    return seed, seed + public


class Evidence:
    """Everything the nodes wrote or sent, by name."""

    def __init__(self):
        self.items = []   # (kind, name, bytes)

    def add(self, kind, name, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        self.items.append((kind, name, bytes(data)))

    def count(self, kind):
        return sum(1 for k, _, _ in self.items if k == kind)

    def cli(self, *args, expect=0):
        code, out, err = cli(*args, check=False, timeout=300)
        self.add("command", f"ifexnode {' '.join(args[:3])} (stdout)", out)
        self.add("command", f"ifexnode {' '.join(args[:3])} (stderr)", err)
        if expect is not None and code != expect:
            raise AssertionError(f"ifexnode {' '.join(args)}: exit {code}, expected {expect}: {err}")
        return out

    def http(self, node, method, path, expect, headers=None, body=b""):
        response = raw_request(node.port, method, path, headers, body)
        self.add("http", f"{method} {path} on {node.label}", response)
        if status_of(response) != expect:
            raise AssertionError(f"{method} {path}: {response[:300]!r}, expected {expect}")
        return response

    def files_under(self, root, skip):
        for dirpath, _, names in os.walk(root):
            for name in names:
                path = os.path.join(dirpath, name)
                if os.path.abspath(path) in skip or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    self.add("file", path, f.read())


def self_check(node, patterns):
    """The scanner finds the secret where it is, in every spelling it claims to catch."""
    key_file = open(os.path.join(node.data, "identity.key"), "rb").read()
    if not find_all(key_file, patterns):
        raise AssertionError("self-check: the seed was not found in the plain key file")
    seed, sk = secrets_of(node)
    rng = random.Random(1)
    planted = 0
    for secret in (seed, sk):
        for k in range(5):
            framed = bytes(rng.randrange(256) for _ in range(k)) + secret + b"\x07\x08\x09\x0a"
            for encode in (base64.b64encode, base64.urlsafe_b64encode, base64.b32encode,
                           lambda b: base64.b32encode(b).lower(), binascii.hexlify,
                           lambda b: binascii.hexlify(b).upper(), bytes):
                for strip in (False, True):
                    text = encode(framed)
                    blob = b"log line: " + (text.rstrip(b"=") if strip else text) + b" end"
                    planted += 1
                    if not find_all(blob, patterns):
                        raise AssertionError(f"self-check: a planted spelling was missed: {blob!r}")
    return planted


def exercise_http(ev, node, token, entry_id):
    auth = {"Authorization": "Bearer " + token}
    good = json.dumps(sample_alert(7, "http"))
    ev.http(node, "GET", "/", 200)
    ev.http(node, "GET", "/app.js", 200)
    ev.http(node, "GET", "/style.css", 200)
    ev.http(node, "GET", "/healthz", 200)
    ev.http(node, "HEAD", "/api/alerts", 200)
    ev.http(node, "GET", "/api/alerts?limit=100", 200)
    ev.http(node, "GET", "/api/alerts?lang=fr&country=TN", 200)
    first = ev.http(node, "GET", "/api/alerts/" + entry_id, 200)
    # The alert's ETag is the hash of its body (issue 11, item 9), read from the answer.
    etag = re.search(rb"(?im)^ETag: (\S+)\r$", first).group(1).decode()
    ev.http(node, "GET", "/api/alerts/" + entry_id, 304, {"If-None-Match": etag})
    ev.http(node, "GET", "/api/alerts/" + "0" * 64, 404)
    ev.http(node, "GET", "/api/alerts/xyz", 400)
    ev.http(node, "GET", "/api/alerts?limit=0", 400)
    ev.http(node, "GET", "/api/alerts?nope=1", 400)
    ev.http(node, "GET", "/api/search?q=newspaper", 200)
    ev.http(node, "GET", "/api/search?q=%22internet%20shutdown%22&lang=en", 200)
    ev.http(node, "GET", "/api/search", 400)
    ev.http(node, "GET", "/api/search?q=%ff", 400)
    ev.http(node, "GET", "/api/status", 200)
    ev.http(node, "GET", "/api/status", 200, auth)
    ev.http(node, "GET", "/feed.atom", 200)
    ev.http(node, "GET", "/feed.atom?lang=fr", 200)
    ev.http(node, "GET", "/metrics", 200)
    ev.http(node, "GET", "/nowhere", 404)
    ev.http(node, "DELETE", "/api/alerts", 405)
    ev.http(node, "POST", "/healthz", 405)
    ev.http(node, "POST", "/api/alerts", 401, {"Content-Type": "application/json"}, good)
    ev.http(node, "POST", "/api/alerts", 401, {"Content-Type": "application/json",
                                                "Authorization": "Bearer wrong"}, good)
    ev.http(node, "POST", "/api/alerts", 415, {**auth, "Content-Type": "text/plain"}, good)
    ev.http(node, "POST", "/api/alerts", 400, {**auth, "Content-Type": "application/json"}, "{")
    ev.http(node, "POST", "/api/alerts", 400, {**auth, "Content-Type": "application/json"},
            json.dumps({**sample_alert(8, "bad"), "country": "XX"}))
    ev.http(node, "POST", "/api/alerts", 413, {**auth, "Content-Type": "application/json"},
            b"{" + b" " * (1 << 20) + b"}")
    ev.http(node, "POST", "/api/alerts", 201, {**auth, "Content-Type": "application/json"}, good)
    # The gossip endpoint: a plain GET, and an upgrade whose handshake never comes.
    ev.add("http", "GET /gossip", raw_request(node.port, "GET", "/gossip"))
    upgrade = raw_request(
        node.port, "GET", "/gossip",
        {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
         "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode()}, timeout=3)
    ev.add("http", "upgrade /gossip", upgrade)
    if status_of(upgrade) != 101:
        raise AssertionError(f"a WebSocket upgrade of /gossip was not switched: {upgrade[:200]!r}")


def exercise_cli(ev, node, other, tmp):
    d = ["--data", node.data]
    ev.cli("id", *d)
    ev.cli("id", *d, "--json")
    ev.cli("network-key", "show", *d)
    ev.cli("roster", "list", *d, "--json")
    ev.cli("peer", "list", *d, "--json")
    ev.cli("peer", "list", *d)
    out = ev.cli("publish", *d, "--json", "--lang", "en", "--country", "TN", "--category",
                 "press-freedom", "--title", "CLI alert from " + node.label, "--summary", "s",
                 "--body", "A newspaper was raided.", "--source", "https://example.org/a")
    entry_id = json.loads(out)["id"]
    alert_file = os.path.join(tmp, f"alert-{node.label}.json")
    with open(alert_file, "w") as f:
        json.dump({**sample_alert(3, "file"), "translations": {"fr": {
            "title": "Un journal perquisitionné", "summary": "r", "body": "Un journal."}}}, f)
    ev.cli("publish", *d, "--file", alert_file)
    ev.cli("publish", *d, "--lang", "en", "--country", "XX", "--category", "press-freedom",
           "--title", "t", "--summary", "s", "--body", "b", expect=1)
    ev.cli("list", *d)
    ev.cli("list", *d, "--json", "--limit", "1000")
    ev.cli("show", *d, entry_id)
    ev.cli("show", *d, entry_id, "--json")
    ev.cli("show", *d, "0" * 64, expect=1)
    ev.cli("search", *d, "newspaper", "--json")
    ev.cli("search", *d, "journaliste emprisonné")
    ev.cli("status", *d)
    ev.cli("status", *d, "--json")
    ev.cli("verify", *d)
    ev.cli("verify", *d, "--json")
    ev.cli("roster", "add", *d, "ifexpk1notakey", expect=1)
    ev.cli("publish", "--help")
    ev.cli("run", "--help")
    bundle = os.path.join(tmp, f"{node.label}.bundle")
    ev.cli("export", *d, "--out", bundle, "--json", "--force")
    with open(bundle, "rb") as f:
        ev.add("bundle", f"bundle of {node.label}", f.read())
    ev.cli("import", "--data", other.data, bundle, "--json")
    return entry_id


def main():
    started = time.monotonic()
    s, t = federation(["S", "T"], role="hub")
    tmp = s.tmp.name
    ev = Evidence()
    try:
        # A third node's `init` output is evidence too (the two above were made by the helper).
        i_dir = os.path.join(tmp, "init-node")
        ev.cli("init", "--data", i_dir, "--name", "I", "--json")
        i_node = type("Plain", (), {"data": i_dir, "label": "I"})()
        nodes = [s, t, i_node]
        patterns = []
        for n in nodes:
            seed, sk = secrets_of(n)
            patterns += spellings(seed, f"{n.label} seed", windows=True)
            patterns += spellings(sk, f"{n.label} 64-byte secret key")
        planted = self_check(s, patterns)
        # The admin tokens too: "never logged or served" (docs/threat-model.md).
        for n in (s, t):
            patterns.append((f"{n.label} admin token", n.token.encode()))

        # T logs JSON lines (issue 17): the structured fields are searched like the text.
        set_config(t.data, "log", "format", "json")
        s.start()
        t.start()
        with LoopbackProxy(s.port, record=True) as to_s, LoopbackProxy(t.port, record=True) as to_t:
            cli("peer", "add", "--data", t.data, f"ws://127.0.0.1:{to_s.port}/gossip", s.key)
            cli("peer", "add", "--data", s.data, f"ws://127.0.0.1:{to_t.port}/gossip", t.key)
            ev.cli("import-archive", "--data", s.data, FIXTURE, "--json")
            ids = {}
            for n, other in ((s, t), (t, s)):
                ids[n.label] = exercise_cli(ev, n, other, tmp)
            for n in (s, t):
                n.wait_indexed()
                exercise_http(ev, n, n.token, ids[n.label])
                with open(os.path.join(n.data, "status.json"), "rb") as f:
                    ev.add("file", f"status.json of {n.label}", f.read())
            wait_until(lambda: set(s.ids()) == set(t.ids()), 60, "S and T to converge", every=0.2)
            # Whoever dials first holds the one link (a connected peer is not dialed again);
            # either way every gossip byte between S and T passed a proxy.
            wait_until(lambda: any(c.to_server and c.to_client
                                   for c in to_s.connections + to_t.connections), 30,
                       "a gossip link through a proxy")
            for n in (s, t):
                n.stop()
            wire = to_s.recorded_bytes() + to_t.recorded_bytes()
        for k, chunk in enumerate(wire):
            ev.add("wire", f"gossip bytes, stream {k}", chunk)
        for n in (s, t):
            ev.cli("reindex", "--data", n.data)
            ev.cli("status", "--data", n.data, "--json", expect=3)  # 3: not running
            for path in n.runs:
                with open(path, "rb") as f:
                    ev.add("log", f"log {os.path.basename(path)}", f.read())
        secret_files = {os.path.abspath(os.path.join(n.data, name))
                        for n in nodes for name in ("identity.key", "admin.token")}
        for n in nodes:
            ev.files_under(n.data, secret_files)

        hits = [(name, label, at) for _, name, data in ev.items
                for label, at in find_all(data, patterns)]
        scanned = sum(len(d) for _, _, d in ev.items)
        if hits:
            listing = "\n".join(f"  {label} in {name} at byte {at}" for name, label, at in hits[:40])
            raise AssertionError(f"{len(hits)} secret spellings found:\n{listing}")
        wire_bytes = sum(len(c) for c in wire)
        print(f"secrets_test: self-check found the seed in the plain key file and all {planted} "
              f"planted spellings; then {len(patterns) - 2} spellings of {len(nodes)} nodes' "
              f"secret keys and 2 admin tokens "
              f"searched in {len(ev.items)} items, {scanned} bytes: {ev.count('log')} debug logs, "
              f"{ev.count('command')} command outputs (stdout, stderr), {ev.count('http')} HTTP "
              f"responses, {wire_bytes} gossip bytes in {len(wire)} streams, "
              f"{ev.count('bundle')} bundles, {ev.count('file')} files of the data dirs: "
              f"0 matches; {time.monotonic() - started:.1f} s")
    finally:
        stop_everything()
        for n in (s, t):
            n.close()


if __name__ == "__main__":
    main()
