// Env: the file-system operations that durable writers need (open, append, fsync, rename,
// remove, list, free space) behind one interface, so tests can inject failed writes, short
// writes and crashes (leveldb's Env idea). Layer: core; must not touch anything above core.
//
// Two implementations exist: Env::posix() (the real file system, every layer's default) and
// the fault-injecting test Env in tests/support/fault_env.h.
// Errors: every failure names the file and the operation, e.g.
// "out/model.gguf.tmp-12-0: fsync failed (Input/output error)"; codes are InvalidFile, or
// ResourceExhausted when the disk or quota is full (ENOSPC, EDQUOT).
// Thread contract: Env::posix() may be used from any thread; a WritableFile from one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::core {

// An open file that is written sequentially. The destructor closes it (errors ignored:
// call close() to see them).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` (short writes are retried until done or failed).
  virtual Status append(std::span<const uint8_t> data) = 0;
  // fsync: the bytes appended so far survive a crash once this returns ok.
  virtual Status sync() = 0;
  // Closes the file; later calls return ok and do nothing.
  virtual Status close() = 0;
  virtual const std::filesystem::path& path() const = 0;
};

// An open file read and written at byte offsets (a database's pages, its log). The
// destructor closes it (errors ignored: call close() to see them).
class RandomFile {
 public:
  virtual ~RandomFile() = default;
  // Reads up to out.size() bytes at `offset`; returns how many were read (fewer only at the end
  // of the file).
  virtual Result<size_t> read_at(uint64_t offset, std::span<uint8_t> out) = 0;
  // Writes all of `data` at `offset` (the file grows as needed).
  virtual Status write_at(uint64_t offset, std::span<const uint8_t> data) = 0;
  virtual Status truncate(uint64_t size) = 0;
  virtual Result<uint64_t> size() = 0;
  // fsync: the bytes written so far survive a crash once this returns ok.
  virtual Status sync() = 0;
  virtual Status close() = 0;
  virtual const std::filesystem::path& path() const = 0;
};

enum class OpenMode {
  CreateNew,  // error when the file exists (O_EXCL)
  Truncate,   // create or empty it
  Append,     // create or keep its bytes and append after them
};

class Env {
 public:
  virtual ~Env() = default;
  // The real file system (a process-wide instance that is never destroyed).
  static Env& posix();

  virtual Result<std::unique_ptr<WritableFile>> open(const std::filesystem::path& path, OpenMode mode) = 0;
  // Opens `path` for reading and writing at offsets; creates it (0600) when `create` and absent.
  // Error NotFound when absent and not `create`.
  virtual Result<std::unique_ptr<RandomFile>> open_random(const std::filesystem::path& path, bool create) = 0;
  // Whether `path` exists.
  virtual Result<bool> exists(const std::filesystem::path& path) = 0;
  // rename(2): atomically replaces `to` when it exists.
  virtual Status rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // Removes a file (not a directory). Error NotFound when absent.
  virtual Status remove(const std::filesystem::path& path) = 0;
  // fsync of a directory: makes the creations, renames and removals in it durable.
  virtual Status sync_dir(const std::filesystem::path& dir) = 0;
  // The names (not paths) of the entries of `dir`, sorted.
  virtual Result<std::vector<std::string>> list(const std::filesystem::path& dir) = 0;
  // Bytes available to this process on the file system holding `path`.
  virtual Result<uint64_t> free_space(const std::filesystem::path& path) = 0;
};

// Writes `path` durably and atomically: `body` fills a fresh temporary file beside it
// ("<path>.tmp-<pid>-<n>"), then fsync, close, rename onto `path`, fsync of the directory.
// On any failure before the rename, `path` is untouched (an existing file keeps its old
// bytes) and the temporary file is removed (best effort); the error of the first failed
// step is returned, with `body`'s errors as they are. A failure of the final directory
// fsync is returned too: `path` then holds the new complete file, durability unconfirmed.
Status write_file_atomic(Env& env, const std::filesystem::path& path,
                         const std::function<Status(WritableFile&)>& body);

// The directory that holds `path` ("." for a bare file name).
std::filesystem::path parent_dir(const std::filesystem::path& path);

}  // namespace ondo::core
