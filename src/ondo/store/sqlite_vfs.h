// A SQLite VFS whose file reads, writes, syncs, truncations, deletions and existence checks
// go through a core::Env, so tests inject failed writes, torn writes and crashes into the
// database (DESIGN testing: "Store and jobs use a filesystem interface"). Locking and the WAL
// index (shared memory) are delegated to SQLite's own "unix" VFS on the same file.
// Layer: store (internal to it).
// Thread contract: register/unregister from any thread; the VFS itself is used by SQLite.
// Requires: only one connection per database file per process (closing an Env descriptor
// drops the process's POSIX locks on that file; with one connection the order is controlled).
#pragma once

#include <string>

#include "ondo/core/env.h"
#include "ondo/core/result.h"

namespace ondo::store {

// Registers a VFS over `env` (which must outlive it) and returns its name.
Result<std::string> register_env_vfs(core::Env& env);
void unregister_env_vfs(const std::string& name);

// The message of the last Env error seen by any env VFS on this thread ("" when none), then
// cleared: SQLite's own error codes say only "disk I/O error".
std::string take_env_vfs_error();

}  // namespace ondo::store
