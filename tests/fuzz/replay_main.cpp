// The main of a fuzz target in a normal build (no libFuzzer): runs LLVMFuzzerTestOneInput once
// on every file under the directories (or files) given, in sorted order so a failure replays
// the same way. Fails when an argument does not exist or nothing was replayed, so a broken seed
// generator cannot pass for a clean run. A broken property aborts inside the target.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <string>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// The input being replayed, named by the abort handler: a broken property or a sanitizer report
// ends in abort(), and the test log must say which file did it.
std::string current_input;

void name_input_on_abort(int) {
  const char prefix[] = "replay: the input that failed: ";
  (void)!::write(STDERR_FILENO, prefix, sizeof prefix - 1);
  (void)!::write(STDERR_FILENO, current_input.data(), current_input.size());
  (void)!::write(STDERR_FILENO, "\n", 1);
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    fs::path arg = argv[i];
    if (fs::is_regular_file(arg)) {
      inputs.push_back(arg);
    } else if (fs::is_directory(arg)) {
      for (const auto& item : fs::recursive_directory_iterator(arg))
        if (item.is_regular_file()) inputs.push_back(item.path());
    } else {
      std::fprintf(stderr, "replay: %s does not exist\n", argv[i]);
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs to replay\n");
    return 2;
  }
  std::signal(SIGABRT, name_input_on_abort);
  for (const fs::path& file : inputs) {
    current_input = file.string();
    std::vector<std::uint8_t> data = read_file(file);
    // A non-null pointer even for an empty file, as libFuzzer passes.
    static const std::uint8_t none = 0;
    LLVMFuzzerTestOneInput(data.empty() ? &none : data.data(), data.size());
  }
  std::printf("replay: %zu inputs, no property broken\n", inputs.size());
  return 0;
}
