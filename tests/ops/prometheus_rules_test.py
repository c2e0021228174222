"""Issue 17: the example alerting rules (contrib/prometheus/ifexnode-alerts.yml) are valid
(`promtool check rules`), fire on the cases of ifexnode-alerts.test.yml and only after their
`for` (`promtool test rules`), and read only metrics a real node exports: every `ifexnode_*`
name in a rule is in a running hub's /metrics, so a renamed metric cannot leave a rule silent.
The same holds for the Grafana dashboard (contrib/grafana/ifexnode-dashboard.json): every query
parses (promtool checks them wrapped as recording rules) and reads only exported metrics.
promtool comes from Debian's prometheus package (scripts/install-deps.sh): missing, the test
fails rather than skips."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

from ops_support import Node

RULES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib",
                         "prometheus")
RULES = os.path.join(RULES_DIR, "ifexnode-alerts.yml")
CASES = os.path.join(RULES_DIR, "ifexnode-alerts.test.yml")
DASHBOARD = os.path.join(RULES_DIR, "..", "grafana", "ifexnode-dashboard.json")
ALERTS = {"IfexnodeDown", "IfexnodePeerDown", "IfexnodeNoPeers", "IfexnodeMemberLagging",
          "IfexnodeStoreMapNearlyFull", "IfexnodeDiskNearlyFull", "IfexnodeForkProofSeen"}
METRIC = re.compile(r"\b(?:ifexnode|process)_[a-z_]+")


def promtool(*args):
    tool = shutil.which("promtool")
    assert tool, "promtool is missing: run scripts/install-deps.sh (Debian package prometheus)"
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=120,
                          cwd=RULES_DIR)
    return done.returncode, done.stdout + done.stderr


def exported_names(text):
    """The metric names a /metrics text declares, with the series names of its histograms and
    summaries (NAME_bucket, NAME_sum, NAME_count)."""
    names = set()
    for name, kind in re.findall(r"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$", text, re.M):
        names.add(name)
        if kind in ("histogram", "summary"):
            names.update({name + "_sum", name + "_count"})
        if kind == "histogram":
            names.add(name + "_bucket")
    return names


def dashboard_queries(dashboard):
    """Every PromQL expression of the dashboard: the panels' targets, and the selector inside
    each template variable's label_values(...)."""
    queries = []
    for panel in dashboard["panels"]:
        queries += [t["expr"] for t in panel.get("targets", [])]
    for var in dashboard["templating"]["list"]:
        query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
        inner = re.fullmatch(r"label_values\((.+), *\w+\)", query)
        assert inner, f"template variable {var['name']}: not label_values(...): {query}"
        queries.append(inner.group(1))
    # Grafana fills the variable in; any regex stands for it here.
    return [q.replace("$instance", ".*") for q in queries]


def sample_values(text, name):
    return [float(line.split()[-1]) for line in text.splitlines()
            if line.startswith(name + " ") or line.startswith(name + "{")]


class PrometheusRulesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        node = Node(name="hub", role="hub").start()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{node.port}/metrics", timeout=10) as r:
                cls.metrics = r.read().decode()
        finally:
            node.close()

    def test_the_rules_are_valid(self):
        code, out = promtool("check", "rules", RULES)
        self.assertEqual(code, 0, out)
        self.assertIn(f"{len(ALERTS)} rules found", out)
        with open(RULES) as f:
            self.assertEqual(set(re.findall(r"^ *- alert: (\w+)$", f.read(), re.M)), ALERTS)

    def test_every_alert_has_cases(self):
        with open(CASES) as f:
            tested = set(re.findall(r"^ *alertname: (\w+)$", f.read(), re.M))
        self.assertEqual(tested, ALERTS)

    def test_the_rules_fire_on_their_cases(self):
        code, out = promtool("test", "rules", CASES)
        self.assertEqual(code, 0, out)

    def test_every_metric_a_rule_reads_is_exported(self):
        with open(RULES) as f:
            wanted = set(re.findall(r"\bifexnode_[a-z_]+", "\n".join(
                line for line in f if line.strip().startswith("expr:"))))
        self.assertGreaterEqual(len(wanted), 8, wanted)
        text = self.metrics
        exported = set(re.findall(r"^# TYPE (ifexnode_[a-z_]+) ", text, re.M))
        self.assertEqual(wanted - exported, set(), "rules read metrics the node does not export")
        # The space gauges are sane: used within the map, free within the file system.
        used, reserved = (sample_values(text, "ifexnode_store_used_bytes"),
                          sample_values(text, "ifexnode_store_map_bytes"))
        free, size = (sample_values(text, "ifexnode_data_free_bytes"),
                      sample_values(text, "ifexnode_data_size_bytes"))
        self.assertTrue(0 < used[0] <= reserved[0], (used, reserved))
        self.assertTrue(0 < free[0] <= size[0], (free, size))

    def test_the_dashboard_is_a_grafana_dashboard(self):
        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        self.assertGreaterEqual(dashboard["schemaVersion"], 36)
        self.assertEqual([i["name"] for i in dashboard["__inputs"]], ["DS_PROMETHEUS"])
        ids = [p["id"] for p in dashboard["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "panel ids repeat")
        for panel in dashboard["panels"]:
            for t in [panel] + panel.get("targets", []):
                if "datasource" in t:
                    self.assertEqual(t["datasource"]["uid"], "${DS_PROMETHEUS}", panel["title"])
        titles = " ".join(p["title"] for p in dashboard["panels"]).lower()
        for wanted in ("peers connected", "peer up", "member lag", "indexed", "http requests",
                       "http latency", "search latency", "store map", "disk free", "fork proofs"):
            self.assertIn(wanted, titles)

    def test_every_dashboard_query_parses_and_reads_exported_metrics(self):
        with open(DASHBOARD) as f:
            queries = dashboard_queries(json.load(f))
        self.assertGreaterEqual(len(queries), 15)
        # promtool has no bare parser: as recording rules, `check rules` parses every query.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "dashboard-queries.yml")
            with open(path, "w") as f:
                f.write("groups:\n  - name: dashboard\n    rules:\n")
                for i, q in enumerate(queries):
                    f.write(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(q)}\n")
            code, out = promtool("check", "rules", path)
        self.assertEqual(code, 0, out)
        self.assertIn(f"{len(queries)} rules found", out)
        read = set()
        for q in queries:
            read.update(METRIC.findall(q))
        self.assertIn("ifexnode_http_request_duration_seconds_bucket", read)
        self.assertIn("ifexnode_peer_behind_entries", read)
        self.assertEqual(read - exported_names(self.metrics), set(),
                         "the dashboard reads metrics the node does not export")


if __name__ == "__main__":
    unittest.main()
