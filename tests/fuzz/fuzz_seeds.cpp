// Writes the seed corpus: valid inputs for every fuzz target, made with the real encoders from
// the shared fixtures (fuzz_fixtures.hpp), one file per input in OUT/<target>/.
//   fuzz_seeds OUT
// Deterministic: the same build writes the same bytes, so a replay failure reproduces.
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_fixtures.hpp"
#include "fuzz_input.hpp"
#include "handshake_script.hpp"
#include "http_request_text.hpp"
#include "keys/key_text.hpp"
#include "node/backup/member_digest.hpp"
#include "node/backup/tar_format.hpp"
#include "node/codec/entry_json.hpp"
#include "protocol/bundle.hpp"
#include "protocol/clock_file.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/handshake.hpp"
#include "protocol/invitation.hpp"
#include "protocol/roster_change.hpp"

namespace ifex::fuzz {
namespace {

namespace fs = std::filesystem;

class Corpus {
 public:
  explicit Corpus(fs::path root) : root_(std::move(root)) {}

  void add(const std::string& target, const std::string& name, ByteView bytes) {
    fs::create_directories(root_ / target);
    std::ofstream out(root_ / target / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (root_ / target / name).string());
    ++count_;
  }
  void add(const std::string& target, const std::string& name, std::string_view text) {
    add(target, name, as_bytes(text));
  }
  std::size_t count() const { return count_; }

 private:
  fs::path root_;
  std::size_t count_ = 0;
};

Bytes with_prefix(std::uint8_t first, ByteView rest) {
  Bytes out(1 + rest.size());
  out[0] = first;
  std::copy(rest.begin(), rest.end(), out.begin() + 1);
  return out;
}

std::vector<ClockEntry> fixture_clock() {
  return {{author().public_key(), 3}, {forker().public_key(), 0}, {stranger().public_key(), 1}};
}

void entry_seeds(Corpus& c) {
  int i = 0;
  for (const SignedEntry& e : fixture_log()) {
    c.add("entry", "entry-" + std::to_string(++i), with_prefix(0, e.bytes()));
    c.add("entry", "alert-" + std::to_string(i), with_prefix(1, e.payload()));
  }
  Bytes small = test::make_log(stranger(), 1).front().bytes();  // a non-alert payload
  c.add("entry", "entry-text-payload", with_prefix(0, small));
  c.add("entry", "fork-proof", with_prefix(2, encode_fork_proof(fixture_fork_proof())));
}

void gossip_seeds(Corpus& c) {
  std::vector<Bytes> entries;
  for (const SignedEntry& e : fixture_log()) entries.push_back(e.bytes());
  const std::vector<std::pair<std::string, GossipMessage>> messages = {
      {"clock", ClockMsg{false, fixture_clock()}},
      {"clock-relay-empty", ClockMsg{true, {}}},
      {"entries-catch-up", EntriesMsg{false, entries}},
      {"entries-push-one", EntriesMsg{true, {entries.front()}}},
      {"have", HaveMsg{fixture_clock()}},
      {"prune", PruneMsg{}},
      {"graft", GraftMsg{author().public_key(), 2}},
      {"fork-proof", ForkProofMsg{encode_fork_proof(fixture_fork_proof())}},
  };
  for (const auto& [name, message] : messages)
    c.add("gossip", name, encode_gossip(message, GossipVersion::v1));
  // Version 2: clocks and have notes carry head ids (zero where seq is 0).
  std::vector<ClockEntry> with_ids = fixture_clock();
  for (ClockEntry& h : with_ids)
    if (h.seq > 0) h.head_id = fixture_log().back().id();
  c.add("gossip", "clock-ids", encode_gossip(ClockMsg{false, with_ids}, GossipVersion::v2));
  c.add("gossip", "have-ids", encode_gossip(HaveMsg{with_ids}, GossipVersion::v2));
  // Version 3: a clock in parts (a first part, the last one, an empty last, a relay's).
  c.add("gossip", "clock-part-first", encode_gossip(ClockPartMsg{false, false, with_ids},
                                                    GossipVersion::v3));
  c.add("gossip", "clock-part-last", encode_gossip(ClockPartMsg{true, false, with_ids},
                                                   GossipVersion::v3));
  c.add("gossip", "clock-part-empty-last", encode_gossip(ClockPartMsg{true, false, {}},
                                                         GossipVersion::v3));
  c.add("gossip", "clock-part-relay", encode_gossip(ClockPartMsg{false, true, with_ids},
                                                    GossipVersion::v3));
}

// A whole honest session, recorded from both sides with the fixture keys and ephemerals.
struct Transcript {
  Bytes hello, reply, auth, accept;
};

Transcript honest_transcript() {
  const NetworkKey net = network_key();
  ClientHandshake client(net, client_identity(), server_identity().public_key(),
                         EphemeralKey::from_seed(ephemeral_seed(client_ephemeral_fill)));
  ServerHandshake server(net, server_identity());
  Transcript t;
  t.hello = client.hello();
  t.reply =
      *server.on_hello(t.hello, EphemeralKey::from_seed(ephemeral_seed(server_ephemeral_fill)));
  t.auth = *client.on_reply(t.reply);
  if (!server.on_auth(t.auth)) throw std::runtime_error("the fixture handshake fails");
  t.accept = server.accept().first;
  if (!client.on_accept(t.accept)) throw std::runtime_error("the fixture handshake fails");
  return t;
}

void handshake_seeds(Corpus& c) {
  const Transcript t = honest_transcript();
  auto script = [](std::uint8_t flags, std::initializer_list<ByteView> chunks) {
    Bytes out{flags};
    for (ByteView chunk : chunks) append_chunk(out, chunk);
    return out;
  };
  // We play an honest client recorded earlier; the server under test uses the same ephemeral.
  c.add("handshake", "server-raw", script(hs::raw_first | hs::replay, {t.hello, t.auth}));
  c.add("handshake", "client-raw",
        script(hs::test_client | hs::raw_first | hs::replay, {t.reply, t.accept}));

  // The honest ephemeral points with MACs the target computes: the same bytes as the honest run.
  Bytes forged_server{hs::forged_mac};
  forged_server.insert(forged_server.end(), t.hello.begin(), t.hello.begin() + 32);
  append_chunk(forged_server, t.auth);
  c.add("handshake", "server-forged-mac", forged_server);
  Bytes forged_client{static_cast<std::uint8_t>(hs::test_client | hs::forged_mac)};
  forged_client.insert(forged_client.end(), t.reply.begin(), t.reply.begin() + 32);
  append_chunk(forged_client, t.accept);
  c.add("handshake", "client-forged-mac", forged_client);

  // Honest peers with their own ephemeral: unaltered, then with one bit flipped.
  for (std::uint8_t side : {std::uint8_t{0}, hs::test_client}) {
    for (bool flip : {false, true}) {
      Bytes s{static_cast<std::uint8_t>(side | hs::honest_peer | hs::replay)};
      s.push_back(side ? server_seed : client_seed);
      Bytes eph = ephemeral_seed(0x33);
      s.insert(s.end(), eph.begin(), eph.end());
      Bytes mask;
      if (flip) mask = {0, 0, 0, 0x10};
      append_chunk(s, mask);
      c.add("handshake",
            std::string(side ? "client" : "server") + "-honest-peer" + (flip ? "-altered" : ""), s);
    }
  }
}

void bundle_seeds(Corpus& c) {
  auto bundle = [](const std::vector<std::pair<BundleRecordType, Bytes>>& records) {
    Bytes out = bundle_header();
    for (const auto& [type, body] : records) {
      Bytes rec = bundle_record(type, body);
      out.insert(out.end(), rec.begin(), rec.end());
    }
    Bytes end = bundle_trailer(records.size());
    out.insert(out.end(), end.begin(), end.end());
    return out;
  };
  std::vector<std::pair<BundleRecordType, Bytes>> log;
  for (const SignedEntry& e : fixture_log()) log.emplace_back(BundleRecordType::entry, e.bytes());
  c.add("bundle", "log", bundle(log));
  c.add("bundle", "empty", bundle({}));
  auto reversed = log;
  std::reverse(reversed.begin(), reversed.end());
  c.add("bundle", "log-reversed", bundle(reversed));
  auto with_proof = log;
  with_proof.emplace_back(BundleRecordType::fork_proof, encode_fork_proof(fixture_fork_proof()));
  c.add("bundle", "log-and-fork-proof", bundle(with_proof));
  c.add("bundle", "stranger",
        bundle({{BundleRecordType::entry, test::make_log(stranger(), 1).front().bytes()}}));
  const Bytes whole = bundle(log);
  c.add("bundle", "truncated", ByteView(whole).first(whole.size() - 10));
}

std::string legacy_line(const Alert& a) {
  namespace json = boost::json;
  json::object o;
  o["legacy_id"] = a.legacy_id.empty() ? "ifex-2024-00001" : a.legacy_id;
  o["date"] = a.event_date.empty() ? "2024-01-01" : a.event_date;
  o["country"] = a.country;
  o["lang"] = a.original.lang;
  json::array categories(a.categories.begin(), a.categories.end());
  o["categories"] = categories;
  o["title"] = a.original.title;
  o["summary"] = a.original.summary;
  o["body"] = a.original.body;
  json::object translations;
  for (const AlertText& t : a.translations)
    translations[t.lang] = json::object{{"title", t.title}, {"summary", t.summary}, {"body", t.body}};
  o["translations"] = translations;
  o["sources"] = json::array(a.sources.begin(), a.sources.end());
  o["tags"] = json::array(a.tags.begin(), a.tags.end());
  o["old_field"] = 17;  // the archive's own fields are ignored
  return json::serialize(o);
}

void legacy_seeds(Corpus& c) {
  std::string all;
  int i = 0;
  for (const Alert& a : fixture_alerts()) {
    std::string line = legacy_line(a);
    c.add("legacy_record", "record-" + std::to_string(++i), line);
    all += line + "\n";
  }
  c.add("legacy_record", "file", all + "\n{\"legacy_id\": null}\n");
}

void alert_json_seeds(Corpus& c) {
  int i = 0;
  for (const Alert& a : fixture_alerts())
    c.add("alert_json", "alert-" + std::to_string(++i), boost::json::serialize(alert_to_json(a)));
}

std::vector<std::string> sample_targets() {
  const std::string id = fixture_log().front().id().hex();
  const std::string key = public_key_to_text(author().public_key());
  return {"/",
          "/healthz",
          "/api/alerts",
          "/api/alerts?limit=2",
          "/api/alerts?lang=fr&country=FR&category=detention&from=2020-01-01&to=2025-12-31",
          "/api/alerts?author=" + key,
          "/api/alerts/" + id,
          "/api/alerts/" + std::string(64, '0'),
          "/api/search?q=journalist",
          "/api/search?q=journaliste+d%C3%A9tenu&lang=fr&limit=5&offset=0",
          "/api/search?q=%D8%B5%D8%AD%D9%81%D9%8A&country=EG",
          "/api/search?q=%22internet+shutdown%22+OR+detained",
          "/api/status",
          "/feed.atom?lang=fr",
          "/feed.atom?category=internet-censorship",
          "/metrics"};
}

void http_seeds(Corpus& c) {
  int i = 0;
  const std::string bearer = "Bearer " + std::string(admin_token);
  for (const std::string& target : sample_targets()) {
    ++i;
    c.add("http_api", "get-" + std::to_string(i), request_text("GET", target, {{"Host", "hub.example"}}));
    c.add("query_string", "target-" + std::to_string(i), target);
  }
  const std::string id = fixture_log().front().id().hex();
  c.add("http_api", "get-if-none-match",
        request_text("GET", "/api/alerts/" + id, {{"If-None-Match", "W/\"x\", \"" + id + "\""}}));
  c.add("http_api", "head-list", request_text("HEAD", "/api/alerts?limit=1"));
  c.add("http_api", "delete", request_text("DELETE", "/api/alerts/" + id, {{"Authorization", bearer}}));
  const std::string body = boost::json::serialize(alert_to_json(fixture_alerts()[1]));
  c.add("http_api", "post-alert",
        request_text("POST", "/api/alerts",
                     {{"Authorization", bearer}, {"Content-Type", "application/json"}}, body));
  c.add("http_api", "post-no-token",
        request_text("POST", "/api/alerts", {{"Content-Type", "application/json"}}, body));
  c.add("http_api", "post-wrong-type",
        request_text("POST", "/api/alerts", {{"Authorization", bearer}, {"Content-Type", "text/plain"}}, body));
  c.add("http_api", "post-not-json",
        request_text("POST", "/api/alerts",
                     {{"Authorization", bearer}, {"Content-Type", "application/json"}}, "{\"lang\":"));
  c.add("query_string", "escapes", "/a%2Fb?x=%41%42&y=a+b&empty=&flag");
}

// Raw requests for the node's request reader: the first byte is the read size (see
// fuzz_http_reader.cpp). Chunked bodies, trailers, chunk extensions, many headers,
// pipelining and Transfer-Encoding variants.
void http_reader_seeds(Corpus& c) {
  auto add = [&c](const std::string& name, char read_size, const std::string& wire) {
    c.add("http_reader", name, std::string(1, read_size) + wire);
  };
  const std::string post = "POST /api/alerts HTTP/1.1\r\nHost: h\r\n";
  add("get", 50, "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n");
  add("pipelined", 7,
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
      "HEAD /c HTTP/1.1\r\nHost: h\r\n\r\n");
  add("content-length", 96, post + "Content-Length: 5\r\n\r\nhello");
  add("chunked", 3, post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n");
  add("chunked-trailers", 11,
      post + "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-One: 1\r\nX-Two: 2\r\n\r\n");
  std::string endless_trailers = post + "Transfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 2000; ++i) endless_trailers += "a:b\r\n";
  add("endless-trailers", 96, endless_trailers);
  add("chunk-extension", 13, post + "Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n");
  add("endless-chunk-line", 96,
      post + "Transfer-Encoding: chunked\r\n\r\n5;" + std::string(20000, 'x'));
  add("xchunked", 40, post + "Transfer-Encoding: xchunked\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
  add("identity", 40, post + "Transfer-Encoding: identity\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
  add("chunked-identity", 40,
      post + "Transfer-Encoding: chunked, identity\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
  add("te-and-length", 40,
      post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n");
  add("te-twice", 40,
      post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 300; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  add("many-headers", 64, many + "\r\n");
  add("too-long-body", 96, post + "Content-Length: 999999\r\n\r\n" + std::string(5000, 'b'));
  add("http10-chunked", 20, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  add("upgrade", 64,
      "GET /gossip HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}

void roster_seeds(Corpus& c) {
  const PublicKey a = author().public_key(), b = forker().public_key();
  Hash genesis;
  genesis.bytes[0] = 1;
  const std::vector<std::pair<std::string, RosterChange>> changes = {
      {"genesis", GenesisRoster{"IFEX", 2, {{a, "A"}, {b, "B"}}}},
      {"add", RosterProposal{genesis, 0, RosterOp::add, stranger().public_key(), "C", 0, {}}},
      {"remove", RosterProposal{genesis, 1, RosterOp::remove, b, "", 0, {}}},
      {"threshold", RosterProposal{genesis, 2, RosterOp::threshold, PublicKey{}, "", 1, {}}},
      {"revoke", RosterProposal{genesis, 3, RosterOp::revoke, b, "", 41, {}}},
      {"remove_after", RosterProposal{genesis, 5, RosterOp::remove_after, b, "", 7, {}}},
      {"rotate", RosterProposal{genesis, 4, RosterOp::rotate, b, "", 41, stranger().public_key()}},
      {"approval", RosterApproval{genesis, genesis}},
  };
  for (const auto& [name, change] : changes)
    c.add("roster", name, with_prefix(0, encode_roster_change(change)));
  Invitation inv;
  inv.genesis = genesis;
  inv.founder = a;
  inv.peers = {{a, "ws://127.0.0.1:7400/gossip"}, {b, "ws://[::1]:7401/gossip"}};
  const std::string text = encode_invitation(inv);
  c.add("roster", "invitation", with_prefix(1, as_bytes(text)));
}

// A backup archive as `ifexnode backup` lays it out (node/backup/backup_members.hpp), built
// from its parts, then cut short and with a member renamed.
void backup_seeds(Corpus& c) {
  Bytes archive;
  std::string sums;
  auto member = [&](const std::string& name, std::string_view text) {
    const auto header = tar::encode_header(tar::Header{name, 0600, text.size(), 1700000000});
    archive.insert(archive.end(), header.begin(), header.end());
    archive.insert(archive.end(), text.begin(), text.end());
    archive.resize(archive.size() + tar::padding_for(text.size()), 0);
    backup::MemberDigest d;
    d.update(as_bytes(text));
    sums += d.hex() + "  " + name + "\n";
  };
  member("ifexnode-backup", "ifexnode backup 1\ncreated_ms 1700000000000\nindex rebuild\n");
  member("format", "ifexnode data format 2\n");
  member("ifexnode.toml", "[node]\nname = \"a\"\n");
  member("identity.key", "key bytes");
  member("store/data.mdb", std::string(1500, 's'));
  const std::string checksums = sums;
  member("checksums", checksums);
  archive.resize(archive.size() + 2 * tar::block_size, 0);
  c.add("backup_archive", "whole", archive);
  c.add("backup_archive", "truncated", ByteView(archive.data(), archive.size() / 2));
  Bytes renamed = archive;
  const auto bad = tar::encode_header(tar::Header{"../evil", 0600, 23, 1700000000});
  std::copy(bad.begin(), bad.end(), renamed.begin() + 1024);
  c.add("backup_archive", "traversal", renamed);
}

// Clock files as `ifexnode clock` writes them: the fixture authors' logs and a fork proof held;
// one empty; one cut short. The first byte 0 hands each to the decoder as it is.
void clock_file_seeds(Corpus& c) {
  auto log = test::make_log(author(), 3);
  const std::vector<HeldLog> logs = {
      HeldLog{author().public_key(), head_after(log.back()), false},
      HeldLog{forker().public_key(), LogHead{}, true},
      HeldLog{stranger().public_key(), head_after(log.front()), true}};
  const Bytes whole = encode_clock_file(logs);
  c.add("clock_file", "three-authors", with_prefix(0, whole));
  c.add("clock_file", "empty", with_prefix(0, encode_clock_file({})));
  c.add("clock_file", "truncated", with_prefix(0, ByteView(whole).first(whole.size() - 40)));
  c.add("clock_file", "resealed", with_prefix(1, whole));
}

}  // namespace
}  // namespace ifex::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
    return 2;
  }
  try {
    ifex::fuzz::Corpus corpus(argv[1]);
    ifex::fuzz::entry_seeds(corpus);
    ifex::fuzz::gossip_seeds(corpus);
    ifex::fuzz::handshake_seeds(corpus);
    ifex::fuzz::bundle_seeds(corpus);
    ifex::fuzz::legacy_seeds(corpus);
    ifex::fuzz::alert_json_seeds(corpus);
    ifex::fuzz::http_seeds(corpus);
    ifex::fuzz::http_reader_seeds(corpus);
    ifex::fuzz::roster_seeds(corpus);
    ifex::fuzz::backup_seeds(corpus);
    ifex::fuzz::clock_file_seeds(corpus);
    std::printf("fuzz_seeds: %zu inputs in %s\n", corpus.count(), argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
