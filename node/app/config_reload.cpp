#include "node/app/config_reload.hpp"

#include <utility>
#include <vector>

#include "node/base/log.hpp"
#include "node/home/config_diff.hpp"
#include "node/home/log_settings.hpp"

namespace ifex {

namespace {

bool applies_live(const std::string& key) { return key.starts_with("log."); }

std::string joined(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ",") + k;
  return out;
}

}  // namespace

ConfigReloader::ConfigReloader(std::filesystem::path file, NodeConfig running,
                               std::string log_level_override)
    : file_(std::move(file)),
      running_(std::move(running)),
      log_level_override_(std::move(log_level_override)) {}

void ConfigReloader::reload() {
  auto loaded = load_config(file_);
  if (!loaded) {
    log_event(LogLevel::error, LogArea::node, "config_reload_failed",
              "SIGHUP: not reloaded, keeping the settings in use: " + loaded.error().message,
              {{"error", loaded.error().message}});
    return;
  }
  std::vector<std::string> applied, needs_restart;
  for (auto& key : changed_config_keys(running_, *loaded))
    (applies_live(key) ? applied : needs_restart).push_back(std::move(key));
  if (!applied.empty()) {
    running_.log = loaded->log;
    configure_log(log_settings(running_.log, log_level_override_));
  }
  std::string message = "SIGHUP: reloaded " + file_.filename().string() + ": ";
  message += applied.empty() ? "nothing to apply" : "applied " + joined(applied);
  if (!log_level_override_.empty() && !applied.empty())
    message += " (run --log-level " + log_level_override_ + " still sets every level)";
  if (!needs_restart.empty()) message += "; changed but applied only at a restart: " + joined(needs_restart);
  log_event(LogLevel::info, LogArea::node, "config_reloaded", message,
            {{"applied", joined(applied)}, {"needs_restart", joined(needs_restart)}});
}

}  // namespace ifex
