// A property a fuzz target asserts about the code under test. A broken one aborts, which
// libFuzzer reports as a crash (and saves the input) and the replay driver as a failed test.
// Unlike assert() it stays on in Release builds, where the replay test also runs.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                              \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "%s:%d: fuzz property broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)
