#include "node/home/network_key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "keys/identity.hpp"

namespace ifex {

NetworkKey generate_network_key() {
  init_crypto();
  NetworkKey key;
  randombytes_buf(key.data(), NetworkKey::size);
  return key;
}

Result<NetworkKey> read_network_key_file(const std::filesystem::path& file) {
  struct stat st;
  if (::stat(file.c_str(), &st) != 0)
    return make_error("missing", "no network key at " + file.string() +
                                     ": set one with `ifexnode network-key set --data DIR KEY`");
  if ((st.st_mode & 077) != 0)
    return make_error("permissions", file.string() + " can be read by other users; chmod 600 " +
                                         file.string());
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto key = network_key_from_text(text.str());
  if (!key) return make_error("corrupt", file.string() + ": " + key.error().message);
  return key;
}

Status write_network_key_file(const std::filesystem::path& file, const NetworkKey& key,
                              bool replace) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("io", "cannot create " + tmp.string() + ": " + std::strerror(errno));
  std::string text = network_key_to_text(key) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (ok) {
    // link() fails when the target exists, so an existing key is never replaced by accident.
    ok = replace ? ::rename(tmp.c_str(), file.c_str()) == 0 : ::link(tmp.c_str(), file.c_str()) == 0;
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
  }
  if (!ok)
    return make_error(errno == EEXIST ? "exists" : "io",
                      "cannot write " + file.string() + ": " + std::strerror(errno));
  return Status::success();
}

}  // namespace ifex
