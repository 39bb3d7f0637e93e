// FaultEnv: a core::Env for tests that forwards to the real file system and injects, at a
// chosen operation, a failed call, a short (torn) write, or a crash. Test support only.
//
// Operations are counted from 0 in call order: every open, append, sync, close, rename,
// remove, sync_dir, list and free_space call is one, and of a RandomFile every open_random,
// write_at, truncate and sync (reads, size, exists and close are not counted; after a crash
// they fail too). A RandomFile's crash: it gets back the bytes it had at its last sync (or
// when first opened here; a file created here and never synced disappears). A crash models power loss at that
// point: the operation does not happen, every file written through this Env loses the bytes
// not yet synced (truncated to its last synced length), every rename not followed by a
// sync_dir of its directory is undone (the old target's bytes come back, or the target
// disappears), and every later call fails with "crashed". crash_now() does the same after
// the last call (e.g. right after a write reported success).
// Thread contract: one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ondo/core/env.h"

namespace ondo::testing {

enum class Fault {
  Fail,        // the call fails (InvalidFile) without doing anything
  ShortWrite,  // append: writes the first half of the data, then fails; other calls: as Fail
  Crash,       // power loss before the call (see above)
};

class FaultEnv final : public core::Env {
 public:
  explicit FaultEnv(core::Env& base = core::Env::posix()) : base_(base) {}

  // Operation number `op` (0-based, over this Env's lifetime) gets `fault`.
  void arm(size_t op, Fault fault) { armed_ = {op, fault}; }
  size_t ops() const { return n_ops_; }
  bool crashed() const { return crashed_; }
  // Power loss after the last operation.
  void crash_now() { crash(); }
  // While set, every write and append fails with ResourceExhausted (ENOSPC) and writes
  // nothing; not counted as operations. Other calls work.
  void set_disk_full(bool full) { disk_full_ = full; }

  Result<std::unique_ptr<core::WritableFile>> open(const std::filesystem::path& path, core::OpenMode mode) override;
  Result<std::unique_ptr<core::RandomFile>> open_random(const std::filesystem::path& path, bool create) override;
  Result<bool> exists(const std::filesystem::path& path) override;
  Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Status remove(const std::filesystem::path& path) override;
  Status sync_dir(const std::filesystem::path& dir) override;
  Result<std::vector<std::string>> list(const std::filesystem::path& dir) override;
  Result<uint64_t> free_space(const std::filesystem::path& path) override;

 private:
  friend class FaultFile;
  friend class FaultRandomFile;
  struct PendingRename {
    std::filesystem::path to;
    std::optional<std::string> old_bytes;  // the replaced file, if there was one
  };
  // Counts one operation; returns the fault to inject now, if any (a crash is applied here).
  std::optional<Fault> next(const std::filesystem::path& path, const char* op, Status* error);
  void crash();

  core::Env& base_;
  std::optional<std::pair<size_t, Fault>> armed_;
  size_t n_ops_ = 0;
  bool crashed_ = false;
  std::atomic<bool> disk_full_{false};  // set from a test thread while a server writes
  std::map<std::filesystem::path, uint64_t> synced_;  // file written here -> bytes synced
  std::vector<PendingRename> renames_;
  // RandomFile opened here -> its bytes at the last sync (nullopt: absent then)
  std::map<std::filesystem::path, std::optional<std::string>> random_synced_;                // not yet made durable by sync_dir
};

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_file_bytes(const std::filesystem::path& path);

// Drives `write` (which must write `new_bytes` to `path` through the Env it is given) once
// per operation and fault kind, with that fault injected at that operation, after resetting
// `path` to `old_bytes` (absent when nullopt). `path`'s directory must hold nothing else.
// Returns one line per violation found (empty: none): after the run `path` holds neither
// the old complete file nor the new one; a fault went unreported; an error does not name
// the file; a reported failure left a temporary file behind; or a run that succeeded lost
// its file in a crash right after it returned.
std::vector<std::string> check_atomic_write(const std::filesystem::path& path,
                                            const std::optional<std::string>& old_bytes,
                                            const std::string& new_bytes,
                                            const std::function<Status(core::Env&)>& write);

}  // namespace ondo::testing
