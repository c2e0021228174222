#include "node/cli/doctor_checks.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>

#include "keys/key_file.hpp"
#include "keys/key_text.hpp"
#include "node/cli/doctor_probe.hpp"
#include "node/home/config.hpp"
#include "node/home/data_format.hpp"
#include "node/home/node_handle.hpp"
#include "node/home/run_lock.hpp"
#include "node/net/endpoint.hpp"
#include "node/net/tls_server_context.hpp"

namespace ifex::cli {

namespace {

constexpr std::uint64_t mib = 1024 * 1024;

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string size_text(std::uint64_t bytes) {
  char text[32];
  if (bytes >= 10 * 1024 * mib)
    std::snprintf(text, sizeof text, "%.0f GiB", static_cast<double>(bytes) / (1024.0 * mib));
  else
    std::snprintf(text, sizeof text, "%.0f MiB", static_cast<double>(bytes) / mib);
  return text;
}

class Doctor {
 public:
  Doctor(const std::filesystem::path& root, const DoctorOptions& options)
      : dir_{root}, options_(options) {}

  std::vector<Finding> run() {
    if (!check_data_dir()) return std::move(findings_);
    check_format();
    check_secret_file("key_file", dir_.key_file(), true);
    check_key_encryption();
    check_secret_file("admin_token", dir_.admin_token_file(), false);
    check_secret_file("network_key", dir_.network_key_file(), false);
    auto config = load_config(dir_.config_file());
    if (!config) {
      add("config", Severity::fail, config.error().message,
          "fix that key (docs/operations.md, \"Configuration\"), or restore ifexnode.toml from "
          "the backup");
      check_disk();
      return std::move(findings_);
    }
    add("config", Severity::ok, dir_.config_file().string() + " is valid", "");
    config_ = std::move(*config);
    check_tls();
    check_disk();
    const RunLockState running = check_run_lock();
    check_listen(running.state);
    check_store();
    check_index();
    return std::move(findings_);
  }

 private:
  void add(std::string check, Severity severity, std::string message, std::string action) {
    findings_.push_back({std::move(check), severity, std::move(message), std::move(action)});
  }

  bool check_data_dir() {
    struct stat st {};
    if (::stat(dir_.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      add("data_dir", Severity::fail, dir_.root.string() + " is not a directory",
          "give the node's data directory with --data (`ifexnode init` makes one)");
      return false;
    }
    if (st.st_uid != ::geteuid())
      add("data_dir", Severity::warn,
          dir_.root.string() + " belongs to uid " + std::to_string(st.st_uid) +
              ", not to the user running this check (uid " + std::to_string(::geteuid()) + ")",
          "run doctor (and the node) as the data directory's owner, e.g. sudo -u ifexnode");
    if ((st.st_mode & 022) != 0)
      add("data_dir", Severity::fail,
          dir_.root.string() + " has mode " + mode_text(st.st_mode) +
              ": other users can replace files in it",
          "chmod 700 " + dir_.root.string());
    else if ((st.st_mode & 077) != 0)
      add("data_dir", Severity::warn,
          dir_.root.string() + " has mode " + mode_text(st.st_mode) +
              ": other users can list it and read the store",
          "chmod 700 " + dir_.root.string());
    else
      add("data_dir", Severity::ok, dir_.root.string() + " (mode " + mode_text(st.st_mode) + ")",
          "");
    return true;
  }

  void check_format() {
    auto format = read_data_format(dir_);
    if (!format)
      return add("data_format", Severity::fail, format.error().message,
                 "restore the data directory from a backup");
    if (*format > current_data_format)
      return add("data_format", Severity::fail,
                 "data format " + std::to_string(*format) + " was written by a newer ifexnode " +
                     "(this one reads up to " + std::to_string(current_data_format) + ")",
                 "install the newer ifexnode again (docs/operations.md, \"Upgrades\")");
    if (*format < current_data_format)
      return add("data_format", Severity::info,
                 "data format " + std::to_string(*format) + ": the next start migrates it to " +
                     std::to_string(current_data_format),
                 "back up the data directory before starting this version");
    add("data_format", Severity::ok, "data format " + std::to_string(*format), "");
  }

  // [tls]: the certificate loads and is not about to expire (a renewal that stopped is found
  // two weeks before readers and peers are refused); its key is not readable by others.
  void check_tls() {
    if (config_.tls.cert_file.empty()) return;
    const auto cert = dir_.root / config_.tls.cert_file;
    const auto key = dir_.root / config_.tls.key_file;
    auto facts = read_certificate_facts(cert);
    if (!facts)
      return add("tls_certificate", Severity::fail, facts.error().message,
                 "put the PEM certificate there, or fix [tls] cert_file");
    const std::int64_t left_s = facts->not_after_s - static_cast<std::int64_t>(std::time(nullptr));
    const std::string what = facts->subject + " in " + cert.string();
    if (left_s < 0)
      add("tls_certificate", Severity::fail, what + " has expired",
          "renew it, then `systemctl reload ifexnode`");
    else if (left_s < 14 * 86'400)
      add("tls_certificate", Severity::warn,
          what + " expires in " + std::to_string(left_s / 3600) + " hours",
          "renew it now (is the renewal timer running?), then `systemctl reload ifexnode`");
    else
      add("tls_certificate", Severity::ok,
          what + " is valid for " + std::to_string(left_s / 86'400) + " more days", "");
    struct stat st {};
    if (::stat(key.c_str(), &st) != 0)
      return add("tls_key", Severity::fail, key.string() + " is missing", "fix [tls] key_file");
    if ((st.st_mode & 007) != 0)
      return add("tls_key", Severity::fail,
                 key.string() + " has mode " + mode_text(st.st_mode) + ": others can read it",
                 "chmod 640 " + key.string());
    add("tls_key", Severity::ok, key.string() + " (mode " + mode_text(st.st_mode) + ")", "");
  }

  // A file only this user may read: the key, the admin token, the network key.
  void check_secret_file(const std::string& check, const std::filesystem::path& file,
                         bool required) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      if (required)
        add(check, Severity::fail, file.string() + " is missing",
            "restore it from the backup: without it this node cannot sign");
      return;
    }
    if ((st.st_mode & 077) != 0)
      return add(check, Severity::fail,
                 file.string() + " has mode " + mode_text(st.st_mode) +
                     ": group or others can read it",
                 "chmod 600 " + file.string());
    add(check, Severity::ok, file.string() + " (mode " + mode_text(st.st_mode) + ")", "");
  }

  void check_key_encryption() {
    auto encrypted = key_file_is_encrypted(dir_.key_file());
    if (!encrypted) return;  // missing or unreadable: said above
    if (*encrypted)
      return add("key_encryption", Severity::ok, "the identity key is encrypted", "");
    add("key_encryption", Severity::warn,
        "the identity key is stored unencrypted: whoever copies the data directory (a seized "
        "disk, a backup) can sign as this organisation",
        "keep the data directory on an encrypted disk, or make the node anew with `ifexnode "
        "init --passphrase-file` and move to the new key (docs/keys.md)");
  }

  void check_disk() {
    struct statvfs vfs {};
    if (::statvfs(dir_.root.c_str(), &vfs) != 0)
      return add("disk", Severity::warn, "cannot read the free space of " + dir_.root.string(),
                 "");
    const std::uint64_t free = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    const std::uint64_t total = static_cast<std::uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    const double share = total ? static_cast<double>(free) / static_cast<double>(total) : 0;
    const std::string what = size_text(free) + " free of " + size_text(total) + " (" +
                             std::to_string(static_cast<int>(share * 100)) + " %)";
    if (free < 256 * mib || share < 0.05)
      add("disk", Severity::fail, what + " on the data directory's file system",
          "free space now: writes fail with disk_full when it runs out (reads go on)");
    else if (free < 2048 * mib || share < 0.15)
      add("disk", Severity::warn, what + " on the data directory's file system",
          "free space or grow the file system before it fills");
    else
      add("disk", Severity::ok, what, "");
  }

  // Asked of the kernel, without taking the lock (node/home/run_lock.hpp).
  RunLockState check_run_lock() {
    RunLockState lock = query_run_lock(dir_.run_lock_file());
    switch (lock.state) {
      case RunLockState::held:
        add("run_lock", Severity::ok,
            "a node runs on this data directory" +
                (lock.pid.empty() ? "" : " (pid " + lock.pid + ")"),
            "");
        break;
      case RunLockState::free:
        add("run_lock", Severity::info, "no node runs on this data directory", "");
        break;
      case RunLockState::unknown:
        add("run_lock", Severity::warn,
            "whether a node runs on this data directory is unknown: " + lock.why,
            "run doctor as the node's user; " + dir_.run_lock_file().string() +
                " should be a regular file (`ifexnode run` makes it if missing); "
                "`systemctl status ifexnode` also says whether the service runs");
        break;
    }
    return lock;
  }

  void check_listen(RunLockState::Held running) {
    auto listen = parse_host_port(config_.network.listen);
    if (!listen) return add("listen", Severity::fail, listen.error().message, "");
    const std::string where = config_.network.listen;
    if (!is_ip_address(listen->host)) {
      // The node binds an IP address only (node/net/server.cpp) and refuses a name at start.
      std::string why;
      auto addresses = resolve_host(listen->host, options_.peer_timeout, why);
      std::string known;
      for (const auto& a : addresses) known += (known.empty() ? "" : ", ") + a;
      const std::string first = addresses.empty() ? "127.0.0.1"
                                : addresses.front().find(':') != std::string::npos
                                    ? "[" + addresses.front() + "]"
                                    : addresses.front();
      add("listen", Severity::fail,
          "[network] listen = \"" + where +
              "\" is a host name, and the node listens on an IP "
              "address only: its next start fails (" +
              (addresses.empty() ? why : listen->host + " is " + known + " here") + ")",
          "write the address: [network] listen = \"" + first + ":" + std::to_string(listen->port) +
              "\"");
      if (running != RunLockState::held) return;
    }
    if (running != RunLockState::free) {
      auto probe = probe_http(listen->host, listen->port, options_.peer_timeout);
      if (probe.reached && probe.http_status > 0)
        return add("listen", Severity::ok, "the node runs and answers on " + where, "");
      if (running == RunLockState::held)
        return add("listen", Severity::fail,
                   "the node runs but does not answer on " + where + ": " + probe.error,
                   "look at its log (journalctl -u ifexnode); run --listen may have moved it");
    }
    std::string why;
    const std::string state =
        running == RunLockState::free ? "the node is not running" : "nothing answers there";
    if (can_bind(listen->host, listen->port, options_.peer_timeout, why))
      return add("listen", Severity::info, state + "; " + where + " is free for it", "");
    add("listen", Severity::fail, state + " and " + where + " cannot be bound: " + why,
        "stop what holds the port (ss -ltnp), or change [network] listen");
  }

  void check_store() {
    // Read-only: no write transaction to wait for behind a running node or an import, and no
    // note of a copied store file (that hold is the next node start's to set).
    auto store = Store::open(store_options(dir_, config_, NodeHandle::Access::read_only));
    if (!store && store.error().code == "store_not_upgraded")
      return add("store", Severity::info, store.error().message,
                 "back up the data directory before the next start");
    if (!store)
      return add("store", Severity::fail, store.error().message,
                 "restore the store from a backup (docs/operations.md, \"Backup and restore\")");
    auto count = (*store)->entry_count();
    add("store", Severity::ok,
        std::to_string(count ? *count : 0) + " entries in " + dir_.store_dir().string(), "");
    if (auto copied = (*store)->store_file_changed(); copied && *copied)
      add("publishing", Severity::info,
          "the store file is a copy (restored, or moved to another disk): the node's next start "
          "holds publishing until a peer has shown how far it holds this node's log",
          "start the node with its peers (docs/operations.md, \"Backup and restore\")");
    check_map((**store));
    check_hold((**store));
    check_forks((**store));
    check_peers((**store));
  }

  void check_map(const Store& store) {
    auto space = store.space();
    if (!space || space->map_bytes == 0) return;
    const double used = static_cast<double>(space->used_bytes) / space->map_bytes;
    const std::string what = size_text(space->used_bytes) + " of the " +
                             size_text(space->map_bytes) + " map in use (" +
                             std::to_string(static_cast<int>(used * 100)) + " %)";
    const std::string raise = "raise [store] map_size_mib and restart the node";
    if (used >= 0.9) add("map_size", Severity::fail, what, raise + " now (store_full is near)");
    else if (used >= 0.75) add("map_size", Severity::warn, what, raise);
    else add("map_size", Severity::ok, what, "");
  }

  void check_hold(const Store& store) {
    auto hold = store.publishing_hold();
    if (!hold || !*hold) return;
    add("publishing", Severity::warn, "publishing is held (" + (*hold)->reason + "): " +
                                          (*hold)->detail,
        "start the node and let it hear from a peer, or see docs/operations.md, \"Backup and "
        "restore\"");
  }

  void check_forks(const Store& store) {
    auto proofs = store.fork_proofs();
    if (!proofs) return;
    for (const ForkProof& proof : *proofs) {
      const bool own = proof.author() == own_key();
      add("forks", own ? Severity::fail : Severity::warn,
          (own ? "this node's own key" : "member " + fingerprint(proof.author())) +
              " signed two entries with seq " + std::to_string(proof.seq()) + ": its log is frozen",
          own ? "this key is misused or was copied: stop every copy of the node and have the "
                "federation rotate it (federation propose rotate)"
              : "tell that member; the federation rotates its key (docs/operations.md)");
    }
    if (proofs->empty()) add("forks", Severity::ok, "no fork proof held", "");
  }

  PublicKey own_key() {
    auto key = read_key_file_public_key(dir_.key_file());
    return key ? *key : PublicKey{};
  }

  // Every address of every peer, probed in parallel within options_.peers_deadline.
  void check_peers(const Store& store) {
    auto peers = store.peers();
    if (!peers) return;
    if (peers->empty())
      return add("peers", Severity::info, "no peer configured (`ifexnode peer add`)", "");
    std::vector<std::string> who;
    std::vector<ProbeTarget> targets;
    for (const PeerRecord& peer : *peers) {
      for (const std::string& text : peer.urls) {
        auto url = parse_peer_url(text);
        const std::string name = fingerprint(peer.key) + " at " + text;
        if (!url) {
          add("peers", Severity::warn, name + ": " + url.error().message, "ifexnode peer add");
          continue;
        }
        // A peer reached through a proxy, or an onion service, is not probed from here: a
        // direct connection or a local DNS lookup of its host is what the proxy avoids.
        const std::string via = peer.socks5 == peer_proxy_direct ? std::string()
                                 : peer.socks5.empty()             ? config_.network.socks5_proxy
                                                                   : peer.socks5;
        if (!via.empty() || is_onion_host(url->host)) {
          add("peers", Severity::info,
              name + (via.empty() ? ": an onion service with no SOCKS5 proxy to reach it"
                                  : ": dialed through the SOCKS5 proxy " + via) +
                  "; not probed (doctor makes no direct connection or DNS lookup for it)",
              via.empty() ? "set [network] socks5_proxy (Tor's SocksPort)" : "");
          continue;
        }
        who.push_back(name);
        targets.push_back({url->host, url->port});
      }
    }
    const auto results = probe_all(targets, options_.peer_timeout,
                                   std::chrono::steady_clock::now() + options_.peers_deadline);
    std::vector<std::int64_t> skews;
    for (std::size_t i = 0; i < results.size(); ++i) {
      const ProbeResult& probe = results[i];
      if (!probe.reached || probe.http_status == 0) {
        add("peers", Severity::warn, who[i] + " is unreachable: " + probe.error,
            "check the address with the peer's operator, and this host's outgoing firewall");
        continue;
      }
      add("peers", Severity::ok,
          who[i] + " answers (HTTP " + std::to_string(probe.http_status) + ", " +
              std::to_string(probe.took.count()) + " ms)",
          "");
      if (probe.skew_s) skews.push_back(*probe.skew_s);
    }
    check_clock(skews);
  }

  // Against the peers' clocks (their Date headers, to the second): entries dated ahead of a
  // node's clock by more than [limits] max_clock_skew_s are refused there.
  void check_clock(std::vector<std::int64_t> skews) {
    if (skews.empty())
      return add("clock", Severity::info, "no peer's clock to compare with", "");
    std::sort(skews.begin(), skews.end());
    const std::int64_t median = skews[skews.size() / 2];
    const std::int64_t bound =
        options_.max_clock_skew_s.value_or(static_cast<std::int64_t>(config_.max_clock_skew_s));
    const std::string what = "the peers' clocks are " + std::to_string(median) +
                             " s from this host's (median of " + std::to_string(skews.size()) +
                             "; positive: theirs ahead; more than " + std::to_string(bound) +
                             " s is a warning)";
    if (std::llabs(median) > bound)
      return add("clock", Severity::warn, what,
                 "synchronise this host's clock (systemd-timesyncd or chrony): alerts dated by a "
                 "wrong clock are refused or misordered by date");
    add("clock", Severity::ok, what, "");
  }

  void check_index() {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir_.search_dir(), ec))
      add("index", Severity::info,
          "no search index yet: the running node builds it, or `ifexnode reindex`", "");
    else
      add("index", Severity::ok, "search index in " + dir_.search_dir().string(), "");
  }

  DataDir dir_;
  DoctorOptions options_;
  NodeConfig config_;
  std::vector<Finding> findings_;
};

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::ok: return "ok";
    case Severity::info: return "info";
    case Severity::warn: return "warn";
    case Severity::fail: return "fail";
  }
  return "ok";
}

std::vector<Finding> run_doctor(const std::filesystem::path& root, const DoctorOptions& options) {
  return Doctor(root, options).run();
}

}  // namespace ifex::cli
