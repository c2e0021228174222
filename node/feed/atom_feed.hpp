// Atom 1.0 (RFC 4287) feeds of alerts, for newsletter tools: one feed per filter combination.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/alert.hpp"
#include "protocol/entry.hpp"

namespace ifex {

struct FeedInfo {
  std::string title;          // e.g. "IFEX alerts — fr, TN"
  std::string self_url;       // absolute or root-relative URL of this feed, with its query
  std::string site_url;       // the node's web page, e.g. "http://host:7400/"
  std::string feed_id;        // stable IRI for this feed (e.g. "urn:ifexnode:feed:" + hash of filters)
  std::string lang;           // preferred language of titles/summaries ("" = originals)
  std::uint64_t updated_ms;   // newest entry's time, or now when empty
};

struct FeedItem {
  SignedEntry entry;
  Alert alert;
  std::string author_name;    // roster name, or "" (then the key fingerprint is used)
};

// A complete, well-formed XML document; all text is escaped, characters XML 1.0 forbids are
// dropped, each entry has a stable urn:ifexnode:entry:<id hex> id, its link to
// `site_url#/alert/<id>`, xml:lang of the text shown, and category terms. Each entry's `updated`
// is its signing time; `published` is the same, except for an archive record (an alert with a
// legacy_id and an event date), first published on its archive date. The event date is also a
// category (scheme urn:ifexnode:event-date). Items are rendered in the order given.
std::string render_atom_feed(const FeedInfo& info, const std::vector<FeedItem>& items);

}  // namespace ifex
