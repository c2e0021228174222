// The author's clock (created_ms) against a running node: an entry dated beyond
// [limits] max_clock_skew_s is refused with a reason, without dropping the peer that forwarded
// it; one within the bound is stored; a log whose dates run backwards is a valid log, since its
// order is seq.
#include <iostream>

#include "tests/net/load_support.hpp"

namespace ifex::test::net {
namespace {

std::vector<std::string> sent_ids(const HostileRun& run) { return run.all("sent-id"); }

}  // namespace

TEST_CASE("an entry dated two days ahead is refused with a reason; the peer stays connected",
          "[net][load][clock]") {
  Federation fed("future");
  Node& t = fed.add("target");
  Node& x = fed.add("ahead");     // signs an entry dated two days ahead
  Node& w = fed.add("nearly");    // the control: thirty minutes ahead, within the default hour
  t.roster_add(x);
  t.roster_add(w);
  fed.start_all({&t});
  const auto before = t.status();

  HostileRun future(fed, x, t, "future-entry", {"--linger-ms", "3000"});
  const int code = future.wait(std::chrono::seconds(60));
  INFO(future.describe());
  REQUIRE(code == 0);  // the connection stayed open for the whole linger
  REQUIRE(sent_ids(future).size() == 1);
  fed.wait_until(
      "T counts the refused entry", [&] {
        return t.counter("entries_rejected") > Node::counter_in(before, "entries_rejected");
      },
      default_deadline, [&] { return json::serialize(t.status()); });

  HostileRun nearly(fed, w, t, "future-entry",
                    {"--created-offset-ms", std::to_string(30 * 60 * 1000), "--linger-ms", "1000"});
  REQUIRE(nearly.wait(std::chrono::seconds(60)) == 0);
  const auto near_ids = sent_ids(nearly);
  REQUIRE(near_ids.size() == 1);
  fed.wait_all_have({&t}, {near_ids[0]});

  const auto after = t.status();
  const std::string log = t.log();
  std::size_t at = log.find("future");
  std::cout << "[clock] T refused the entry dated +2 days: "
            << counter_line(t, before, after, "entries_rejected") << ", "
            << counter_line(t, before, after, "protocol_errors") << "\n"
            << "[clock] T's log: "
            << (at == std::string::npos
                    ? std::string("(no line says 'future')")
                    : log.substr(log.rfind('\n', at) + 1, log.find('\n', at) - log.rfind('\n', at) - 1))
            << "\n";
  INFO(fed.report());
  CHECK(at != std::string::npos);
  CHECK(t.ids(x.key()).empty());
  CHECK(Node::counter_in(after, "protocol_errors") == Node::counter_in(before, "protocol_errors"));
  fed.require_alive();
}

TEST_CASE("a log whose dates run backwards is accepted whole, in seq order", "[net][load][clock]") {
  Federation fed("backwards");
  Node& t = fed.add("target");
  Node& c = fed.add("third");      // gets the log from T by gossip: chained in seq order
  Node& x = fed.add("backwards");  // seq 1 now, seq 2 a day earlier, seq 3 two days earlier
  fed.roster_all({&t, &c});
  t.roster_add(x);
  c.roster_add(x);
  fed.dial(c, t);
  fed.start_all({&t, &c});

  HostileRun run(fed, x, t, "backwards-clock", {"--linger-ms", "1000"});
  const int code = run.wait(std::chrono::seconds(60));
  INFO(run.describe());
  REQUIRE(code == 0);
  const auto ids = sent_ids(run);
  REQUIRE(ids.size() == 3);
  const std::set<std::string> all(ids.begin(), ids.end());
  fed.wait_all_have({&t, &c}, all);

  // The head is seq 3 everywhere, and each seq holds the entry sent with it.
  for (Node* n : {&t, &c}) {
    INFO(n->name());
    CHECK(n->clocks()[x.key()] == 3);
    std::map<std::uint64_t, std::string> by_seq;
    for (const auto& e : n->list(x.key())) by_seq[num(e.at("seq"))] = str(e.at("id"));
    CHECK(by_seq == std::map<std::uint64_t, std::string>{{1, ids[0]}, {2, ids[1]}, {3, ids[2]}});
    n->verify();
  }
  std::cout << "[clock] a log dated backwards (seq 1 now, seq 3 two days earlier): T and C hold "
               "seq 1..3, head 3; `list` shows it newest-created first:";
  for (const auto& e : t.list(x.key())) std::cout << " #" << num(e.at("seq"));
  std::cout << "\n";
  fed.require_alive();
}

}  // namespace ifex::test::net
