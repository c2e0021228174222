// The Ingester: store outcomes turned into Replicator calls and held entries, over an in-memory
// store, with a real Replicator whose outgoing messages show what it was told.
#include "protocol/ingester.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "tests/protocol/memory_store.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex {
namespace {

using test::make_entry;
using test::MemoryStore;
using test::make_log;
using test::seeded_identity;

// Every event as one line, in order.
class RecordedEvents final : public IngestEvents {
 public:
  std::vector<std::string> lines;
  bool pass_forks_on = true;
  void stored(const SignedEntry& e, std::optional<PeerId> from) override {
    lines.push_back("stored #" + std::to_string(e.seq()) + (from ? " from peer" : " held"));
  }
  void duplicate(const SignedEntry& e) override {
    lines.push_back("duplicate #" + std::to_string(e.seq()));
  }
  void held(const SignedEntry& e, std::optional<PeerId> from, std::uint64_t have_seq) override {
    lines.push_back("held #" + std::to_string(e.seq()) + " at " + std::to_string(have_seq) +
                    (from ? " from peer" : ""));
  }
  bool fork_found(const SignedEntry& e, const Bytes&) override {
    lines.push_back("fork #" + std::to_string(e.seq()));
    return pass_forks_on;
  }
};

struct Rig {
  MemoryStore store;
  PendingEntries pending{100};
  Replicator replicator{ReplicatorConfig{}, store, [](const PublicKey&) { return true; }};
  RecordedEvents events;
  Ingester ingester{store, pending, replicator, events};

  // A peer (id 7) that holds nothing yet, so everything we store is news to it.
  Rig() {
    replicator.on_connected(7, ClockMsg{true, {}}, 0);
    REQUIRE(replicator.on_message(7, ClockMsg{true, {}}, 0));
    (void)replicator.take_outgoing();
  }
  Status ingest(std::vector<const SignedEntry*> entries, std::optional<PeerId> from = 7) {
    const IngestBatch batch{from, false, entries};
    return ingester.ingest(std::span(&batch, 1), 1000);
  }
  std::size_t outgoing_of_type(std::size_t index) {
    std::size_t n = 0;
    for (const auto& [peer, m] : replicator.take_outgoing()) n += m.index() == index;
    return n;
  }
};

TEST_CASE("Ingester appends entries that arrive ahead of their predecessors once they fit",
          "[ingester]") {
  Rig rig;
  Identity id = seeded_identity(90);
  auto log = make_log(id, 3);
  REQUIRE(rig.ingest({&log[2], &log[0]}));
  // #3 met an empty log; #1 then let nothing fit yet (#2 is missing).
  CHECK(rig.events.lines == std::vector<std::string>{"held #3 at 0 from peer", "stored #1 from peer"});
  CHECK(rig.pending.size() == 1);
  rig.events.lines.clear();
  REQUIRE(rig.ingest({&log[1]}));
  // The held #3 is reported without a sender: the peer that closed the gap may lack it.
  CHECK(rig.events.lines == std::vector<std::string>{"stored #2 from peer", "stored #3 held"});
  CHECK(rig.store.length(id.public_key()) == 3);
  CHECK(rig.pending.size() == 0);
}

TEST_CASE("Ingester reports a gap against the head its entry met, not the batch's end",
          "[ingester]") {
  Rig rig;
  Identity id = seeded_identity(91);
  auto log = make_log(id, 4);
  REQUIRE(rig.ingest({&log[0], &log[2], &log[1]}));
  CHECK(rig.events.lines == std::vector<std::string>{"stored #1 from peer", "held #3 at 1 from peer",
                                                     "stored #2 from peer", "stored #3 held"});
}

TEST_CASE("Ingester appends every batch in one store append (group commit)", "[ingester]") {
  Rig rig;
  auto a = make_log(seeded_identity(92), 2);
  auto b = make_log(seeded_identity(93), 2);
  std::vector<const SignedEntry*> first{&a[0], &a[1]};
  std::vector<const SignedEntry*> second{&b[0], &b[1]};
  const IngestBatch batches[] = {{7, false, first}, {std::nullopt, false, second}};
  REQUIRE(rig.ingester.ingest(batches, 1000));
  CHECK(rig.store.appends == 1);
  CHECK(rig.events.lines == std::vector<std::string>{"stored #1 from peer", "stored #2 from peer",
                                                     "stored #1 held", "stored #2 held"});
}

TEST_CASE("Ingester counts duplicates and passes on the proof of a fork once", "[ingester]") {
  Rig rig;
  Identity id = seeded_identity(94);
  auto log = make_log(id, 3);
  REQUIRE(rig.ingest({&log[0], &log[1], &log[0]}));
  (void)rig.replicator.take_outgoing();
  SignedEntry other = make_entry(id, 2, log[0].id(), Bytes{'x'});
  rig.events.lines.clear();
  REQUIRE(rig.ingest({&other, &log[2]}));
  // The fork freezes the log inside the append: #3 then fits nowhere and is not stored.
  CHECK(rig.events.lines == std::vector<std::string>{"fork #2"});
  CHECK(rig.store.length(id.public_key()) == 2);
  CHECK(rig.outgoing_of_type(5) == 1);  // one ForkProofMsg to the peer
}

TEST_CASE("Ingester keeps a fork proof from the peers when the owner says so", "[ingester]") {
  Rig rig;
  Identity id = seeded_identity(95);
  auto log = make_log(id, 2);
  REQUIRE(rig.ingest({&log[0], &log[1]}));
  (void)rig.replicator.take_outgoing();
  rig.events.pass_forks_on = false;
  SignedEntry other = make_entry(id, 2, log[0].id(), Bytes{'y'});
  REQUIRE(rig.ingest({&other}));
  CHECK(rig.events.lines.back() == "fork #2");
  CHECK(rig.outgoing_of_type(5) == 0);
}

TEST_CASE("Ingester stops on a store error and reports nothing of that batch", "[ingester]") {
  Rig rig;
  auto log = make_log(seeded_identity(96), 2);
  rig.store.fail_next_append = true;
  auto st = rig.ingest({&log[0], &log[1]});
  REQUIRE_FALSE(st);
  CHECK(st.error().code == "disk_full");
  CHECK(rig.events.lines.empty());
  // The same entries, sent again, are stored.
  REQUIRE(rig.ingest({&log[0], &log[1]}));
  CHECK(rig.events.lines.size() == 2);
}

}  // namespace
}  // namespace ifex
