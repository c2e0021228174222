#include "node/home/data_format.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ifex {

namespace {

constexpr std::string_view format_prefix = "ifexnode data format ";

std::filesystem::path format_file(const DataDir& dir) { return dir.root / "format"; }

Status sync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return make_error("io", "cannot open " + path.string() + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return make_error("io", "cannot sync " + path.string() + ": " + std::strerror(errno));
  return Status::success();
}

// Format 1 to 2: nothing moves; the directory only gains its `format` file.
Status migrate_1_to_2(const DataDir& dir) { return write_data_format(dir); }

}  // namespace

Result<std::uint32_t> read_data_format(const DataDir& dir) {
  const auto path = format_file(dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (ec) return make_error("io", "cannot read " + path.string() + ": " + ec.message());
    return 1u;
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line.rfind(format_prefix, 0) != 0)
    return make_error("bad_data_format", path.string() + " is not an ifexnode format file (it "
                                         "should read \"ifexnode data format N\")");
  const std::string number = line.substr(format_prefix.size());
  if (number.empty() || number.size() > 9 ||
      number.find_first_not_of("0123456789") != std::string::npos)
    return make_error("bad_data_format", path.string() + ": \"" + number +
                                             "\" is not a format number");
  const auto format = static_cast<std::uint32_t>(std::stoul(number));
  if (format < 2)  // format 1 has no file: a file naming it was not written by ifexnode
    return make_error("bad_data_format", path.string() + " names format " + number +
                                             ", which has no format file");
  return format;
}

Status write_data_format(const DataDir& dir) {
  const auto path = format_file(dir);
  const auto temporary = dir.root / "format.tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << format_prefix << current_data_format << "\n";
    if (!out.flush())
      return make_error("io", "cannot write " + temporary.string());
  }
  if (auto st = sync_path(temporary, O_RDONLY); !st) return st;
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return make_error("io", "cannot write " + path.string() + ": " + ec.message());
  return sync_path(dir.root, O_RDONLY | O_DIRECTORY);
}

Result<std::uint32_t> prepare_data_format(const DataDir& dir) {
  auto format = read_data_format(dir);
  if (!format) return format;
  if (*format > current_data_format)
    return make_error("data_format_too_new",
                      dir.root.string() + " holds data format " + std::to_string(*format) +
                          ", written by a newer ifexnode; this one reads formats up to " +
                          std::to_string(current_data_format) +
                          ". Run the newer ifexnode, or restore a backup made with this version "
                          "(docs/operations.md, \"Upgrades\")");
  if (*format == 1)
    if (auto st = migrate_1_to_2(dir); !st) return st.error();
  return format;
}

}  // namespace ifex
