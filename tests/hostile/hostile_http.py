"""A raw HTTP client for hostile requests: bodies sent in pieces, requests that never end, and the
node's answer read even when it closes before the body was sent (urllib gives up there). Every
call is bounded by a timeout. Shared by the tests in tests/hostile/."""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from node_process import Node, cli  # noqa: E402,F401  (re-exported for the tests)


class Answer:
    def __init__(self, status, headers, body, seconds, note=""):
        self.status = status      # None when the node closed without answering
        self.headers = headers    # lower-case names
        self.body = body
        self.seconds = seconds
        self.note = note          # what happened on the wire (closed early, reset, ...)

    def json(self):
        return json.loads(self.body)

    def reason(self):
        try:
            return self.json().get("error", "")
        except ValueError:
            return ""


def _parse(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/1.1 "):
        return None, {}, raw
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", len(body)))
    return status, headers, body[:length]


def send(port, method, path, body=b"", headers=None, token=None, content_length=None,
         chunk=64 * 1024, stall_after=None, timeout=30.0):
    """Sends one request on a fresh connection and returns an Answer.

    content_length: the Content-Length to claim (default: len(body); False: no such header).
    stall_after: send only this many body bytes, then nothing more (a request that never ends).
    """
    hdrs = {"Host": f"127.0.0.1:{port}", "Connection": "close"}
    if token:
        hdrs["Authorization"] = "Bearer " + token
    hdrs.update(headers or {})
    if content_length is not False:
        hdrs["Content-Length"] = str(len(body) if content_length is None else content_length)
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items())
    payload = body if stall_after is None else body[:stall_after]
    start = time.monotonic()
    note = ""
    raw = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.settimeout(timeout)
        try:
            s.sendall(head.encode("latin-1") + b"\r\n")
            for i in range(0, len(payload), chunk):
                s.sendall(payload[i:i + chunk])
        except (BrokenPipeError, ConnectionResetError) as e:
            note = f"the node stopped reading the body ({type(e).__name__})"
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                raw += data
        except ConnectionResetError:
            note = (note + "; " if note else "") + "connection reset"
        except socket.timeout:
            note = (note + "; " if note else "") + f"no end of answer within {timeout} s"
    seconds = time.monotonic() - start
    if not raw:
        return Answer(None, {}, b"", seconds, note or "closed without an answer")
    status, headers, content = _parse(raw)
    return Answer(status, headers, content, seconds, note)


def post_alert(node, body, content_type="application/json", **kw):
    return send(node.port, "POST", "/api/alerts", body, {"Content-Type": content_type},
                token=node.token, **kw)


def set_config(node, section, key, value):
    """Sets `key = value` in [section] of the node's ifexnode.toml (before it starts)."""
    path = os.path.join(node.data, "ifexnode.toml")
    lines = open(path).read().split("\n")
    current, done = None, False
    for i, line in enumerate(lines):
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section and line.startswith(key + " = "):
            lines[i] = f"{key} = {value}"
            done = True
    if not done:
        raise AssertionError(f"no {key} in [{section}] of {path}")
    open(path, "w").write("\n".join(lines))


def entry_count(node):
    return node.get_json("/api/status", token=node.token)["entries"]


def healthy(node):
    answer = send(node.port, "GET", "/healthz", timeout=10)
    return answer.status == 200 and answer.body == b"ok\n"
