#include "protocol/roster_change.hpp"

#include <algorithm>

#include "protocol/canonical.hpp"
#include "protocol/utf8.hpp"

namespace ifex {

namespace {

enum class ChangeType : std::uint8_t { genesis = 1, proposal = 2, approval = 3 };

// No C0, DEL or C1 controls: a name is shown in terminals and pages.
bool is_one_line_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f) return false;
  }
  return true;
}

Status check_name(const std::string& name, std::string_view what, bool may_be_empty) {
  if (name.size() > max_member_name_bytes)
    return make_error("bad_roster", std::string(what) + " is longer than 256 bytes");
  if (!may_be_empty && name.empty()) return make_error("bad_roster", std::string(what) + " is empty");
  if (!is_valid_utf8(name) || !is_one_line_text(name))
    return make_error("bad_roster", std::string(what) + " is not printable UTF-8 on one line");
  return Status::success();
}

}  // namespace

std::string_view roster_op_name(RosterOp op) {
  switch (op) {
    case RosterOp::add: return "add";
    case RosterOp::remove: return "remove";
    case RosterOp::threshold: return "threshold";
    case RosterOp::revoke: return "revoke";
    case RosterOp::rotate: return "rotate";
    case RosterOp::remove_after: return "remove_after";
  }
  return "unknown";
}

Status validate_roster_change(const RosterChange& change) {
  if (const auto* g = std::get_if<GenesisRoster>(&change)) {
    if (auto st = check_name(g->federation_name, "the federation's name", true); !st) return st;
    if (g->members.empty() || g->members.size() > max_federation_members)
      return make_error("bad_roster", "a genesis lists 1 to 10,000 members");
    if (g->threshold < 1 || g->threshold > g->members.size())
      return make_error("bad_roster", "the threshold must be between 1 and the member count");
    for (std::size_t i = 0; i < g->members.size(); ++i) {
      if (i > 0 && !(g->members[i - 1].key < g->members[i].key))
        return make_error("bad_roster", "genesis members are not sorted by key or not unique");
      if (auto st = check_name(g->members[i].name, "a member's name", true); !st) return st;
    }
    return Status::success();
  }
  if (const auto* p = std::get_if<RosterProposal>(&change)) {
    switch (p->op) {
      case RosterOp::add:
        return check_name(p->name, "the new member's name", true);
      case RosterOp::remove:
        return Status::success();
      case RosterOp::threshold:
        if (p->value < 1 || p->value > max_federation_members)
          return make_error("bad_roster", "a threshold is between 1 and 10,000");
        return Status::success();
      case RosterOp::revoke:
      case RosterOp::remove_after:
        return Status::success();
      case RosterOp::rotate:
        if (p->member == p->successor)
          return make_error("bad_roster", "a rotation names two different keys");
        return Status::success();
    }
    return make_error("bad_roster", "unknown roster operation");
  }
  return Status::success();
}

Bytes encode_roster_change(RosterChange change) {
  CanonicalWriter w;
  w.u8(roster_format);
  if (auto* g = std::get_if<GenesisRoster>(&change)) {
    std::sort(g->members.begin(), g->members.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    w.u8(static_cast<std::uint8_t>(ChangeType::genesis));
    w.text(g->federation_name);
    w.u64(g->threshold);
    w.u64(g->members.size());
    for (const auto& m : g->members) {
      w.fixed(m.key.view());
      w.text(m.name);
    }
  } else if (const auto* p = std::get_if<RosterProposal>(&change)) {
    w.u8(static_cast<std::uint8_t>(ChangeType::proposal));
    w.fixed(p->genesis.view());
    w.u64(p->base);
    w.u8(static_cast<std::uint8_t>(p->op));
    switch (p->op) {
      case RosterOp::add:
        w.fixed(p->member.view());
        w.text(p->name);
        break;
      case RosterOp::remove:
        w.fixed(p->member.view());
        break;
      case RosterOp::threshold:
        w.u64(p->value);
        break;
      case RosterOp::revoke:
      case RosterOp::remove_after:
        w.fixed(p->member.view());
        w.u64(p->value);
        break;
      case RosterOp::rotate:
        w.fixed(p->member.view());
        w.fixed(p->successor.view());
        w.u64(p->value);
        break;
    }
  } else {
    const auto& a = std::get<RosterApproval>(change);
    w.u8(static_cast<std::uint8_t>(ChangeType::approval));
    w.fixed(a.genesis.view());
    w.fixed(a.proposal.view());
  }
  return w.finish();
}

Result<RosterChange> decode_roster_change(ByteView payload) {
  auto decoded = decode_guarded<RosterChange>([&]() -> Result<RosterChange> {
    CanonicalReader r(payload);
    if (r.u8() != roster_format) CanonicalReader::fail("bad_roster", "unknown roster format");
    RosterChange out;
    switch (static_cast<ChangeType>(r.u8())) {
      case ChangeType::genesis: {
        GenesisRoster g;
        g.federation_name = r.text(max_member_name_bytes, "federation name");
        g.threshold = r.u64();
        const std::uint64_t n = r.count(max_federation_members, "genesis members");
        for (std::uint64_t i = 0; i < n; ++i) {
          FederationMember m;
          m.key = r.fixed<PublicKey>();
          m.name = r.text(max_member_name_bytes, "member name");
          g.members.push_back(std::move(m));
        }
        out = std::move(g);
        break;
      }
      case ChangeType::proposal: {
        RosterProposal p;
        p.genesis = r.fixed<Hash>();
        p.base = r.u64();
        p.op = static_cast<RosterOp>(r.u8());
        switch (p.op) {
          case RosterOp::add:
            p.member = r.fixed<PublicKey>();
            p.name = r.text(max_member_name_bytes, "member name");
            break;
          case RosterOp::remove:
            p.member = r.fixed<PublicKey>();
            break;
          case RosterOp::threshold:
            p.value = r.u64();
            break;
          case RosterOp::revoke:
          case RosterOp::remove_after:
            p.member = r.fixed<PublicKey>();
            p.value = r.u64();
            break;
          case RosterOp::rotate:
            p.member = r.fixed<PublicKey>();
            p.successor = r.fixed<PublicKey>();
            p.value = r.u64();
            break;
          default:
            CanonicalReader::fail("bad_roster", "unknown roster operation");
        }
        out = std::move(p);
        break;
      }
      case ChangeType::approval: {
        RosterApproval a;
        a.genesis = r.fixed<Hash>();
        a.proposal = r.fixed<Hash>();
        out = a;
        break;
      }
      default:
        CanonicalReader::fail("bad_roster", "unknown roster entry type");
    }
    r.expect_end("roster payload");
    return out;
  });
  if (!decoded) return decoded;
  if (auto st = validate_roster_change(*decoded); !st) return st.error();
  return decoded;
}

}  // namespace ifex
