// The backup archive's parts: the ustar header, the streaming writer and the strict reader, and
// the store's compacted copy (node/backup/, node/store/store_copy.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "node/backup/tar_format.hpp"
#include "node/backup/tar_reader.hpp"
#include "node/backup/tar_writer.hpp"
#include "node/store/store.hpp"
#include "node/store/store_copy.hpp"
#include "protocol/alert.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;

Bytes read_file(const std::filesystem::path& path) {
  Bytes out(std::filesystem::file_size(path));
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::read(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()));
  ::close(fd);
  return out;
}

tar::ReadFn memory_source(const Bytes& bytes) {
  auto at = std::make_shared<std::size_t>(0);
  return [&bytes, at](std::uint8_t* out, std::size_t n) -> Result<std::size_t> {
    const std::size_t take = std::min(n, bytes.size() - *at);
    std::memcpy(out, bytes.data() + *at, take);
    *at += take;
    return take;
  };
}

TEST_CASE("a ustar header round-trips, with sizes past 8 GiB in base-256") {
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1234}, (std::uint64_t{1} << 33) - 1,
                             std::uint64_t{1} << 33, std::uint64_t{5} << 40}) {
    const tar::Header h{"store/data.mdb", 0600, size, 1'750'000'000};
    auto back = tar::decode_header(tar::encode_header(h));
    REQUIRE(back);
    REQUIRE(*back);
    CHECK((*back)->name == h.name);
    CHECK((*back)->mode == 0600);
    CHECK((*back)->size == size);
    CHECK((*back)->mtime == h.mtime);
  }
}

TEST_CASE("a header with any byte changed is refused by its checksum") {
  const auto good = tar::encode_header(tar::Header{"identity.key", 0600, 73, 1});
  for (std::size_t i = 0; i < 300; ++i) {
    auto bad = good;
    bad[i] ^= 0x01;
    auto decoded = tar::decode_header(bad);
    CHECK_FALSE(decoded);
  }
}

TEST_CASE("member names that could leave the directory are unsafe") {
  for (const char* name :
       {"../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/", "", "a\\b", "name with space"})
    CHECK_FALSE(tar::is_safe_member_name(name));
  for (const char* name : {"identity.key", "store/data.mdb", "a.b-c_d"})
    CHECK(tar::is_safe_member_name(name));
}

TEST_CASE("the writer streams members the reader reads back, and truncation is detected") {
  TempDir dir("tar");
  const auto file = dir / "a.tar";
  {
    auto w = tar::Writer::create(file);
    REQUIRE(w);
    REQUIRE(w->begin_member("one", 0600, 1));
    REQUIRE(w->write(as_bytes("hello ")));
    REQUIRE(w->write(as_bytes("world")));
    REQUIRE(w->end_member());
    REQUIRE(w->begin_member("two", 0644, 2));
    REQUIRE(w->end_member());
    REQUIRE(w->finish());
  }
  const Bytes bytes = read_file(file);
  CHECK(bytes.size() % tar::block_size == 0);
  tar::Reader r(memory_source(bytes));
  auto one = r.next();
  REQUIRE(one);
  REQUIRE(*one);
  CHECK((*one)->name == "one");
  CHECK((*one)->size == 11);
  std::string data;
  REQUIRE(r.read_data([&](ByteView d) {
    data.append(as_chars(d));
    return Status::success();
  }));
  CHECK(data == "hello world");
  auto two = r.next();  // its (empty) data is skipped by the next call
  REQUIRE(two);
  REQUIRE(*two);
  CHECK((*two)->mode == 0644);
  auto end = r.next();
  REQUIRE(end);
  CHECK_FALSE(*end);

  for (std::size_t cut : {std::size_t{100}, std::size_t{600}, bytes.size() - 1}) {
    Bytes part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    tar::Reader t(memory_source(part));
    Status failed;
    for (int i = 0; i < 4 && failed; ++i) {
      auto h = t.next();
      if (!h)
        failed = h.error();
      else if (!*h)
        break;
    }
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == "archive_truncated");
  }
}

TEST_CASE("the store's compacted copy holds every committed entry and verifies") {
  TempDir dir("store-copy");
  StoreOptions options;
  options.dir = dir / "source";
  options.map_size = std::size_t{64} << 20;
  auto store = Store::open(options);
  REQUIRE(store);
  Identity id = Identity::generate();
  Hash prev{};
  for (std::uint64_t seq = 1; seq <= 50; ++seq) {
    Alert a;
    a.original = {"en", "alert " + std::to_string(seq), "s", "b"};
    a.country = "TN";
    a.categories = {"press-freedom"};
    a.event_date = "2025-05-03";
    auto e = sign_entry(id, {id.public_key(), seq, prev, 1'750'000'000'000 + seq, EntryKind::alert,
                             encode_alert(a)});
    prev = e.id();
    REQUIRE((*store)->append(std::span<const SignedEntry>(&e, 1)));
  }
  std::filesystem::create_directories(dir / "copy");
  const int fd = ::open((dir / "copy" / "data.mdb").c_str(), O_WRONLY | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  // While the source stays open and writable here, as in a running node.
  REQUIRE(copy_store_compacted(options.dir, fd));
  ::close(fd);
  StoreOptions copy_options = options;
  copy_options.dir = dir / "copy";
  copy_options.create_if_missing = false;
  auto copy = Store::open(copy_options);
  REQUIRE(copy);
  auto head = (*copy)->head(id.public_key());
  REQUIRE(head);
  REQUIRE(*head);
  CHECK((*head)->seq == 50);
  auto report = (*copy)->verify();
  REQUIRE(report);
  CHECK(report->faults.empty());
  CHECK(report->entries_checked == 50);
}

}  // namespace
}  // namespace ifex
