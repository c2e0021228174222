"""Issue 15, "Relays": a relay authors nothing. `ifexnode publish` and `POST /api/alerts` (with
the admin token) are refused on a node of role relay with a message that says why, and its log
stays empty; a member node publishes as before. Real `ifexnode` processes on loopback."""
import json
import unittest

from ops_support import Node, cli

ALERT = {"lang": "en", "title": "t", "summary": "s", "body": "b", "country": "TN",
         "categories": ["press-freedom"]}
PUBLISH = ["--lang", "en", "--country", "TN", "--category", "press-freedom", "--title", "t",
           "--body", "b"]


def own_seq(node):
    _, out, _ = cli("status", "--data", node.data, "--json", check=False)
    status = json.loads(out)
    return max([c["seq"] for c in status["clocks"] if c["author"] == status["public_key"]],
               default=0)


class RelayPublishTest(unittest.TestCase):
    def setUp(self):
        self.relay = Node(name="relay-1", role="relay")
        self.member = Node(name="member-1", role="member")

    def tearDown(self):
        self.relay.close()
        self.member.close()

    def test_the_cli_refuses_to_publish_on_a_relay(self):
        code, out, err = cli("publish", "--data", self.relay.data, *PUBLISH, check=False)
        self.assertNotEqual(code, 0, out)
        self.assertIn("this node is a relay", err)
        self.assertIn("publish from a member node", err)
        self.assertEqual(own_seq(self.relay), 0)
        cli("publish", "--data", self.member.data, *PUBLISH)
        self.assertEqual(own_seq(self.member), 1)

    def test_the_api_refuses_to_publish_on_a_relay(self):
        self.relay.start()
        self.member.start()
        status, _, body = self.relay.publish(ALERT)
        self.assertEqual(status, 403, body)
        self.assertIn(b"this node is a relay", body)
        status, _, body = self.member.publish(ALERT)
        self.assertEqual(status, 201, body)
        self.relay.stop()
        self.assertEqual(own_seq(self.relay), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
