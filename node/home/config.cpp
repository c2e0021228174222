#include "node/home/config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cstring>
#include <sstream>
#include <type_traits>
#include <variant>

#include "node/home/config_keys.hpp"

namespace ifex {

std::string_view role_name(NodeRole role) {
  switch (role) {
    case NodeRole::member: return "member";
    case NodeRole::hub: return "hub";
    case NodeRole::relay: return "relay";
  }
  return "member";
}

Result<NodeRole> parse_role(std::string_view name) {
  for (NodeRole r : {NodeRole::member, NodeRole::hub, NodeRole::relay})
    if (role_name(r) == name) return r;
  return make_error("bad_role", "unknown role '" + std::string(name) +
                                    "': expected member, hub or relay");
}

namespace {

std::string full_name(const ConfigKey& key) {
  return std::string(key.section) + "." + std::string(key.name);
}

bool is_section(std::string_view name) {
  return std::ranges::any_of(config_sections(), [&](auto& s) { return s.name == name; });
}

bool is_key(std::string_view section, std::string_view name) {
  return std::ranges::any_of(config_keys(),
                             [&](auto& k) { return k.section == section && k.name == name; });
}

// Keeps the first refusal only: the operator gets one line naming one thing to fix.
struct Reader {
  const std::filesystem::path& file;
  NodeConfig& config;
  std::optional<Error> error;

  void fail(const std::string& message) {
    if (!error) error = make_error("bad_config", file.string() + ": " + message);
  }

  // `section` names the table in messages ("" for the file's top level).
  void refuse_unknown(const toml::table& table, std::string_view section) {
    for (auto&& [name, value] : table) {
      if (!(section.empty() ? is_section(name.str()) : is_key(section, name.str())))
        fail("unknown key '" + (section.empty() ? "" : std::string(section) + ".") +
             std::string(name.str()) + "'");
    }
  }

  const toml::table* section(const toml::table& root, std::string_view name) {
    auto node = root[name];
    if (!node) return nullptr;
    if (!node.is_table()) {
      fail("[" + std::string(name) + "] must be a table");
      return nullptr;
    }
    return node.as_table();
  }

  void read(const toml::node_view<const toml::node>& node, const ConfigKey& key,
            const IntegerKey& k) {
    auto v = node.value<std::int64_t>();
    if (!v || !node.is_integer()) return fail(full_name(key) + " must be an integer");
    if (*v < 0 || static_cast<std::uint64_t>(*v) < k.min || static_cast<std::uint64_t>(*v) > k.max)
      return fail(full_name(key) + " must be between " + std::to_string(k.min) + " and " +
                  std::to_string(k.max));
    k.field(config) = static_cast<std::uint64_t>(*v);
  }

  void read(const toml::node_view<const toml::node>& node, const ConfigKey& key, const FlagKey& k) {
    if (auto v = node.value<bool>(); v && node.is_boolean())
      k.field(config) = *v;
    else
      fail(full_name(key) + " must be true or false");
  }

  void read(const toml::node_view<const toml::node>& node, const ConfigKey& key, const TextKey& k) {
    auto v = node.value<std::string>();
    if (v && (!k.accepts || k.accepts(*v)))
      k.field(config) = *v;
    else
      fail(full_name(key) + " " + std::string(k.refusal));
  }

  void read(const toml::node_view<const toml::node>& node, const ConfigKey& key,
            const TextListKey& k) {
    const toml::array* items = node.as_array();
    if (!items || items->size() > k.max_items) return fail(full_name(key) + " " + std::string(k.refusal));
    std::vector<std::string> out;
    for (const auto& item : *items) {
      auto v = item.value<std::string>();
      if (!v || !item.is_string() || !k.accepts(*v))
        return fail(full_name(key) + " " + std::string(k.refusal) + ": '" +
                    (v ? *v : std::string("(not a string)")) + "' is not");
      out.push_back(*v);
    }
    k.field(config) = std::move(out);
  }

  void read(const toml::node_view<const toml::node>& node, const ConfigKey& key, RoleKey) {
    auto v = node.value<std::string>();
    if (!v) return fail(full_name(key) + " must be a string: member, hub or relay");
    auto parsed = parse_role(*v);
    if (parsed)
      config.role = *parsed;
    else
      fail(parsed.error().message);
  }

  void read_section(const toml::table& table, std::string_view section) {
    refuse_unknown(table, section);
    for (const ConfigKey& key : config_keys()) {
      if (key.section != section) continue;
      auto node = table[key.name];
      if (!node) continue;  // the default stays
      std::visit([&](const auto& k) { read(node, key, k); }, key.value);
    }
    for (const ConfigRule& rule : config_rules())
      if (rule.section == section && !rule.holds(config)) fail(std::string(rule.refusal));
  }
};

toml::table section_table(const NodeConfig& config, std::string_view section) {
  NodeConfig copy = config;  // the fields are reached through non-const accessors
  toml::table table;
  for (const ConfigKey& key : config_keys()) {
    if (key.section != section) continue;
    std::visit(
        [&](const auto& k) {
          using Kind = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<Kind, IntegerKey>)
            table.insert(key.name, static_cast<std::int64_t>(k.field(copy)));
          else if constexpr (std::is_same_v<Kind, RoleKey>)
            table.insert(key.name, std::string(role_name(copy.role)));
          else if constexpr (std::is_same_v<Kind, TextListKey>) {
            toml::array items;
            for (const auto& v : k.field(copy)) items.push_back(v);
            table.insert(key.name, std::move(items));
          }
          else
            table.insert(key.name, k.field(copy));
        },
        key.value);
  }
  return table;
}

}  // namespace

Result<NodeConfig> load_config(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file))
    return make_error("missing_config", "no configuration at " + file.string() +
                                            ": is this a data dir made by `ifexnode init`?");
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return make_error("bad_config",
                      file.string() + ": " + std::string(e.description()) + " at " + where.str());
  }
  NodeConfig config;
  Reader r{file, config, std::nullopt};
  r.refuse_unknown(root, "");
  for (const ConfigSection& s : config_sections()) {
    if (auto* table = r.section(root, s.name))
      r.read_section(*table, s.name);
    else if (!s.missing.empty())
      r.fail(std::string(s.missing));
  }
  // A relay keeps its reads private unless the file says otherwise.
  if (!root["http"]["public_reads"]) config.http.public_reads = config.role != NodeRole::relay;
  // Checked last, so that a wrong value is reported before a missing one. A file cut short
  // (a full disk, a bad edit) must not start a node on the default address or as a member.
  for (const ConfigKey& key : config_keys())
    if (!key.missing.empty() && !root[key.section][key.name])
      r.fail(full_name(key) + " " + std::string(key.missing));
  if (r.error) return *r.error;
  return config;
}

Status write_new_config(const std::filesystem::path& file, const NodeConfig& config) {
  std::ostringstream out;
  out << "# ifexnode configuration; every key is described in docs/operations.md.\n";
  for (const ConfigSection& s : config_sections())
    out << "\n" << s.comment << "[" << s.name << "]\n" << section_table(config, s.name) << "\n";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0)
    return make_error(errno == EEXIST ? "exists" : "io",
                      "cannot create " + file.string() + ": " + std::strerror(errno));
  std::string text = out.str();
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return make_error("io", "cannot write " + file.string());
  return Status::success();
}

}  // namespace ifex
