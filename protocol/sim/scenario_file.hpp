// Scenario files (TOML; the format is in docs/simulator.md). Strict: an unknown key, a value of
// the wrong type or out of range is an error that names it, so a typo never runs silently.
#pragma once

#include <filesystem>
#include <string_view>

#include "keys/result.hpp"
#include "protocol/sim/scenario.hpp"

namespace ifex::sim {

// `origin` names the text in error messages (a file name, or "test").
[[nodiscard]] Result<Scenario> parse_scenario(std::string_view toml_text, std::string_view origin);
[[nodiscard]] Result<Scenario> load_scenario(const std::filesystem::path& file);

}  // namespace ifex::sim
