// Hostile and mistaken peers end to end: another network key, a dialer expecting another key,
// and a test-only client (hostile_peer) that completes the real handshake and then replays,
// flips a bit, forges a signature or breaks the size limit. Each time the node under attack
// keeps running, stores nothing the peer sent, counts the event, and goes on serving its honest
// peers.
#include <sstream>

#include "tests/net/federation.hpp"

namespace ifex::test::net {
namespace {

// A peer entry of `status --json`, as text for messages.
std::string peer_text(const json::object& status, const std::string& key) {
  auto* p = Node::peer_in(status, key);
  return p ? json::serialize(*p) : "(not listed)";
}

bool has_last_error(const json::object& status, const std::string& key) {
  auto* p = Node::peer_in(status, key);
  return p && p->at("connected") == json::value(false) && p->if_contains("last_error") &&
         p->at("last_error").is_string() && !p->at("last_error").as_string().empty();
}

}  // namespace

TEST_CASE("a node with another network key never gets an entry, and both keep running",
          "[net][hostile]") {
  Federation fed("netkey");
  Node& a = fed.add("a");
  Node& b = fed.add("b");
  Node& c = fed.add("c", "new");  // founded its own federation
  REQUIRE(c.network_key() != a.network_key());
  // C is on everyone's roster and they dial each other: only the network key keeps them apart.
  fed.roster_all({&a, &b, &c});
  fed.dial(a, b);
  fed.dial(a, c);
  fed.dial(c, a);
  fed.start_all();

  a.publish("a: for the federation only");
  c.publish("c: from another network");
  fed.wait_all_have({&b}, Federation::published_by({&a}));  // A does gossip

  fed.wait_until(
      "A and C each count a failed handshake and show the other with a last error",
      [&] {
        auto sa = a.status(), sc = c.status();
        return Node::counter_in(sa, "handshakes_failed") >= 1 &&
               Node::counter_in(sc, "handshakes_failed") >= 1 && has_last_error(sa, c.key()) &&
               has_last_error(sc, a.key());
      },
      default_deadline,
      [&] { return "A: " + json::serialize(a.status()) + "\nC: " + json::serialize(c.status()); });

  a.publish("a: a second alert");
  fed.wait_all_have({&b}, Federation::published_by({&a}));
  fed.require_alive();
  auto sc = c.status();
  INFO("C: " << json::serialize(sc));
  CHECK(num(sc.at("connections")) == 0);
  REQUIRE(c.ids() == Federation::published_by({&c}));
  REQUIRE(a.ids() == Federation::published_by({&a}));
  REQUIRE(b.ids() == Federation::published_by({&a}));
}

TEST_CASE("a dialer that expects another key at an address never connects there",
          "[net][hostile]") {
  Federation fed("expect");
  Node& a = fed.add("a");
  Node& b = fed.add("b");
  Node& x = fed.add("x");  // a member that never runs; B believes it is at A's address
  fed.roster_all({&a, &b, &x});
  b.peer_add(a.url(), x.key());
  fed.start_all({&a, &b});

  a.publish("a's alert");
  b.publish("b's alert");
  fed.wait_until(
      "B shows the peer it expected at A's address with a last error; A counts a failed handshake",
      [&] { return has_last_error(b.status(), x.key()) && a.counter("handshakes_failed") >= 1; },
      default_deadline,
      [&] { return "B: " + json::serialize(b.status()) + "\nA: " + json::serialize(a.status()); });

  fed.require_alive();
  {
    auto sa = a.status(), sb = b.status();
    INFO("A: " << json::serialize(sa) << "\nB: " << json::serialize(sb));
    CHECK(num(sa.at("connections")) == 0);
    CHECK(num(sb.at("connections")) == 0);
    REQUIRE(a.ids() == Federation::published_by({&a}));
    REQUIRE(b.ids() == Federation::published_by({&b}));
  }

  // The control: with A's real key the same two nodes connect and exchange everything, so what
  // kept them apart was the expected key alone.
  b.peer_add(a.url(), a.key());
  fed.wait_all_have({&a, &b}, Federation::published_by({&a, &b}));
}

namespace {

// A target node T with an honest peer B (B dials T), and the identity of a third member X that
// T has on its roster: hostile_peer proves X's identity, so T lets it in.
struct HostileSetup {
  Federation fed{"hostile"};
  Node& t;
  Node& b;
  Node& x;

  HostileSetup() : t(fed.add("target")), b(fed.add("honest")), x(fed.add("hostile")) {
    fed.roster_all({&t, &b});
    t.roster_add(x);
    fed.dial(b, t);
    fed.start_all({&t, &b});
    b.publish("honest before the attack");
    fed.wait_all_have({&t}, Federation::published_by({&b}));
    wait_honest_link_up();
  }

  void wait_honest_link_up() {
    fed.wait_until("T shows B connected", [&] {
      auto st = t.status();
      auto* p = Node::peer_in(st, b.key());
      return p && p->at("connected") == json::value(true);
    });
  }
  // When T says its link with B came up (changes if the link dropped and came back).
  std::string honest_since() {
    auto st = t.status();
    auto* p = Node::peer_in(st, b.key());
    INFO(peer_text(st, b.key()));
    REQUIRE(p);
    REQUIRE(p->at("connected") == json::value(true));
    return str(p->at("since"));
  }

  struct Outcome {
    ProcessResult result;
    std::vector<std::string> sent;  // ids of the entries hostile_peer sent
    std::string describe() const {
      return "hostile_peer -> " + result.status.describe() + "\nstdout:\n" + result.out +
             "\nstderr:\n" + result.err;
    }
  };
  // Runs hostile_peer with `who`'s identity (X unless told otherwise).
  Outcome attack(const std::string& scenario, Node* who = nullptr) {
    Outcome o{run_process(hostile_argv(scenario, who), {}, std::chrono::seconds(60)), {}};
    std::istringstream lines(o.result.out);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("sent-id ", 0) == 0) o.sent.push_back(line.substr(8));
    return o;
  }
  std::vector<std::string> hostile_argv(const std::string& scenario, Node* who = nullptr) {
    return {hostile_peer_bin(),
                                  "--data",
                                  (who ? who : &x)->data(),
                                  "--network-key",
                                  fed.network_key(),
                                  "--url",
                                  t.url(),
                                  "--expect",
                                  t.key(),
                                  "--scenario",
                                  scenario,
                                  "--timeout-ms",
                                  "10000"};
  }

  // After an attack: T is alive, its honest link never dropped, it stores nothing of X's, and
  // entries still flow both ways between T and B.
  void require_unharmed(const Outcome& o, const std::string& since_before) {
    INFO(o.describe());
    fed.require_alive();
    CHECK(honest_since() == since_before);
    b.publish("honest after the attack");
    t.publish("target after the attack");
    fed.wait_all_have({&t, &b}, Federation::published_by({&t, &b}));
    // By now anything of X's that T had accepted would be stored (it came before B's alert).
    auto stored = t.ids();
    for (const auto& id : o.sent) {
      INFO("entry " << id << " from the hostile peer");
      CHECK(stored.count(id) == 0);
    }
    REQUIRE(t.ids(x.key()).empty());
    REQUIRE(stored == Federation::published_by({&t, &b}));
  }
};

}  // namespace

TEST_CASE("hostile_peer's honest scenario stores its entries (the control for the attacks)",
          "[net][hostile]") {
  HostileSetup s;
  const auto errors_before = s.t.counter("protocol_errors");
  auto o = s.attack("honest");
  INFO(o.describe());
  REQUIRE(o.result.status.code == 0);
  REQUIRE(o.sent.size() == 2);
  std::set<std::string> sent(o.sent.begin(), o.sent.end());
  s.fed.wait_all_have({&s.t}, sent);
  REQUIRE(s.t.ids(s.x.key()) == sent);
  // The honest session ended without a protocol error on T's side.
  s.fed.wait_until("T's status is fresh", [&] { return s.t.counter("entries_stored") >= 3; });
  CHECK(s.t.counter("protocol_errors") == errors_before);
  s.fed.require_alive();
}

// docs/protocol.md ("Encrypted frames", Close): a frame tagged FINAL ends the stream cleanly.
TEST_CASE("a peer that ends its stream with a FINAL frame is not counted as a protocol error",
          "[net][hostile]") {
  HostileSetup s;
  const auto before = s.t.status();
  const std::string since = s.honest_since();
  auto o = s.attack("final-frame");
  INFO(o.describe());
  REQUIRE(o.result.status.code == 0);
  s.require_unharmed(o, since);  // also lets T's status catch up with the close
  s.fed.wait_until("T's status is fresh", [&] {
    return s.t.counter("entries_stored") > Node::counter_in(before, "entries_stored");
  });
  CHECK(s.t.counter("protocol_errors") == Node::counter_in(before, "protocol_errors"));
}

namespace {

// Runs one attack against T and checks what every attack must leave behind: hostile_peer saw
// the connection closed (or the replay refused), `counter` grew on T, and T is unharmed.
void attack_and_check(HostileSetup& s, const std::string& scenario, const std::string& counter,
                      std::size_t expect_sent) {
  const auto before = s.t.status();
  const std::string since = s.honest_since();
  auto o = s.attack(scenario);
  INFO(o.describe());
  REQUIRE(o.result.status.code == 0);
  REQUIRE(o.sent.size() == expect_sent);
  const auto base = Node::counter_in(before, counter);
  s.fed.wait_until(
      "T counts the attack in " + counter, [&] { return s.t.counter(counter) > base; },
      default_deadline, [&] { return json::serialize(s.t.status()); });
  s.require_unharmed(o, since);
}

}  // namespace

TEST_CASE("a node of the network that is neither a peer nor on the roster is refused",
          "[net][hostile]") {
  HostileSetup s;
  Node& stranger = s.fed.add("stranger");  // holds the network key; T does not know it
  const auto before = s.t.status();
  const std::string since = s.honest_since();
  auto o = s.attack("honest", &stranger);
  INFO(o.describe());
  REQUIRE(o.result.status.code == 4);  // the handshake did not complete: T sent no accept
  REQUIRE(o.sent.empty());
  s.fed.wait_until("T counts a refused peer", [&] {
    return s.t.counter("peers_refused") > Node::counter_in(before, "peers_refused");
  });
  s.require_unharmed(o, since);
  REQUIRE(s.t.ids(stranger.key()).empty());
}

TEST_CASE("a hostile peer is disconnected, stores nothing, and the node serves everyone else",
          "[net][hostile]") {
  HostileSetup s;
  SECTION("a replayed handshake (hello and auth of a recorded session)") {
    attack_and_check(s, "replay-handshake", "handshakes_failed", 0);
  }
  SECTION("a frame with one flipped bit after the handshake") {
    attack_and_check(s, "flip-bit", "protocol_errors", 1);
  }
  SECTION("an entry with a bad signature (after a valid one, in one message)") {
    const auto errors_before = s.t.counter("protocol_errors");
    attack_and_check(s, "bad-signature", "entries_rejected", 2);
    CHECK(s.t.counter("protocol_errors") > errors_before);
  }
  SECTION("a frame over the size limit") {
    attack_and_check(s, "oversize", "protocol_errors", 4);
  }
  SECTION("clock parts that never end (version 3), past max_clock_authors") {
    attack_and_check(s, "endless-clock-parts", "protocol_errors", 0);
  }
}

// docs/protocol.md, "Message 1: hello", step 4: a hello recorded on the wire and replayed to the
// node it names gets the same silence as one without the network key, before the node makes an
// ephemeral key for it. Fails (hostile_peer exits 6) on a node without the replay guard.
TEST_CASE("a replayed hello gets no reply, is counted, and honest peers are unaffected",
          "[net][hostile][replay]") {
  HostileSetup s;
  const auto before = s.t.status();
  const std::string since = s.honest_since();
  auto o = s.attack("replay-hello");
  INFO(o.describe());
  REQUIRE(o.result.status.code == 0);
  CHECK(o.result.out.find("close-code 1008\nclose-reason \nfinal no\n") != std::string::npos);
  const auto replays = Node::counter_in(before, "replayed_hellos");
  s.fed.wait_until(
      "T counts one replayed hello", [&] { return s.t.counter("replayed_hellos") == replays + 1; },
      default_deadline, [&] { return json::serialize(s.t.status()); });
  CHECK(s.t.counter("handshakes_failed") > Node::counter_in(before, "handshakes_failed"));
  s.require_unharmed(o, since);
  CHECK(s.t.counter("replayed_hellos") == replays + 1);
}

// docs/protocol.md, "Closing a connection": the code and reason the node closes with. hostile_peer
// checks the close itself (exit 0 when it is the documented one) and prints what it saw.
TEST_CASE("the node closes with the documented code, reason and FINAL frame", "[net][close]") {
  HostileSetup s;
  const std::string since = s.honest_since();
  SECTION("a protocol error after the handshake: 1008 and a short reason, no FINAL") {
    auto o = s.attack("close-protocol");
    INFO(o.describe());
    REQUIRE(o.result.status.code == 0);
    CHECK(o.result.out.find("close-reason malformed_message\n") != std::string::npos);
    s.require_unharmed(o, since);
  }
  SECTION("a failed handshake: a bare 1008, nothing said") {
    auto o = s.attack("close-handshake");
    INFO(o.describe());
    REQUIRE(o.result.status.code == 0);
    CHECK(o.result.out.find("close-code 1008\nclose-reason \nfinal no\n") != std::string::npos);
    s.require_unharmed(o, since);
  }
  SECTION("a duplicate link: FINAL, then 1000 duplicate_link") {
    auto o = s.attack("close-duplicate");
    INFO(o.describe());
    REQUIRE(o.result.status.code == 0);
    CHECK(o.result.out.find("close-code 1000\nclose-reason duplicate_link\nfinal yes\n") !=
          std::string::npos);
    s.require_unharmed(o, since);
  }
  SECTION("the node stopping: FINAL, then 1000 shutdown") {
    BackgroundProcess peer(s.hostile_argv("close-shutdown"));
    s.fed.wait_until("hostile_peer is connected",
                     [&] { return peer.out().find("connected\n") != std::string::npos; });
    s.t.stop();
    auto st = peer.wait_for(std::chrono::seconds(20));
    INFO("hostile_peer:\n" << peer.out() << "\n" << peer.err());
    REQUIRE(st);
    REQUIRE(st->code == 0);
    CHECK(peer.out().find("close-code 1000\nclose-reason shutdown\nfinal yes\n") !=
          std::string::npos);
  }
}

}  // namespace ifex::test::net
