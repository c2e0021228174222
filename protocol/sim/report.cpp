#include "protocol/sim/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace ifex::sim {

namespace {

constexpr const char* type_names[message_types] = {"clock", "entries",    "have",      "prune",
                                                   "graft", "fork_proof", "clock_part"};

// Honest, unblocked nodes connected to `start` at the end (not `start` itself), in index order.
std::vector<std::uint32_t> reachable(const FinalState& s, std::uint32_t start) {
  std::vector<bool> seen(s.roles.size(), false);
  std::vector<std::uint32_t> stack{start}, out;
  seen[start] = true;
  while (!stack.empty()) {
    const std::uint32_t v = stack.back();
    stack.pop_back();
    for (auto u : s.adjacent[v]) {
      if (seen[u] || !s.honest[u] || s.blocked[u]) continue;
      seen[u] = true;
      out.push_back(u);
      stack.push_back(u);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Nearest rank: the smallest value with at least p of the values at or below it.
std::optional<std::uint64_t> percentile(const std::vector<std::uint64_t>& sorted, double p) {
  if (sorted.empty()) return std::nullopt;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  const std::uint64_t v = sorted[rank - 1];
  if (v == never) return std::nullopt;
  return v;
}

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string ms_text(const std::optional<std::uint64_t>& ms) {
  return ms ? std::to_string(*ms) + " ms" : "never";
}

std::string ms_json(const std::optional<std::uint64_t>& ms) {
  return ms ? std::to_string(*ms) : "null";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

double Report::delivery_ratio() const {
  return deliveries_expected == 0
             ? 1.0
             : static_cast<double>(deliveries_made) / static_cast<double>(deliveries_expected);
}

double Report::bytes_per_alert() const {
  return alerts_published == 0
             ? 0.0
             : static_cast<double>(bytes_total) / static_cast<double>(alerts_published);
}

Report make_report(const Scenario& scenario, const FinalState& s, const Metrics& m) {
  Report r;
  r.scenario = scenario.name;
  r.seed = scenario.seed;
  for (std::size_t i = 0; i < s.roles.size(); ++i) {
    switch (s.roles[i]) {
      case Role::hub:
        ++r.hub;
        break;
      case Role::member:
        ++r.members;
        break;
      case Role::relay:
        ++r.relays;
        break;
      case Role::sybil:
        ++r.sybils;
        break;
    }
    if (s.blocked[i]) ++r.blocked_at_end;
  }
  r.honest_links = s.honest_links;
  r.sybil_links = s.sybil_links;
  r.simulated_ms = scenario.duration_ms;

  std::map<std::uint32_t, std::vector<std::uint32_t>> targets_of;
  std::vector<std::uint64_t> times, node_times;
  std::uint64_t settled_us = 0;
  std::uint64_t copies = 0, receivers = 0;
  r.alerts_published = m.alerts().size();
  for (const auto& a : m.alerts()) {
    if (!a.measured) continue;
    ++r.alerts_measured;
    auto found = targets_of.find(a.publisher);
    if (found == targets_of.end())
      found = targets_of.emplace(a.publisher, reachable(s, a.publisher)).first;
    const auto& targets = found->second;
    if (targets.empty()) {
      ++r.alerts_without_targets;
      continue;
    }
    r.deliveries_expected += targets.size();
    bool complete = true;
    std::uint64_t last = 0;
    for (auto t : targets) {
      copies += a.copies[t];
      if (a.copies[t] > 0) ++receivers;
      if (a.stored_us[t] == never) {
        complete = false;
        node_times.push_back(never);
        continue;
      }
      ++r.deliveries_made;
      last = std::max(last, a.stored_us[t] - a.published_us);
      settled_us = std::max(settled_us, a.stored_us[t]);
      node_times.push_back((a.stored_us[t] - a.published_us + 999) / 1000);
    }
    if (complete) ++r.alerts_fully_delivered;
    // Rounded up: "within N ms" stays true.
    times.push_back(complete ? (last + 999) / 1000 : never);
  }
  if (r.alerts_fully_delivered + r.alerts_without_targets == r.alerts_measured)
    r.settled_ms = (settled_us + 999) / 1000;
  std::sort(times.begin(), times.end());
  r.median_ms = percentile(times, 0.5);
  r.p99_ms = percentile(times, 0.99);
  r.max_ms = percentile(times, 1.0);
  std::sort(node_times.begin(), node_times.end());
  r.node_median_ms = percentile(node_times, 0.5);
  r.node_p99_ms = percentile(node_times, 0.99);
  r.copies_per_node =
      receivers == 0 ? 0.0 : static_cast<double>(copies) / static_cast<double>(receivers);

  for (std::size_t t = 0; t < message_types; ++t) {
    r.bytes_by_type[t] = m.honest_traffic().bytes[t];
    r.messages_by_type[t] = m.honest_traffic().count[t];
    r.bytes_total += r.bytes_by_type[t];
    r.bytes_to_sybils += m.to_sybils().bytes[t];
  }
  r.entry_bytes = s.entry_bytes;

  for (const auto& e : m.equivocations()) {
    ForkFigure f;
    std::uint64_t last = 0;
    for (auto t : reachable(s, e.node)) {
      ++f.targets;
      if (e.proof_us[t] == never) continue;
      ++f.reached;
      last = std::max(last, e.proof_us[t] - e.at_us);
    }
    if (f.reached == f.targets) f.everywhere_ms = (last + 999) / 1000;
    if (f.everywhere_ms && e.heal_us) {
      const std::uint64_t heal_after_ms = (*e.heal_us - e.at_us) / 1000;
      f.after_heal_ms = *f.everywhere_ms > heal_after_ms ? *f.everywhere_ms - heal_after_ms : 0;
    }
    r.forks.push_back(f);
  }

  r.forged_sent = m.forged_sent_count();
  r.forged_rejected = m.forged_rejected_count();
  r.forged_stored = s.forged_stored;
  r.entries_refused = m.entries_refused_count();
  r.real_verifications = s.real_verifications;
  r.cached_verdicts = s.cached_verdicts;
  r.failures = m.failure_count();
  r.first_failures = m.failures();
  r.roster = s.roster;
  return r;
}

std::string format_text(const Report& r) {
  std::string out;
  auto line = [&](const std::string& label, const std::string& text) {
    out += label;
    out.append(label.size() < 15 ? 15 - label.size() : 1, ' ');
    out += text + "\n";
  };
  line("scenario", r.scenario + " (seed " + std::to_string(r.seed) + ")");
  line("federation", std::to_string(r.hub) + " hub, " + std::to_string(r.members) + " members, " +
                         std::to_string(r.relays) + " relays, " + std::to_string(r.sybils) +
                         " sybils; " + std::to_string(r.honest_links) + " links, " +
                         std::to_string(r.sybil_links) + " to sybils; " +
                         std::to_string(r.blocked_at_end) + " blocked at the end");
  line("simulated", printf_string("%.1f s", static_cast<double>(r.simulated_ms) / 1000));
  line("alerts", std::to_string(r.alerts_published) + " published, " +
                     std::to_string(r.alerts_measured) + " measured, " +
                     std::to_string(r.alerts_without_targets) + " with the publisher cut off");
  line("delivery", printf_string("%.3f %%", 100 * r.delivery_ratio()) + " (" +
                       std::to_string(r.deliveries_made) + " of " +
                       std::to_string(r.deliveries_expected) + " node-alerts); " +
                       std::to_string(r.alerts_fully_delivered) + " alerts reached every target");
  line("full delivery", "median " + ms_text(r.median_ms) + ", p99 " + ms_text(r.p99_ms) + ", max " +
                            ms_text(r.max_ms));
  line("per node", "median " + ms_text(r.node_median_ms) + ", p99 " + ms_text(r.node_p99_ms));
  line("settled", r.settled_ms
                      ? "every target held every alert at " +
                            printf_string("%.1f s", static_cast<double>(*r.settled_ms) / 1000)
                      : std::string("never"));
  line("copies/node", printf_string("%.3f per alert", r.copies_per_node) +
                          printf_string(" (%.3f redundant)", std::max(0.0, r.copies_per_node - 1)));
  std::string kinds;
  for (std::size_t t = 0; t < message_types; ++t)
    kinds += std::string(t ? ", " : "") + type_names[t] + " " +
             printf_string("%.0f", r.alerts_published ? static_cast<double>(r.bytes_by_type[t]) /
                                                            static_cast<double>(r.alerts_published)
                                                      : 0.0);
  const std::uint64_t honest = r.hub + r.members + r.relays;
  line("bytes/alert", printf_string("%.0f", r.bytes_per_alert()) + " (" + kinds +
                          "); one copy to every node: " +
                          std::to_string(r.entry_bytes * (honest > 0 ? honest - 1 : 0)));
  line("to sybils", std::to_string(r.bytes_to_sybils) + " bytes");
  if (r.forks.empty()) line("fork proof", "no equivocation");
  for (const auto& f : r.forks)
    line("fork proof", (f.everywhere_ms ? "everywhere after " + ms_text(f.everywhere_ms)
                                        : std::string("not everywhere")) +
                           (f.after_heal_ms ? ", " + ms_text(f.after_heal_ms) + " after the heal"
                                            : std::string()) +
                           " (" + std::to_string(f.reached) + " of " + std::to_string(f.targets) +
                           " honest nodes)");
  line("forged", std::to_string(r.forged_sent) + " sent, " + std::to_string(r.forged_rejected) +
                     " rejected, " + std::to_string(r.forged_stored) + " stored");
  line("verification", std::to_string(r.real_verifications) + " real, " +
                           std::to_string(r.cached_verdicts) + " cached; " +
                           std::to_string(r.entries_refused) + " entries of authors not carried");
  if (const RosterFigure& g = r.roster; g.enabled) {
    auto n = [](std::uint64_t v) { return std::to_string(v); };
    line("roster", n(g.nodes) + " nodes, genesis " + n(g.genesis_members) + " members K=" +
                       n(g.genesis_threshold) + "; " + n(g.proposals) + " proposals (" +
                       n(g.conflicts) + " at once), " + n(g.approvals) + " approvals");
    line("roster end", n(g.applied) + " applied (" + n(g.contested_slots) + " slots contested), " +
                           n(g.stale) + " stale, " + n(g.pending) + " pending; " + n(g.members) +
                           " members, K=" + n(g.threshold) + ", " + n(g.revoked) + " revoked");
    line("converged", std::string(g.converged() ? "yes" : "NO") + ": held " + n(g.held_mismatch) +
                          " and state " + n(g.state_mismatch) + " nodes differ (roster " +
                          n(g.part_mismatch[0]) + ", history " + n(g.part_mismatch[1]) +
                          ", pending " + n(g.part_mismatch[2]) + ", signatures " +
                          n(g.part_mismatch[3]) + "); other authors' entries " +
                          n(g.other_mismatch));
    line("roster time", "last signed at " + ms_text(g.last_signed_ms) +
                            "; state final after it: median " + ms_text(g.converge_median_ms) +
                            ", p99 " + ms_text(g.converge_p99_ms) + ", max " +
                            ms_text(g.converge_max_ms));
    line("rewrites", n(g.rewrites) + " at " + n(g.nodes_rewritten) + " nodes, " +
                         n(g.rewrites_by_revocation) + " by a revocation; " + n(g.undone) +
                         " changes seen in effect were undone");
  }
  line("failures", std::to_string(r.failures));
  for (const auto& f : r.first_failures) line("", f);
  return out;
}

std::string format_json(const Report& r) {
  std::string o = "{";
  auto field = [&](const std::string& key, const std::string& value) {
    if (o.size() > 1) o += ",";
    o += json_string(key) + ":" + value;
  };
  auto num = [](std::uint64_t v) { return std::to_string(v); };
  field("scenario", json_string(r.scenario));
  field("seed", num(r.seed));
  field("nodes", "{\"hub\":" + num(r.hub) + ",\"members\":" + num(r.members) +
                     ",\"relays\":" + num(r.relays) + ",\"sybils\":" + num(r.sybils) + "}");
  field("links", num(r.honest_links));
  field("sybil_links", num(r.sybil_links));
  field("blocked_at_end", num(r.blocked_at_end));
  field("simulated_ms", num(r.simulated_ms));
  field("alerts_published", num(r.alerts_published));
  field("alerts_measured", num(r.alerts_measured));
  field("alerts_without_targets", num(r.alerts_without_targets));
  field("deliveries_expected", num(r.deliveries_expected));
  field("deliveries_made", num(r.deliveries_made));
  field("delivery_ratio", printf_string("%.6f", r.delivery_ratio()));
  field("alerts_fully_delivered", num(r.alerts_fully_delivered));
  field("full_delivery_ms", "{\"median\":" + ms_json(r.median_ms) + ",\"p99\":" +
                                ms_json(r.p99_ms) + ",\"max\":" + ms_json(r.max_ms) + "}");
  field("node_delivery_ms",
        "{\"median\":" + ms_json(r.node_median_ms) + ",\"p99\":" + ms_json(r.node_p99_ms) + "}");
  field("settled_ms", ms_json(r.settled_ms));
  field("copies_per_node", printf_string("%.4f", r.copies_per_node));
  field("bytes_per_alert", printf_string("%.1f", r.bytes_per_alert()));
  std::string kinds = "{";
  for (std::size_t t = 0; t < message_types; ++t)
    kinds += std::string(t ? "," : "") + json_string(type_names[t]) +
             ":{\"messages\":" + num(r.messages_by_type[t]) +
             ",\"bytes\":" + num(r.bytes_by_type[t]) + "}";
  field("traffic", kinds + "}");
  field("bytes_to_sybils", num(r.bytes_to_sybils));
  field("entry_bytes", num(r.entry_bytes));
  std::string forks = "[";
  for (std::size_t i = 0; i < r.forks.size(); ++i)
    forks += std::string(i ? "," : "") + "{\"reached\":" + num(r.forks[i].reached) +
             ",\"targets\":" + num(r.forks[i].targets) +
             ",\"everywhere_ms\":" + ms_json(r.forks[i].everywhere_ms) +
             (r.forks[i].after_heal_ms ? ",\"after_heal_ms\":" + ms_json(r.forks[i].after_heal_ms)
                                       : std::string()) +
             "}";
  field("fork_proofs", forks + "]");
  field("forged", "{\"sent\":" + num(r.forged_sent) + ",\"rejected\":" + num(r.forged_rejected) +
                      ",\"stored\":" + num(r.forged_stored) + "}");
  field("entries_refused", num(r.entries_refused));
  field("verifications",
        "{\"real\":" + num(r.real_verifications) + ",\"cached\":" + num(r.cached_verdicts) + "}");
  std::string failures = "[";
  for (std::size_t i = 0; i < r.first_failures.size(); ++i)
    failures += std::string(i ? "," : "") + json_string(r.first_failures[i]);
  if (const RosterFigure& g = r.roster; g.enabled)
    field("roster",
          "{\"nodes\":" + num(g.nodes) + ",\"genesis_members\":" + num(g.genesis_members) +
              ",\"genesis_threshold\":" + num(g.genesis_threshold) +
              ",\"conflicts\":" + num(g.conflicts) + ",\"proposals\":" + num(g.proposals) +
              ",\"approvals\":" + num(g.approvals) + ",\"applied\":" + num(g.applied) +
              ",\"contested_slots\":" + num(g.contested_slots) + ",\"stale\":" + num(g.stale) +
              ",\"pending\":" + num(g.pending) + ",\"members\":" + num(g.members) +
              ",\"threshold\":" + num(g.threshold) + ",\"revoked\":" + num(g.revoked) +
              ",\"converged\":" + (g.converged() ? "true" : "false") + ",\"held_mismatch\":" +
              num(g.held_mismatch) + ",\"state_mismatch\":" + num(g.state_mismatch) +
              ",\"part_mismatch\":{\"roster\":" + num(g.part_mismatch[0]) + ",\"history\":" +
              num(g.part_mismatch[1]) + ",\"pending\":" + num(g.part_mismatch[2]) +
              ",\"signatures\":" + num(g.part_mismatch[3]) +
              "},\"other_mismatch\":" + num(g.other_mismatch) + ",\"rewrites\":" + num(g.rewrites) +
              ",\"rewrites_by_revocation\":" + num(g.rewrites_by_revocation) +
              ",\"undone\":" + num(g.undone) + ",\"nodes_rewritten\":" + num(g.nodes_rewritten) +
              ",\"last_signed_ms\":" + ms_json(g.last_signed_ms) + ",\"converge_ms\":{\"median\":" +
              ms_json(g.converge_median_ms) + ",\"p99\":" + ms_json(g.converge_p99_ms) +
              ",\"max\":" + ms_json(g.converge_max_ms) + "}}");
  field("failures", num(r.failures));
  field("first_failures", failures + "]");
  return o + "}";
}

}  // namespace ifex::sim
