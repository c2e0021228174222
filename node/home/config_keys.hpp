// The keys of ifexnode.toml, each declared once: its section, its name, where its value lives in
// NodeConfig and what it accepts. The table drives reading (load_config), the refusal of unknown
// keys, writing (write_new_config) and the check that docs/operations.md documents every key.
// Defaults are the member initialisers of NodeConfig (node/home/config.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "node/home/config.hpp"

namespace ifex {

// Where a key's value lives; a function rather than a member pointer, since sections nest.
template <class T>
using ConfigField = T& (*)(NodeConfig&);

// An integer from min to max.
struct IntegerKey {
  ConfigField<std::uint64_t> field;
  std::uint64_t min;
  std::uint64_t max;
};

// true or false.
struct FlagKey {
  ConfigField<bool> field;
};

// A string, refused with `refusal` (what follows "SECTION.KEY ") when of another type or when
// `accepts` says no.
struct TextKey {
  ConfigField<std::string> field;
  std::string_view refusal;
  bool (*accepts)(std::string_view) = nullptr;
};

// An array of strings, each accepted by `accepts` (else refused with `refusal`).
struct TextListKey {
  ConfigField<std::vector<std::string>> field;
  std::string_view refusal;
  bool (*accepts)(std::string_view);
  std::size_t max_items;
};

// node.role: one of role_name()'s names.
struct RoleKey {};

struct ConfigKey {
  std::string_view section;
  std::string_view name;
  std::variant<IntegerKey, FlagKey, TextKey, TextListKey, RoleKey> value;
  // For a required key, the reason given when it is absent (what follows "SECTION.KEY ").
  std::string_view missing = {};
};

// A rule across keys, checked once its section has been read, when the file has that section.
struct ConfigRule {
  std::string_view section;
  bool (*holds)(const NodeConfig&);
  std::string_view refusal;
};

struct ConfigSection {
  std::string_view name;
  std::string_view comment;  // written above the section by write_new_config ("" for none)
  std::string_view missing;  // the refusal when a required section is absent ("" if optional)
};

// In file order; keys in reading and writing order within their section.
std::span<const ConfigSection> config_sections();
std::span<const ConfigKey> config_keys();
std::span<const ConfigRule> config_rules();

}  // namespace ifex
