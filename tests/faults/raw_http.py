"""One HTTP request over a plain socket, returning the response's exact bytes (status line,
headers and body), so a test can inspect everything a node sent, not a client's parsed view."""
import re
import socket
import time


def raw_request(port, method, path, headers=None, body=b"", timeout=15):
    if isinstance(body, str):
        body = body.encode()
    headers = headers or {}
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if not any(k.lower() == "connection" for k in headers):
        lines.append("Connection: close")
    for k, v in headers.items():
        lines.append(f"{k}: {v}")
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    response = bytearray()
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(request)
        except OSError:
            pass  # a node may answer (413) and close before reading a large body
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not chunk:
                break
            response += chunk
            if _complete(response, method):
                break
    return bytes(response)


def status_of(response):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", response)
    return int(m.group(1)) if m else None


def _complete(response, method):
    head_end = response.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    head = bytes(response[:head_end]).lower()
    if method == "HEAD" or re.match(rb"http/1\.[01] (1\d\d|204|304)", head):
        return True
    m = re.search(rb"\r\ncontent-length: *(\d+)", head)
    return bool(m) and len(response) - head_end - 4 >= int(m.group(1))
