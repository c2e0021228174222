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

TEST_CASE("a text line keeps a peer's line breaks and control characters on its own line") {
  // A peer-supplied reason that tries to forge a second event (log injection).
  const std::string message =
      "closed: bye\n2026-12-07T14:50:57.123Z error forged\r\x1b[31m\x7f back\\slash \xc2\x9b";
  LogRecord r{when_ms, LogLevel::info, LogArea::net, "session_closed", message, {}};
  const std::string line = format_text_line(r);
  CHECK(line ==
        "2026-12-07T14:50:57.123Z info  closed: bye\\n2026-12-07T14:50:57.123Z error "
        "forged\\r\\x1b[31m\\x7f back\\\\slash \\u009b\n");
  CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("a text line shows invalid UTF-8 bytes as \\xNN and keeps valid UTF-8") {
  const std::string message = "caf\xc3\xa9 \xff\xc3 \xe2\x82\xac";
  LogRecord r{when_ms, LogLevel::info, LogArea::node, "e", message, {}};
  CHECK(format_text_line(r) == "2026-12-07T14:50:57.123Z info  caf\xc3\xa9 \\xff\\xc3 \xe2\x82\xac\n");
}

TEST_CASE("a JSON line is valid UTF-8 whatever the bytes: invalid ones become \\ufffd") {
  // A stray continuation byte, a truncated sequence, an overlong '/', a UTF-16 surrogate.
  const std::string message = "a\x80" "b\xe2\x82" "c\xc0\xaf" "d\xed\xa0\x80" "e \xe2\x82\xac";
  const std::string bad_value = "\xfe\x1b";
  LogRecord r{when_ms, LogLevel::info, LogArea::node, "e", message, {{"v", bad_value}}};
  const std::string line = format_json_line(r);
  CHECK(line.find("\"message\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffde "
                  "\xe2\x82\xac\"") != std::string::npos);
  CHECK(line.ends_with("\"fields\":{\"v\":\"\\ufffd\\u001b\"}}\n"));
  CHECK(line.find('\n') == line.size() - 1);
  // C1 controls and DEL are escaped too.
  const std::string c1 = "\xc2\x85\x7f";
  CHECK(format_json_line({when_ms, LogLevel::info, LogArea::node, "e", c1, {}})
            .find("\"message\":\"\\u0085\\u007f\"") != std::string::npos);
}

TEST_CASE("journald field names are sanitised and cut at 64 characters") {
  CHECK(journal_field_name("peer") == "IFEX_PEER");
  CHECK(journal_field_name("Peer-Addr.v6") == "IFEX_PEER_ADDR_V6");
  CHECK(journal_field_name("caf\xc3\xa9") == "IFEX_CAF__");
  CHECK(journal_field_name("") == "IFEX_");
  const std::string long_name(100, 'x');
  const std::string sanitised = journal_field_name(long_name);
  CHECK(sanitised.size() == 64);
  CHECK(sanitised == "IFEX_" + std::string(59, 'X'));
}

TEST_CASE("a field never replaces the record's own journald fields, nor an earlier field") {
  const std::string message = "real message";
  const std::string long_a = std::string(70, 'a') + "1";
  const std::string long_b = std::string(70, 'a') + "2";
  LogRecord r{when_ms, LogLevel::warn, LogArea::gossip, "real_event", message,
              {{"event", "forged_event"},
               {"subsystem", "forged"},
               {"peer-id", "p1"},
               {"peer_id", "p2"},
               {"peer.id", "p3"},
               {long_a, "a1"},
               {long_b, "a2"}}};
  const std::string sixty_a = "IFEX_" + std::string(59, 'A');
  CHECK(format_journal_datagram(r) ==
        "MESSAGE=real message\nPRIORITY=4\nSYSLOG_IDENTIFIER=ifexnode\nIFEX_SUBSYSTEM=gossip\n"
        "IFEX_EVENT=real_event\nIFEX_EVENT_2=forged_event\nIFEX_SUBSYSTEM_2=forged\n"
        "IFEX_PEER_ID=p1\nIFEX_PEER_ID_2=p2\nIFEX_PEER_ID_3=p3\n" +
            sixty_a + "=a1\n" + sixty_a.substr(0, 62) + "_2=a2\n");
}
