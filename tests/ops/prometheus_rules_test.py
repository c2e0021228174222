"""Issue 17: the example alerting rules (contrib/prometheus/ifexnode-alerts.yml) are valid
(`promtool check rules`), fire on the cases of ifexnode-alerts.test.yml and only after their
`for` (`promtool test rules`), and read only metrics a real node exports: every `ifexnode_*`
name in a rule is in a running hub's /metrics, so a renamed metric cannot leave a rule silent.
promtool comes from Debian's prometheus package (scripts/install-deps.sh): missing, the test
fails rather than skips."""
import os
import re
import shutil
import subprocess
import unittest
import urllib.request

from ops_support import Node

RULES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib",
                         "prometheus")
RULES = os.path.join(RULES_DIR, "ifexnode-alerts.yml")
CASES = os.path.join(RULES_DIR, "ifexnode-alerts.test.yml")


def promtool(*args):
    tool = shutil.which("promtool")
    assert tool, "promtool is missing: run scripts/install-deps.sh (Debian package prometheus)"
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=120,
                          cwd=RULES_DIR)
    return done.returncode, done.stdout + done.stderr


def sample_values(text, name):
    return [float(line.split()[-1]) for line in text.splitlines()
            if line.startswith(name + " ") or line.startswith(name + "{")]


class PrometheusRulesTest(unittest.TestCase):
    def test_the_rules_are_valid(self):
        code, out = promtool("check", "rules", RULES)
        self.assertEqual(code, 0, out)
        self.assertIn("6 rules found", out)

    def test_the_rules_fire_on_their_cases(self):
        code, out = promtool("test", "rules", CASES)
        self.assertEqual(code, 0, out)

    def test_every_metric_a_rule_reads_is_exported(self):
        with open(RULES) as f:
            wanted = set(re.findall(r"\bifexnode_[a-z_]+", "\n".join(
                line for line in f if line.strip().startswith("expr:"))))
        self.assertGreaterEqual(len(wanted), 7, wanted)
        node = Node(name="hub", role="hub").start()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{node.port}/metrics", timeout=10) as r:
                text = r.read().decode()
        finally:
            node.close()
        exported = set(re.findall(r"^# TYPE (ifexnode_[a-z_]+) ", text, re.M))
        self.assertEqual(wanted - exported, set(), "rules read metrics the node does not export")
        # The space gauges are sane: used within the map, free within the file system.
        used, reserved = (sample_values(text, "ifexnode_store_used_bytes"),
                          sample_values(text, "ifexnode_store_map_bytes"))
        free, size = (sample_values(text, "ifexnode_data_free_bytes"),
                      sample_values(text, "ifexnode_data_size_bytes"))
        self.assertTrue(0 < used[0] <= reserved[0], (used, reserved))
        self.assertTrue(0 < free[0] <= size[0], (free, size))


if __name__ == "__main__":
    unittest.main()
