// A connection to journald's native socket that never blocks the logging thread. Not
// thread-safe: the log holds its mutex around every call.
#pragma once

#include <string>
#include <string_view>

namespace ifex {

class JournalSocket {
 public:
  JournalSocket() = default;
  ~JournalSocket() { close(); }
  JournalSocket(const JournalSocket&) = delete;
  JournalSocket& operator=(const JournalSocket&) = delete;

  // Connects to the datagram socket at `path` (closing any earlier connection); false when
  // nothing listens there.
  bool open(const std::string& path);
  void close();
  bool is_open() const { return fd_ >= 0; }

  // Sends one native-protocol record without waiting: as one datagram, or, when it is too large
  // for one, written to a sealed memfd whose descriptor is passed over the socket (journald's
  // own way for large records), so no field is lost. False when journald's queue is full or it
  // is gone: the caller writes the event elsewhere.
  [[nodiscard]] bool send(std::string_view record);

 private:
  bool send_as_memfd(std::string_view record);

  int fd_ = -1;
};

}  // namespace ifex
