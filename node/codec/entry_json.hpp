// JSON shapes of alerts and entries, shared by the command line's --json output, `publish
// --file` and (later) the HTTP API. Field names are a public contract: extend, don't rename.
//   alert:  {"lang","title","summary","body","country","categories":[..],"event_date",
//            "sources":[..],"tags":[..],"legacy_id","translations":{"fr":{"title","summary","body"}}}
//   entry summary: {"id","author","seq","kind","created","created_at"} plus, for alerts,
//            "lang","country","title","event_date","categories"
//   entry in full: the summary plus "prev","signature","fingerprint" and, for alerts, the whole
//            alert object under "alert".
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "keys/result.hpp"
#include "protocol/alert.hpp"
#include "protocol/entry.hpp"

namespace ifex {

// Strict: unknown fields and wrong types are errors naming the field.
Result<Alert> alert_from_json(const boost::json::value& json);
boost::json::object alert_to_json(const Alert& alert);

boost::json::object entry_summary_json(const SignedEntry& entry);
boost::json::object entry_full_json(const SignedEntry& entry);

// "2026-11-28T10:27:46.123Z" for a time in ms since the epoch.
std::string iso8601_utc(std::uint64_t ms);

}  // namespace ifex
