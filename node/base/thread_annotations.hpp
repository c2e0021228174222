// Clang's thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html), as
// LevelDB uses them (port/thread_annotations.h): a member marked GUARDED_BY(mutex_) may only be
// touched with mutex_ held, a function marked REQUIRES(mutex_) only be called with it held, one
// marked EXCLUDES(mutex_) only without. Under clang with -Wthread-safety the compiler checks
// this (scripts/check_thread_safety.sh); under other compilers the macros expand to nothing.
//
// libstdc++'s std::mutex carries no annotations, so annotated code uses `Mutex` and `MutexLock`
// below: a std::mutex and a std::lock_guard that clang knows to be a capability and its scope.
#pragma once

#include <mutex>

#if defined(__clang__)
#define IFEX_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define IFEX_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) IFEX_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY IFEX_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) IFEX_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) IFEX_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) IFEX_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) IFEX_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) IFEX_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) IFEX_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RETURN_CAPABILITY(x) IFEX_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS IFEX_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace ifex {

// A std::mutex the analysis knows about. Not recursive.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }

 private:
  std::mutex mutex_;
};

// Holds a Mutex for its scope (std::lock_guard, annotated).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace ifex
