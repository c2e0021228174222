// ifexnode federation create|join|propose|approve|show: the federation's own roster, changed by
// signed entries that K current members approve (docs/operations.md, "A federation that governs
// itself"; the rule: protocol/federation_roster.hpp).
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/codec/federation_json.hpp"
#include "node/home/network_key_file.hpp"
#include "node/home/node_handle.hpp"
#include "node/net/endpoint.hpp"
#include "node/store/federation_load.hpp"
#include "protocol/invitation.hpp"
#include "protocol/roster_change.hpp"

namespace ifex::cli {

namespace {

struct Options {
  std::string data;
  std::string passphrase_file;
  std::string name;
  std::uint64_t threshold = 0;
  std::vector<std::string> members;
  std::vector<std::string> urls;
  std::string out;
  std::string invitation;
  std::string key;
  std::string successor;
  std::string proposal;
  std::uint64_t after = 0;
  bool after_given = false;
  bool replace_network_key = false;
  bool json = false;
};

// Signs one roster entry in this node's own log; prints and returns its id.
Hash sign_roster_entry(NodeHandle& node, const std::string& passphrase_file,
                       const RosterChange& change) {
  // Encoding puts it in canonical form; what is signed must decode as every receiver will.
  Bytes payload = encode_roster_change(change);
  need(decode_roster_change(payload), "invalid roster change");
  Identity identity =
      need(node.load_identity(passphrase_source(passphrase_file)), "loading the identity key");
  SignedEntry entry =
      need(node.store().append_own(identity, EntryKind::roster, std::move(payload), now_ms()),
           "signing");
  return entry.id();
}

FederationView need_federation(const NodeHandle& node) {
  auto view = need(load_federation(node.store()));
  if (!view)
    throw Failure{"this node belongs to no federation: `ifexnode federation create` founds one, "
                  "`ifexnode federation join` (or `init --join`) joins one"};
  if (!view->state)
    throw Failure{"this node has not yet received its federation's genesis (entry " +
                  view->pin.genesis.hex() + " of " + fingerprint(view->pin.founder) +
                  "): run the node with its peers first"};
  return std::move(*view);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Failure{"cannot read " + path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_secret_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw Failure{"cannot write " + path};
  ::chmod(path.c_str(), 0600);
  out << text << "\n";
  if (!out.flush()) throw Failure{"cannot write " + path};
}

std::string describe(const RosterProposal& p) {
  switch (p.op) {
    case RosterOp::add:
      return "add " + fingerprint(p.member) + (p.name.empty() ? "" : " (" + p.name + ")");
    case RosterOp::remove:
      return "remove " + fingerprint(p.member);
    case RosterOp::remove_after:
      return "remove " + fingerprint(p.member) + " (its entries after seq " +
             std::to_string(p.value) + " are void)";
    case RosterOp::threshold:
      return "threshold " + std::to_string(p.value);
    case RosterOp::revoke:
      return "revoke " + fingerprint(p.member) + " after seq " + std::to_string(p.value);
    case RosterOp::rotate:
      return "rotate " + fingerprint(p.member) + " to " + fingerprint(p.successor) +
             " (the old key's entries after seq " + std::to_string(p.value) + " are void)";
  }
  return "?";
}

void show(const FederationView& view, bool json) {
  const FederationState& s = *view.state;
  if (json) {
    print_json(federation_json(s));
    return;
  }
  std::cout << "federation " << (s.name.empty() ? "(unnamed)" : s.name) << ", genesis "
            << s.genesis.hex() << "\n"
            << s.members.size() << " members, a change needs " << s.threshold << " of them\n";
  for (const auto& [k, m] : s.members)
    std::cout << "  " << fingerprint(k) << "  " << public_key_to_text(k) << "  " << m.name << "\n";
  for (const auto& d : s.pending)
    std::cout << "pending " << d.proposal.hex() << ": " << describe(d.change) << ", "
              << d.approvers.size() << " of " << s.threshold << " approvals"
              << (d.stale ? " (stale: another change took its place)"
                  : d.fits ? "" : " (does not fit the current roster)")
              << "\n";
  for (std::size_t i = 0; i < s.applied.size(); ++i)
    std::cout << "applied #" << i + 1 << " " << s.applied[i].proposal.hex() << ": "
              << describe(s.applied[i].change) << "\n";
}

}  // namespace

void join_federation(const std::string& data, const std::string& invitation_file,
                     bool replace_network_key) {
  Invitation inv = need(decode_invitation(read_text_file(invitation_file)), invitation_file);
  NodeHandle node = need(NodeHandle::open(data));
  const auto key_file = node.dir().network_key_file();
  auto current = read_network_key_file(key_file);
  if (!current || !(*current == inv.network_key)) {
    if (current && !replace_network_key)
      throw Failure{"this node holds another network key than the invitation's: add "
                    "--replace-network-key to take the federation's (the node then no longer "
                    "talks to nodes of its old network)"};
    need(write_network_key_file(key_file, inv.network_key, true), "writing the network key");
  }
  need(node.store().pin_federation({inv.genesis, inv.founder}));
  for (const auto& p : inv.peers) {
    if (p.key == node.own_key()) continue;
    auto url = need(parse_peer_url(p.url), "a peer URL in the invitation");
    need(node.store().peer_add({p.key, {url.text()}, now_ms(), {}, {}}));
  }
  std::cout << "joined federation " << inv.genesis.hex() << " (founder "
            << fingerprint(inv.founder) << "); " << inv.peers.size()
            << " peer(s) to dial: run the node to receive the roster and every log\n";
}

void add_federation_command(CLI::App& app) {
  auto* fed = app.add_subcommand("federation", "Found, join and govern a federation");
  fed->require_subcommand(1);

  auto create = std::make_shared<Options>();
  auto* c = fed->add_subcommand("create", "Found a federation: sign its genesis roster");
  c->add_option("--data", create->data, "Data directory")->required();
  c->add_option("--threshold", create->threshold, "Approvals a change needs (K)")->required();
  c->add_option("--member", create->members, "A founding member: KEY or KEY=NAME (repeat)");
  c->add_option("--name", create->name, "The federation's name");
  c->add_option("--url", create->urls,
                "This node's gossip URL for the invitation (default: ws://LISTEN/gossip)");
  c->add_option("--out", create->out, "Write the invitation to this file (mode 0600)");
  c->add_option("--passphrase-file", create->passphrase_file, "The key's passphrase");
  c->callback([create] {
    NodeHandle node = need(NodeHandle::open(create->data));
    if (need(node.store().federation()))
      throw Failure{"this node already belongs to a federation"};
    GenesisRoster g;
    g.federation_name = create->name;
    g.threshold = create->threshold;
    g.members.push_back({node.own_key(), node.config().name});
    for (const auto& spec : create->members) {
      const auto eq = spec.find('=');
      PublicKey key = parse_key_argument(spec.substr(0, eq), "--member");
      std::string name = eq == std::string::npos ? "" : spec.substr(eq + 1);
      if (key == node.own_key()) continue;  // this node is a founder anyway
      for (const auto& m : g.members)
        if (m.key == key) throw Failure{"--member " + fingerprint(key) + " is given twice"};
      g.members.push_back({key, name});
    }
    std::vector<std::string> urls = create->urls;
    if (urls.empty()) urls.push_back("ws://" + node.config().network.listen + "/gossip");
    Invitation inv;
    inv.network_key = need(read_network_key_file(node.dir().network_key_file()));
    inv.founder = node.own_key();
    for (const auto& u : urls) inv.peers.push_back({node.own_key(), need(parse_peer_url(u)).text()});
    const Hash genesis = sign_roster_entry(node, create->passphrase_file, g);
    need(node.store().pin_federation({genesis, node.own_key()}));
    inv.genesis = genesis;
    const std::string text = encode_invitation(inv);
    std::cerr << "founded a federation of " << g.members.size() << " members, threshold "
              << g.threshold << "; genesis " << genesis.hex() << "\n";
    if (!create->out.empty()) {
      write_secret_file(create->out, text);
      std::cerr << "invitation written to " << create->out
                << " (it holds the network key: carry it as a secret)\n";
    } else {
      std::cerr << "the invitation below holds the network key: carry it as a secret\n";
      std::cout << text << "\n";
    }
  });

  auto join = std::make_shared<Options>();
  auto* j = fed->add_subcommand("join", "Join a federation with its invitation (an existing node)");
  j->add_option("--data", join->data, "Data directory")->required();
  j->add_option("--invitation", join->invitation, "The invitation file")->required();
  j->add_flag("--replace-network-key", join->replace_network_key,
              "Take the invitation's network key in place of this node's");
  j->callback([join] { join_federation(join->data, join->invitation, join->replace_network_key); });

  auto propose = fed->add_subcommand("propose", "Propose a change of the roster (your approval)");
  propose->require_subcommand(1);
  auto prop = std::make_shared<Options>();
  auto proposal_command = [&](const char* name, const char* what) {
    auto* cmd = propose->add_subcommand(name, what);
    cmd->add_option("--data", prop->data, "Data directory")->required();
    cmd->add_option("--passphrase-file", prop->passphrase_file, "The key's passphrase");
    return cmd;
  };
  auto run_proposal = [prop](RosterProposal p) {
    NodeHandle node = need(NodeHandle::open(prop->data));
    FederationView view = need_federation(node);
    p.genesis = view.pin.genesis;
    p.base = view.state->applied.size();
    if (p.op == RosterOp::remove_after && !prop->after_given) {
      // The member's log ends where this node holds it: what it signed that we have not seen
      // (or signs from now on) is void everywhere once the removal applies.
      const auto head = need(node.store().head(p.member), "reading the member's log");
      // An end at 0 would void the member's whole history for readers: never by default.
      if (!head || head->seq == 0)
        throw Failure{"this node holds none of " + fingerprint(p.member) +
                      "'s log: say where it ends with --after SEQ (its last entry that stays "
                      "valid; `ifexnode list --author KEY` on a node that holds the log)"};
      p.value = head->seq;
      std::cerr << "the member's log ends after seq " << p.value
                << ", the last this node holds: what it signs later, while the removal is "
                   "pending too, is void once the removal applies (--after sets another seq)\n";
    }
    const Hash id = sign_roster_entry(node, prop->passphrase_file, p);
    std::cout << id.hex() << "\n";
    std::cerr << "proposed: " << describe(p) << "; it takes effect once " << view.state->threshold
              << " members have approved it (yours counts): `ifexnode federation approve "
              << id.hex() << "`\n";
  };
  auto* add = proposal_command("add", "Add a member");
  add->add_option("key", prop->key, "The new member's public key")->required();
  add->add_option("--name", prop->name, "Its organisation's name");
  add->callback([prop, run_proposal] {
    RosterProposal p;
    p.op = RosterOp::add;
    p.member = parse_key_argument(prop->key, "key");
    p.name = prop->name;
    run_proposal(p);
  });
  auto* remove = proposal_command(
      "remove", "Remove a member: its log ends after SEQ (default: the head this node holds)");
  remove->add_option("key", prop->key, "The member's public key")->required();
  auto* remove_after = remove->add_option(
      "--after", prop->after, "The member's last seq that stays valid (later entries are void)");
  remove->callback([prop, run_proposal, remove_after] {
    RosterProposal p;
    p.op = RosterOp::remove_after;
    p.member = parse_key_argument(prop->key, "key");
    p.value = prop->after;
    prop->after_given = remove_after->count() > 0;
    run_proposal(p);
  });
  auto* threshold = proposal_command("threshold", "Change the number of approvals a change needs");
  threshold->add_option("k", prop->threshold, "The new K")->required();
  threshold->callback([prop, run_proposal] {
    RosterProposal p;
    p.op = RosterOp::threshold;
    p.value = prop->threshold;
    run_proposal(p);
  });
  auto* revoke = proposal_command("revoke", "Revoke a stolen key: its entries after SEQ are void");
  revoke->add_option("key", prop->key, "The member's public key")->required();
  revoke->add_option("--after", prop->after, "The last seq of the key that stays valid")->required();
  revoke->callback([prop, run_proposal] {
    RosterProposal p;
    p.op = RosterOp::revoke;
    p.member = parse_key_argument(prop->key, "key");
    p.value = prop->after;
    run_proposal(p);
  });

  auto* rotate = proposal_command(
      "rotate", "Move a member to a new key, one organisation (the old key ends after SEQ)");
  rotate->add_option("key", prop->key, "The member's current public key")->required();
  rotate->add_option("new_key", prop->successor, "Its new public key (its new node's `id`)")
      ->required();
  rotate->add_option("--after", prop->after,
                     "The old key's last seq that stays valid (its head, for a planned move; the "
                     "last it signed itself, after a theft)")
      ->required();
  rotate->callback([prop, run_proposal] {
    RosterProposal p;
    p.op = RosterOp::rotate;
    p.member = parse_key_argument(prop->key, "key");
    p.successor = parse_key_argument(prop->successor, "new_key");
    p.value = prop->after;
    if (p.member == p.successor) throw Failure{"the new key is the current key"};
    run_proposal(p);
  });

  auto approve = std::make_shared<Options>();
  auto* a = fed->add_subcommand("approve", "Approve a pending proposal");
  a->add_option("--data", approve->data, "Data directory")->required();
  a->add_option("proposal", approve->proposal, "The proposal's id")->required();
  a->add_option("--passphrase-file", approve->passphrase_file, "The key's passphrase");
  a->callback([approve] {
    auto id = Hash::from_hex(approve->proposal);
    if (!id) throw Failure{"a proposal id is 64 hex digits"};
    NodeHandle node = need(NodeHandle::open(approve->data));
    FederationView view = need_federation(node);
    bool known = false;
    for (const auto& d : view.state->pending) {
      if (d.proposal != *id) continue;
      known = true;
      if (d.stale)
        throw Failure{"that proposal was made against an older roster: another change took its "
                      "place; propose it again if it still makes sense"};
    }
    for (const auto& d : view.state->applied)
      if (d.proposal == *id) throw Failure{"that proposal has already taken effect"};
    if (!known)
      throw Failure{"no pending proposal " + approve->proposal +
                    " is stored here yet (run the node so the proposer's log arrives)"};
    sign_roster_entry(node, approve->passphrase_file, RosterApproval{view.pin.genesis, *id});
    std::cout << "approved " << approve->proposal << "\n";
  });

  auto shown = std::make_shared<Options>();
  auto* s = fed->add_subcommand("show", "The federation's members, threshold and proposals");
  s->add_option("--data", shown->data, "Data directory")->required();
  s->add_flag("--json", shown->json, "Print JSON");
  s->callback([shown] {
    NodeHandle node = need(NodeHandle::open(shown->data));
    show(need_federation(node), shown->json);
  });
}

}  // namespace ifex::cli
