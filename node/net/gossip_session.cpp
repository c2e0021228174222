// The stream-independent half of the gossip session (SessionBase) and the close frame. The
// template itself is in gossip_session_impl.hpp, instantiated per stream elsewhere; nothing here
// includes Beast's WebSocket code.
#include "node/net/gossip_session_base.hpp"

#include <sodium.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/error_code.hpp>
#include <algorithm>
#include <chrono>
#include <variant>
#include <vector>

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/base/wall_clock.hpp"
#include "node/net/connection_problems.hpp"
#include "node/net/inbound_rate.hpp"
#include "node/net/net_context.hpp"
#include "node/net/peer_link.hpp"
#include "node/net/replay_guard.hpp"
#include "node/net/secure_frames.hpp"
#include "node/net/session_close.hpp"
#include "protocol/entry_check.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/handshake.hpp"

namespace ifex {

namespace asio = boost::asio;

// ---- the close frame ----

std::string sanitize_close_reason(std::string_view reason) {
  std::string out;
  for (char c : reason) {
    if (out.size() == max_close_reason_bytes) break;
    if (c >= 0x20 && c <= 0x7e) out.push_back(c);
  }
  return out;
}

Bytes encode_close_frame(std::uint16_t code, std::string_view reason, bool masked,
                         const std::uint8_t (&mask)[4]) {
  const std::string text = sanitize_close_reason(reason);
  const std::size_t payload = 2 + text.size();  // at most 66: always the 7-bit length form
  const std::size_t at = masked ? 6 : 2;
  Bytes frame(at + payload);
  frame[0] = 0x88;  // FIN, opcode 8 (close)
  frame[1] = static_cast<std::uint8_t>((masked ? 0x80 : 0x00) | payload);
  if (masked) std::copy(mask, mask + 4, frame.begin() + 2);
  frame[at] = static_cast<std::uint8_t>(code >> 8);
  frame[at + 1] = static_cast<std::uint8_t>(code & 0xff);
  std::copy(text.begin(), text.end(), frame.begin() + static_cast<std::ptrdiff_t>(at + 2));
  if (masked)
    for (std::size_t i = 0; i < payload; ++i) frame[at + i] ^= mask[i % 4];
  return frame;
}

// ---- SessionBase ----

SessionBase::SessionBase(NetContext& ctx, std::string address, std::optional<PublicKey> expected)
    : ctx_(ctx),
      verify_strand_(asio::make_strand(ctx.verify_pool.get_executor())),
      address_(std::move(address)),
      expected_(expected),
      rate_(ctx.core.config().network.max_inbound_bytes_per_s,
            ctx.core.config().network.max_inbound_burst_bytes, InboundRate::Clock::now()) {}

// A handshake error of protocol/handshake.cpp as the cause an operator can act on.
ConnectionProblem SessionBase::problem_of(const Error& error) {
  if (error.code == "hs_network_key") return ConnectionProblem::network_key;
  if (error.code == "hs_server_proof") return ConnectionProblem::wrong_peer_key;
  return ConnectionProblem::other;
}

EphemeralKey SessionBase::fresh_ephemeral() {
  std::uint8_t seed[32];
  randombytes_buf(seed, sizeof seed);
  EphemeralKey key = EphemeralKey::from_seed({seed, sizeof seed});
  sodium_memzero(seed, sizeof seed);
  return key;
}

HandshakeFailure SessionBase::io_failure(const boost::system::error_code& ec) const {
  // close_reason_ is set when our own deadline (or an eviction) cut the handshake.
  if (!close_reason_.empty()) return {close_reason_, ConnectionProblem::timeout, false};
  return {ec.message(), problem_of_silence(), false};
}

std::optional<HandshakeFailure> SessionBase::check_fresh_hello(const EphemeralPublic& ea) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  if (ctx_.replay_guard.first_sighting(ea, static_cast<std::uint64_t>(now.count())))
    return std::nullopt;
  ctx_.core.counters().replayed_hellos++;
  return HandshakeFailure{"its hello repeats one seen in the last " +
                              std::to_string(ctx_.core.config().network.handshake_timeout_ms) +
                              " ms: a recorded hello replayed",
                          ConnectionProblem::other, true};
}

std::optional<HandshakeFailure> SessionBase::check_welcome(const PublicKey& client) {
  if (ctx_.core.is_welcome(client)) return std::nullopt;
  ctx_.core.counters().peers_refused++;
  peer_ = client;  // authenticated: its warnings are its own, not its address's
  return HandshakeFailure{
      "node " + fingerprint(client) + " is neither a peer nor on the roster: refused",
      ConnectionProblem::not_welcome, true};
}

// A server drops a caller silently where telling it more would help a scanner: the step at
// which the peer went quiet says what it most likely refused.
ConnectionProblem SessionBase::problem_of_silence() const {
  if (!expected_) return ConnectionProblem::other;
  switch (stage_) {
    case Stage::hello_sent: return ConnectionProblem::network_key;
    case Stage::auth_sent: return ConnectionProblem::not_welcome;
    default: return ConnectionProblem::other;
  }
}

void SessionBase::report_handshake_problem(ConnectionProblem problem, const std::string& failure) {
  // The peer's place, without the port that changes with every attempt.
  std::string where = address_;
  if (!expected_) {
    if (auto colon = where.rfind(':'); colon != std::string::npos) where.resize(colon);
  }
  std::string who = expected_ ? "peer " + fingerprint(*expected_) + " at " + address_
                              : "a node at " + where;
  std::string likely;
  switch (problem) {
    case ConnectionProblem::network_key:
      likely = expected_ ? "it closed the connection after our hello: most likely it has a "
                           "different network key than ours"
                         : "its hello is not authenticated by our network key: most likely it "
                           "has a different network key (or it is not an ifexnode)";
      break;
    case ConnectionProblem::not_welcome:
      likely = expected_ ? "it closed the connection once we said who we are: most likely our "
                           "key is not on its roster (ask its operator to add it)"
                         : failure + " (add it with `roster add` or `peer add` if it belongs)";
      break;
    case ConnectionProblem::wrong_peer_key:
      likely = "the node answering there is not the key configured for this peer (" + failure +
               "): check the peer's URL and key";
      break;
    case ConnectionProblem::timeout:
      likely = "the handshake did not finish in time";
      break;
    default:
      likely = "the handshake failed: " + failure;
  }
  const std::string subject = expected_ ? fingerprint(*expected_)
                              : problem == ConnectionProblem::not_welcome ? fingerprint(peer_)
                                                                          : where;
  ctx_.core.connection_problem(problem, subject, "cannot connect with " + who + ": " + likely);
}

bool SessionBase::decide_close(Ending ending, std::string wire_reason, std::string log_reason) {
  if (closing_) return false;
  closing_ = true;
  if (close_reason_.empty()) close_reason_ = std::move(log_reason);
  ending_ = ending;
  wire_reason_ = sanitize_close_reason(wire_reason);
  return true;
}

GossipLimits SessionBase::gossip_limits() const {
  GossipLimits limits;
  limits.max_message_bytes = ctx_.core.config().network.max_frame_bytes;
  limits.max_entry_bytes = ctx_.core.config().max_entry_bytes;
  return limits;
}

// `inflight` keeps the session alive and holds the peer's read budget until it is let go.
void SessionBase::deliver(GossipMessage message, std::shared_ptr<void> inflight) {
  const NodeConfig& config = ctx_.core.config();
  asio::post(verify_strand_, [&core = ctx_.core, id = id_, message = std::move(message),
                              inflight = std::move(inflight),
                              entry_limits = EntryLimits{config.max_entry_bytes},
                              max_skew_ms = config.max_clock_skew_s * 1000]() mutable {
    if (auto* entries = std::get_if<EntriesMsg>(&message)) {
      std::vector<SignedEntry> ok;
      std::size_t rejected = 0;
      std::size_t refused_future = 0;
      std::string first_error;
      const EntryCheckPolicy policy{entry_limits, ClockPolicy{wall_clock_ms(), max_skew_ms}};
      for (const Bytes& bytes : entries->entries) {
        EntryCheck check = check_entry(bytes, policy);
        switch (check.verdict) {
          case EntryVerdict::accepted:
            ok.push_back(std::move(*check.entry));
            break;
          case EntryVerdict::invalid:
            if (rejected++ == 0) first_error = check.error->message;
            break;
          case EntryVerdict::in_future:
            if (rejected == 0 && refused_future++ == 0) first_error = check.error->message;
            break;
        }
      }
      core.verified_entries(id, entries->push, std::move(ok), rejected, first_error,
                            refused_future, std::move(inflight));
    } else if (auto* proof = std::get_if<ForkProofMsg>(&message)) {
      core.fork_proof_received(id, std::move(proof->proof));
    } else {
      core.control_message(id, std::move(message));
    }
  });
}

}  // namespace ifex
