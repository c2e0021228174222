#include "node/app/node_runtime.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <ctime>
#include <functional>
#include <optional>
#include <thread>

#include "keys/identity.hpp"
#include "keys/key_text.hpp"
#include "node/app/config_reload.hpp"
#include "node/app/search_plan.hpp"
#include "node/app/service_notify.hpp"
#include "node/app/service_watchdog.hpp"
#include "node/archive/alert_catalog.hpp"
#include "node/archive/index_worker.hpp"
#include "node/base/log.hpp"
#include "node/home/admin_token.hpp"
#include "node/http/http_api.hpp"
#include "node/http/search_readers.hpp"
#include "node/net/dialer.hpp"
#include "node/net/node_core.hpp"
#include "node/net/server.hpp"
#include "node/net/tls_server_context.hpp"

namespace ifex {

namespace asio = boost::asio;

namespace {

// Days left matter to an operator whose renewal may have stopped (`ifexnode doctor` warns too).
void log_certificate(const TlsCertificateFacts& facts, const char* event, const std::string& what) {
  const std::int64_t days = (facts.not_after_s - static_cast<std::int64_t>(std::time(nullptr))) / 86'400;
  log_event(days < 0 ? LogLevel::error : LogLevel::info, LogArea::node, event,
            what + " " + facts.subject + " (SHA-256 " + facts.sha256 + "), " +
                (days < 0 ? "EXPIRED" : "valid for " + std::to_string(days) + " more days"),
            {{"subject", facts.subject},
             {"sha256", facts.sha256},
             {"days_left", std::to_string(days)}});
}

// The certificate of [tls], when set; paths relative to the data directory.
Result<std::unique_ptr<TlsServerContext>> load_tls(const DataDir& dir, const TlsConfig& tls) {
  if (tls.cert_file.empty()) return std::unique_ptr<TlsServerContext>();
  auto context = TlsServerContext::load(dir.root / tls.cert_file, dir.root / tls.key_file);
  if (!context) return context.error();
  log_certificate((*context)->facts(), "tls_certificate", "serving TLS with");
  return context;
}

void reload_tls(TlsServerContext& tls) {
  if (auto st = tls.reload(); !st) {
    log_event(LogLevel::error, LogArea::node, "tls_reload_failed",
              "SIGHUP: the TLS certificate was not reloaded, keeping the one in use: " +
                  st.error().message,
              {{"error", st.error().message}});
    return;
  }
  log_certificate(tls.facts(), "tls_reloaded", "SIGHUP: now serving TLS with");
}

}  // namespace

Status run_node(NodeHandle& node, const Identity& identity, const NetworkKey& network,
                const std::string& listen, const std::string& log_level_override) {
  NodeConfig config = node.config();
  if (!listen.empty()) config.network.listen = listen;
  if (!sodium_refuses_mixed_order_keys())
    log_event(
        LogLevel::warn, LogArea::node, "libsodium_outdated",
        "this libsodium lacks the fix of CVE-2025-69277: it takes keys outside the prime-order "
        "group for valid (roster add, peer add, the handshake); upgrade it (docs/keys.md)");
  // SIGHUP's default action ends the process; until the handler below is armed, ignore it.
  ::signal(SIGHUP, SIG_IGN);

  // Threads: one for the network, one for the core (store and replication), and a pool that
  // verifies signatures, sized to the machine. Declaration order is destruction order in
  // reverse: sessions (owned by net_ioc's handlers) refer to ctx, core and limiter, so net_ioc
  // is declared after them and goes first.
  const DataDir& dir = node.dir();
  if (!std::filesystem::exists(dir.admin_token_file())) {
    if (auto st = create_admin_token(dir.admin_token_file()); !st) return st;
    log_event(LogLevel::info, LogArea::node, "admin_token_created",
              "created an admin token in " + dir.admin_token_file().string(),
              {{"path", dir.admin_token_file().string()}});
  }
  auto admin_token = AdminTokenCheck::load(dir.admin_token_file());
  if (!admin_token) return admin_token.error();
  auto catalog = AlertCatalog::open(dir.catalog_dir(), store_options(dir, config).map_size);
  if (!catalog) return catalog.error();

  asio::io_context core_ioc(1);
  asio::thread_pool verify_pool(std::max(1u, std::thread::hardware_concurrency()));
  asio::thread_pool http_pool(config.http.threads);
  NodeCore core(core_ioc, node.store(), identity.public_key(), config, dir.status_file());
  ConnectionLimiter limiter(ConnectionLimits{config.network.max_connections,
                                             config.network.max_unauthenticated_connections,
                                             config.network.max_connections_per_address});
  auto plan = search_plan(config.search);
  if (!plan) return plan.error();
  IndexWorker indexer(node.store(), **catalog,
                      plan->local_index() ? std::optional(dir.search_dir()) : std::nullopt,
                      plan->shard, std::chrono::milliseconds(config.http.index_interval_ms));
  SearchReaders search_readers =
      plan->local_index() ? SearchReaders(dir.search_dir())
                          : SearchReaders(plan->remote, plan->remote_timeout);
  HttpApi http(ApiServices{config, node.store(), **catalog, search_readers, identity, *admin_token,
                           [&core] { return core.status_snapshot(); },
                           [&core] { return core.metrics(); },
                           [&core, &indexer] {
                             core.local_entry_stored();
                             indexer.wake();
                           }});
  // A recorded hello is worth replaying only while it is in here: the handshake timeout.
  ReplayGuard replay_guard(config.network.handshake_timeout_ms);
  NetContext ctx{core, identity, network, verify_pool, limiter, http, http_pool, replay_guard};
  asio::io_context net_ioc(1);

  auto tls = load_tls(dir, config.tls);
  if (!tls) return tls.error();
  Server server(net_ioc, ctx, Server::Tls{tls->get(), config.tls.require});
  if (auto st = server.listen(config.network.listen); !st) return st;
  std::optional<Server> tls_server;  // [tls] listen: a second port, TLS only
  if (!config.tls.listen.empty()) {
    tls_server.emplace(net_ioc, ctx, Server::Tls{tls->get(), true});
    if (auto st = tls_server->listen(config.tls.listen); !st) return st;
  }
  Dialer dialer(net_ioc, ctx);

  auto core_guard = asio::make_work_guard(core_ioc);
  std::thread core_thread([&] { core_ioc.run(); });

  // SIGINT/SIGTERM stop the node. SIGHUP (`systemctl reload`, log rotators) leaves it running
  // and reloads ifexnode.toml (config_reload.hpp: what applies live); the roster and peers
  // already follow the store as they change (NodeCore polls them).
  auto stop_on = [&](int signal) {
    const std::string name = signal == SIGINT ? "SIGINT" : "SIGTERM";
    log_event(LogLevel::info, LogArea::node, "stopping", "stopping on " + name,
              {{"signal", name}});
    service_notify("STOPPING=1");
    dialer.stop();
    core.stop();
    // Give sessions a moment to close, then stop everything.
    auto timer = std::make_shared<asio::steady_timer>(net_ioc, std::chrono::milliseconds(200));
    timer->async_wait([&, timer](const boost::system::error_code&) { net_ioc.stop(); });
  };
  ConfigReloader reloader(dir.config_file(), node.config(), log_level_override);
  asio::signal_set signals(net_ioc, SIGINT, SIGTERM, SIGHUP);
  std::function<void()> await_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (signal != SIGHUP) return stop_on(signal);
      service_notify("RELOADING=1\n" + service_monotonic_usec());
      reloader.reload();
      if (*tls) reload_tls(**tls);
      service_notify("READY=1");
      await_signal();
    });
  };
  await_signal();

  core.start();
  indexer.start();
  server.start();
  if (tls_server) tls_server->start();
  dialer.start();
  auto endpoint = server.local_endpoint();
  std::string listening = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  if (tls_server) {
    auto second = tls_server->local_endpoint();
    listening += " and " + second.address().to_string() + ":" + std::to_string(second.port()) +
                 " (TLS)";
  }
  log_event(LogLevel::info, LogArea::node, "listening",
            "node " + fingerprint(identity.public_key()) + " (" + config.name + ", " +
                std::string(role_name(config.role)) + ") listening on " + listening,
            {{"node", fingerprint(identity.public_key())},
             {"role", std::string(role_name(config.role))},
             {"listen", listening}});
  // Under systemd (Type=notify): ready once the listener accepts; the watchdog from here on.
  service_notify("READY=1\nSTATUS=listening on " + listening);
  ServiceWatchdog watchdog(net_ioc);
  watchdog.start();
  net_ioc.run();

  core_guard.reset();
  core_ioc.stop();
  core_thread.join();
  verify_pool.join();
  http_pool.join();
  indexer.stop();
  // Run what the core still has queued, then drop its links while the network's io_context
  // (which owns the sessions' sockets) is still alive.
  core_ioc.restart();
  core_ioc.poll();
  core.release_links();
  log_event(LogLevel::info, LogArea::node, "stopped", "stopped");
  return Status::success();
}

}  // namespace ifex
