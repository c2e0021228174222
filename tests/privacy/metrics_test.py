"""Issue 11, item 14: /metrics per Prometheus' conventions, checked by `promtool check metrics`.

A hub with a member connected. The scrape must pass promtool (installed by
scripts/install-deps.sh: the test fails, not skips, without it); HTTP requests are counted once
each, by `code` class only (sum() equals the duration histogram's count); ifexnode_build_info,
the process_* metrics and the per-peer state (by fingerprint and roster name, no address) are
there, and the peer's state follows it going down."""
import re
import shutil
import subprocess
import time

from privacy_nodes import (admin_status, connected, dial, make_node, roster, run_tests,
                           text_of, wait_until)

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def samples(text):
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out.append((m.group(1), labels, float(m.group(3))))
    return out


def values(all_samples, metric, **labels):
    return [v for n, l, v in all_samples
            if n == metric and all(l.get(k) == x for k, x in labels.items())]


def promtool_check(text):
    tool = shutil.which("promtool")
    assert tool, "promtool is missing: run scripts/install-deps.sh (Debian package prometheus)"
    done = subprocess.run([tool, "check", "metrics"], input=text, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, f"promtool check metrics failed:\n{done.stdout}{done.stderr}"


def test_metrics_follow_the_conventions():
    hub = make_node("hub", "hub")
    member = make_node("member", network_key=hub.network_key())
    roster(hub, member)
    roster(member, hub)
    hub.start()
    member.start()
    dial(hub, member)
    wait_until(lambda: connected(hub, member), 30, "the hub to connect to the member")
    # Requests of every class but 5xx: 2xx, 3xx (a revalidation), 4xx.
    status, headers, _ = hub.request("GET", "/api/alerts")
    assert status == 200
    assert hub.request("GET", "/api/alerts", headers={"If-None-Match": headers["etag"]})[0] == 304
    assert hub.request("GET", "/nothing-here")[0] == 404

    text = text_of(hub, "/metrics")
    promtool_check(text)
    s = samples(text)
    assert 'class="all"' not in text, "a total next to its parts makes sum() count twice"
    codes = {l.get("code") for n, l, v in s if n == "ifexnode_http_requests_total"}
    assert codes == {"2xx", "3xx", "4xx", "5xx"}, codes
    for code in ("2xx", "3xx", "4xx"):
        assert values(s, "ifexnode_http_requests_total", code=code)[0] >= 1, code
    total = sum(values(s, "ifexnode_http_requests_total"))
    count = values(s, "ifexnode_http_request_duration_seconds_count")
    assert count and total == count[0], f"requests {total}, histogram count {count}"
    buckets = [(l["le"], v) for n, l, v in s if n == "ifexnode_http_request_duration_seconds_bucket"]
    assert buckets and buckets[-1][0] == "+Inf" and buckets[-1][1] == count[0], buckets
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), buckets

    assert values(s, "ifexnode_build_info", version="0.1.0") == [1], "ifexnode_build_info"
    rss = values(s, "process_resident_memory_bytes")
    assert rss and rss[0] > 1 << 20, rss
    fds, max_fds = values(s, "process_open_fds"), values(s, "process_max_fds")
    assert fds and max_fds and 0 < fds[0] <= max_fds[0], (fds, max_fds)
    assert values(s, "process_cpu_seconds_total"), "process_cpu_seconds_total"
    start = values(s, "process_start_time_seconds")
    assert start and abs(start[0] - time.time()) < 86400, start

    fp = admin_status(member)["node"]["fingerprint"]
    assert values(s, "ifexnode_peer_up", peer=fp, name="member") == [1], \
        [x for x in s if x[0] == "ifexnode_peer_up"]
    member.stop()
    wait_until(lambda: values(samples(text_of(hub, "/metrics")), "ifexnode_peer_up", peer=fp) == [0],
               60, "the member's ifexnode_peer_up to fall to 0")
    promtool_check(text_of(hub, "/metrics"))


if __name__ == "__main__":
    run_tests([test_metrics_follow_the_conventions])
