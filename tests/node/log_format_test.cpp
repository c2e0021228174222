// The bytes of a log event in each format (node/base/log_format), and the per-area levels spec.
#include <catch2/catch.hpp>

#include "node/base/log.hpp"
#include "node/base/log_format.hpp"

using namespace ifex;

namespace {
// 2026-12-07T14:50:57.123Z
constexpr std::int64_t when_ms = 1796655057123;
}  // namespace

TEST_CASE("a text line is the format of earlier versions") {
  const std::string message = "connected to ab12";
  LogRecord r{when_ms, LogLevel::info, LogArea::gossip, "peer_connected", message,
              {{"peer", "ab12"}}};
  CHECK(format_text_line(r) == "2026-12-07T14:50:57.123Z info  connected to ab12\n");
}

TEST_CASE("a JSON line holds time, level, subsystem, event, message and fields, escaped") {
  const std::string message = "peer said \"hi\"\n\x01 back\\slash";
  LogRecord r{when_ms, LogLevel::warn, LogArea::net, "session_closed", message,
              {{"peer", "ab12"}, {"reason", "tab\there"}}};
  CHECK(format_json_line(r) ==
        "{\"time\":\"2026-12-07T14:50:57.123Z\",\"level\":\"warn\",\"subsystem\":\"net\","
        "\"event\":\"session_closed\",\"message\":\"peer said \\\"hi\\\"\\n\\u0001 "
        "back\\\\slash\",\"fields\":{\"peer\":\"ab12\",\"reason\":\"tab\\there\"}}\n");
}

TEST_CASE("a JSON line without fields has an empty fields object") {
  const std::string message = "stopped";
  LogRecord r{when_ms, LogLevel::info, LogArea::node, "stopped", message, {}};
  CHECK(format_json_line(r).ends_with("\"message\":\"stopped\",\"fields\":{}}\n"));
}

TEST_CASE("a journald datagram has syslog priorities and upper-case field names") {
  const std::string message = "fork detected";
  LogRecord r{when_ms, LogLevel::warn, LogArea::gossip, "fork_detected", message,
              {{"author", "ab12"}, {"seq", "7"}}};
  CHECK(format_journal_datagram(r) ==
        "MESSAGE=fork detected\nPRIORITY=4\nSYSLOG_IDENTIFIER=ifexnode\nIFEX_SUBSYSTEM=gossip\n"
        "IFEX_EVENT=fork_detected\nIFEX_AUTHOR=ab12\nIFEX_SEQ=7\n");
  const std::string e = "x";
  CHECK(format_journal_datagram({0, LogLevel::error, LogArea::node, "e", e, {}})
            .starts_with("MESSAGE=x\nPRIORITY=3\n"));
  CHECK(format_journal_datagram({0, LogLevel::debug, LogArea::node, "e", e, {}})
            .starts_with("MESSAGE=x\nPRIORITY=7\n"));
}

TEST_CASE("a journald value with a line break is sent length-prefixed") {
  const std::string message = "two\nlines";
  LogRecord r{when_ms, LogLevel::info, LogArea::index, "e", message, {}};
  const std::string d = format_journal_datagram(r);
  const std::string expected_start = std::string("MESSAGE\n") + '\x09' + std::string(7, '\0') +
                                     "two\nlines\nPRIORITY=6\n";
  CHECK(d.starts_with(expected_start));
}

TEST_CASE("per-area levels: a good spec sets its areas, a bad one changes nothing") {
  LogSettings s;
  REQUIRE_FALSE(apply_area_levels("net=debug,index=error", s.levels));
  CHECK(s.levels[static_cast<int>(LogArea::net)] == LogLevel::debug);
  CHECK(s.levels[static_cast<int>(LogArea::index)] == LogLevel::error);
  CHECK(s.levels[static_cast<int>(LogArea::gossip)] == LogLevel::info);
  const auto before = s.levels;
  auto bad_area = apply_area_levels("net=warn,disk=debug", s.levels);
  REQUIRE(bad_area);
  CHECK(bad_area->find("unknown area \"disk\"") != std::string::npos);
  CHECK(s.levels == before);
  auto bad_level = apply_area_levels("net=loud", s.levels);
  REQUIRE(bad_level);
  CHECK(bad_level->find("unknown level \"loud\"") != std::string::npos);
  CHECK(apply_area_levels("net", s.levels));
  CHECK_FALSE(apply_area_levels("", s.levels));
}
