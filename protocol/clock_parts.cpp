#include "protocol/clock_parts.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace ifex {

std::vector<ClockPartMsg> split_clock(const ClockMsg& clock, std::size_t max_message_bytes) {
  const std::size_t per_part = std::max<std::size_t>(
      clock_entries_fitting(max_message_bytes, clock_part_header_bytes, GossipVersion::v3), 1);
  std::vector<ClockPartMsg> parts;
  std::size_t next = 0;
  do {
    const std::size_t end = std::min(clock.heads.size(), next + per_part);
    ClockPartMsg part{end == clock.heads.size(), clock.accepts_any_author, {}};
    part.heads.assign(clock.heads.begin() + static_cast<std::ptrdiff_t>(next),
                      clock.heads.begin() + static_cast<std::ptrdiff_t>(end));
    parts.push_back(std::move(part));
    next = end;
  } while (next < clock.heads.size());
  return parts;
}

Result<std::optional<ClockMsg>> ClockAssembler::add(ClockPartMsg part) {
  if (!in_progress_) {
    pending_ = ClockMsg{part.accepts_any_author, {}};
    in_progress_ = true;
  } else if (pending_.accepts_any_author != part.accepts_any_author) {
    in_progress_ = false;
    return make_error("bad_clock", "the parts of one clock disagree on accepts_any_author");
  }
  if (part.heads.size() > max_authors_ - pending_.heads.size()) {
    in_progress_ = false;
    pending_.heads = {};
    return make_error("too_many", "a clock in parts of more than " +
                                      std::to_string(max_authors_) + " authors");
  }
  pending_.heads.insert(pending_.heads.end(), std::make_move_iterator(part.heads.begin()),
                        std::make_move_iterator(part.heads.end()));
  if (!part.last) return std::optional<ClockMsg>{};
  in_progress_ = false;
  return std::optional<ClockMsg>{std::exchange(pending_, ClockMsg{})};
}

}  // namespace ifex
