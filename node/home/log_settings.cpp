#include "node/home/log_settings.hpp"

namespace ifex {

LogSettings log_settings(const LogConfig& config, std::string_view level_override) {
  LogSettings settings;
  LogLevel level = LogLevel::info;
  parse_log_level(level_override.empty() ? std::string_view(config.level) : level_override,
                  level);
  settings.levels.fill(level);
  // --log-level is the operator's word for this run: it wins over the file's per-area levels too.
  if (level_override.empty()) apply_area_levels(config.levels, settings.levels);
  if (config.format == "auto")
    settings.format = stderr_is_journal() ? LogFormat::journald : LogFormat::text;
  else
    parse_log_format(config.format, settings.format);
  settings.journal_socket = config.journal_socket;
  return settings;
}

}  // namespace ifex
