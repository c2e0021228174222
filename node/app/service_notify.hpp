// The service manager's readiness protocol (systemd's sd_notify): datagrams of "KEY=VALUE"
// lines sent to the AF_UNIX socket named by $NOTIFY_SOCKET. Spoken here in a few lines rather
// than by linking libsystemd; without $NOTIFY_SOCKET (not run by systemd) every call is a no-op.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ifex {

// Sends `state` (e.g. "READY=1\nSTATUS=listening") to $NOTIFY_SOCKET. A path name, or an
// abstract name written with a leading '@'. Returns false when there is no socket to send to or
// the send fails; the node runs the same either way. Thread-safe (one socket per call).
bool service_notify(std::string_view state);

// How often to send WATCHDOG=1: half of $WATCHDOG_USEC, as systemd advises, when the watchdog
// is on for this process ($WATCHDOG_PID unset or ours); nullopt when it is off.
std::optional<std::chrono::microseconds> service_watchdog_interval();

// A monotonic clock reading as systemd wants it beside RELOADING=1 ("MONOTONIC_USEC=...").
std::string service_monotonic_usec();

}  // namespace ifex
