// The Env-backed SQLite VFS (see sqlite_vfs.h). Layer: store.
#include "ondo/store/sqlite_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>

namespace ondo::store {
namespace {

thread_local std::string t_last_error;

int note(const Error& e, int code) {
  t_last_error = e.message;
  return e.code == ErrorCode::ResourceExhausted ? SQLITE_FULL : code;
}

struct VfsData {
  core::Env* env;
  sqlite3_vfs* unix_vfs;
  std::string name;
  sqlite3_vfs vfs;
};

// Our file: the Env file for bytes and, for the main database, a "unix" VFS file on the
// same path for locks and the WAL index. SQLite allocates it (szOsFile) and zeroes nothing.
struct EnvFile {
  sqlite3_file base;
  core::RandomFile* file;  // owned
  sqlite3_file* lock;      // owned (sqlite3_malloc), main database only
};

EnvFile* as_env(sqlite3_file* f) { return reinterpret_cast<EnvFile*>(f); }

int x_close(sqlite3_file* f) {
  EnvFile* e = as_env(f);
  if (e->lock) {  // first: its locks go before our descriptor's close would drop them
    if (e->lock->pMethods) e->lock->pMethods->xClose(e->lock);
    sqlite3_free(e->lock);
    e->lock = nullptr;
  }
  int rc = SQLITE_OK;
  if (e->file) {
    if (auto st = e->file->close(); !st.ok()) rc = note(st.error(), SQLITE_IOERR_CLOSE);
    delete e->file;
    e->file = nullptr;
  }
  return rc;
}

int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  auto r = as_env(f)->file->read_at(uint64_t(off), {static_cast<uint8_t*>(buf), size_t(n)});
  if (!r.ok()) return note(r.error(), SQLITE_IOERR_READ);
  if (*r < size_t(n)) {  // SQLite requires the rest zeroed on a short read
    std::memset(static_cast<uint8_t*>(buf) + *r, 0, size_t(n) - *r);
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  auto st = as_env(f)->file->write_at(uint64_t(off), {static_cast<const uint8_t*>(buf), size_t(n)});
  return st.ok() ? SQLITE_OK : note(st.error(), SQLITE_IOERR_WRITE);
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  auto st = as_env(f)->file->truncate(uint64_t(size));
  return st.ok() ? SQLITE_OK : note(st.error(), SQLITE_IOERR_TRUNCATE);
}

int x_sync(sqlite3_file* f, int) {
  auto st = as_env(f)->file->sync();
  return st.ok() ? SQLITE_OK : note(st.error(), SQLITE_IOERR_FSYNC);
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  auto r = as_env(f)->file->size();
  if (!r.ok()) return note(r.error(), SQLITE_IOERR_FSTAT);
  *size = sqlite3_int64(*r);
  return SQLITE_OK;
}

// Locks: the unix file's for the main database; the WAL and journals are never locked.
int x_lock(sqlite3_file* f, int level) {
  EnvFile* e = as_env(f);
  return e->lock ? e->lock->pMethods->xLock(e->lock, level) : SQLITE_OK;
}
int x_unlock(sqlite3_file* f, int level) {
  EnvFile* e = as_env(f);
  return e->lock ? e->lock->pMethods->xUnlock(e->lock, level) : SQLITE_OK;
}
int x_check_reserved(sqlite3_file* f, int* out) {
  EnvFile* e = as_env(f);
  if (e->lock) return e->lock->pMethods->xCheckReservedLock(e->lock, out);
  *out = 0;
  return SQLITE_OK;
}
int x_file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int x_sector_size(sqlite3_file*) { return 4096; }
int x_device_characteristics(sqlite3_file*) { return 0; }  // assume nothing: the safe choice
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  EnvFile* e = as_env(f);
  if (!e->lock) return SQLITE_IOERR_SHMMAP;
  return e->lock->pMethods->xShmMap(e->lock, region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  EnvFile* e = as_env(f);
  return e->lock ? e->lock->pMethods->xShmLock(e->lock, offset, n, flags) : SQLITE_IOERR_SHMLOCK;
}
void x_shm_barrier(sqlite3_file* f) {
  EnvFile* e = as_env(f);
  if (e->lock) e->lock->pMethods->xShmBarrier(e->lock);
}
int x_shm_unmap(sqlite3_file* f, int del) {
  EnvFile* e = as_env(f);
  return e->lock ? e->lock->pMethods->xShmUnmap(e->lock, del) : SQLITE_OK;
}

// Version 2: shared memory yes, memory-mapped I/O (version 3) no, so every byte moves
// through the Env.
const sqlite3_io_methods kIoMethods = {
    2,          x_close,     x_read,        x_write,          x_truncate,        x_sync,
    x_file_size, x_lock,     x_unlock,      x_check_reserved, x_file_control,    x_sector_size,
    x_device_characteristics, x_shm_map,    x_shm_lock,       x_shm_barrier,     x_shm_unmap,
    nullptr,    nullptr,
};

VfsData* data_of(sqlite3_vfs* vfs) { return static_cast<VfsData*>(vfs->pAppData); }

int x_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  VfsData* d = data_of(vfs);
  if (name == nullptr) {  // a nameless temporary file: SQLite's own (its bytes are scratch)
    return d->unix_vfs->xOpen(d->unix_vfs, name, f, flags, out_flags);
  }
  EnvFile* e = as_env(f);
  e->base.pMethods = nullptr;
  e->file = nullptr;
  e->lock = nullptr;
  auto opened = d->env->open_random(name, (flags & SQLITE_OPEN_CREATE) != 0);
  if (!opened.ok()) return note(opened.error(), SQLITE_CANTOPEN);
  e->file = opened->release();
  if (flags & SQLITE_OPEN_MAIN_DB) {
    e->lock = static_cast<sqlite3_file*>(sqlite3_malloc(d->unix_vfs->szOsFile));
    if (!e->lock) {
      delete e->file;
      e->file = nullptr;
      return SQLITE_NOMEM;
    }
    std::memset(e->lock, 0, size_t(d->unix_vfs->szOsFile));
    const int rc = d->unix_vfs->xOpen(d->unix_vfs, name, e->lock, flags, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_free(e->lock);
      e->lock = nullptr;
      delete e->file;
      e->file = nullptr;
      return rc;
    }
  }
  if (out_flags) *out_flags = flags;
  e->base.pMethods = &kIoMethods;
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  VfsData* d = data_of(vfs);
  auto st = d->env->remove(name);
  if (!st.ok()) {
    if (st.error().code == ErrorCode::NotFound) return SQLITE_IOERR_DELETE_NOENT;
    return note(st.error(), SQLITE_IOERR_DELETE);
  }
  if (sync_dir) {
    if (auto s = d->env->sync_dir(core::parent_dir(name)); !s.ok()) return note(s.error(), SQLITE_IOERR_DIR_FSYNC);
  }
  return SQLITE_OK;
}

int x_access(sqlite3_vfs* vfs, const char* name, int, int* out) {
  auto r = data_of(vfs)->env->exists(name);
  if (!r.ok()) return note(r.error(), SQLITE_IOERR_ACCESS);
  *out = *r ? 1 : 0;
  return SQLITE_OK;
}

int x_full_pathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  sqlite3_vfs* u = data_of(vfs)->unix_vfs;
  return u->xFullPathname(u, name, n, out);
}
int x_randomness(sqlite3_vfs* vfs, int n, char* out) {
  sqlite3_vfs* u = data_of(vfs)->unix_vfs;
  return u->xRandomness(u, n, out);
}
int x_sleep(sqlite3_vfs* vfs, int us) {
  sqlite3_vfs* u = data_of(vfs)->unix_vfs;
  return u->xSleep(u, us);
}
int x_current_time(sqlite3_vfs* vfs, double* out) {
  sqlite3_vfs* u = data_of(vfs)->unix_vfs;
  return u->xCurrentTime(u, out);
}
int x_last_error(sqlite3_vfs* vfs, int n, char* out) {
  sqlite3_vfs* u = data_of(vfs)->unix_vfs;
  return u->xGetLastError(u, n, out);
}
int x_current_time64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  sqlite3_vfs* u = data_of(vfs)->unix_vfs;
  return u->xCurrentTimeInt64(u, out);
}

std::mutex g_mu;
std::atomic<uint64_t> g_counter{0};

}  // namespace

Result<std::string> register_env_vfs(core::Env& env) {
  std::lock_guard<std::mutex> lock(g_mu);
  sqlite3_vfs* unix_vfs = sqlite3_vfs_find("unix");
  if (!unix_vfs || unix_vfs->iVersion < 2) {
    return make_error(ErrorCode::Unsupported, "sqlite: the \"unix\" VFS (version 2 or later) is not available");
  }
  auto d = std::make_unique<VfsData>();
  d->env = &env;
  d->unix_vfs = unix_vfs;
  d->name = "ondo-env-" + std::to_string(g_counter++);
  sqlite3_vfs& v = d->vfs;
  std::memset(&v, 0, sizeof v);
  v.iVersion = 2;
  v.szOsFile = std::max<int>(int(sizeof(EnvFile)), unix_vfs->szOsFile);
  v.mxPathname = unix_vfs->mxPathname;
  v.zName = d->name.c_str();
  v.pAppData = d.get();
  v.xOpen = x_open;
  v.xDelete = x_delete;
  v.xAccess = x_access;
  v.xFullPathname = x_full_pathname;
  v.xRandomness = x_randomness;
  v.xSleep = x_sleep;
  v.xCurrentTime = x_current_time;
  v.xGetLastError = x_last_error;
  v.xCurrentTimeInt64 = x_current_time64;
  if (const int rc = sqlite3_vfs_register(&v, 0); rc != SQLITE_OK) {
    return make_error(ErrorCode::Internal, std::string("sqlite: cannot register a VFS (") + sqlite3_errstr(rc) + ")");
  }
  std::string name = d->name;
  d.release();  // freed by unregister_env_vfs
  return name;
}

void unregister_env_vfs(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_mu);
  sqlite3_vfs* v = sqlite3_vfs_find(name.c_str());
  if (!v) return;
  sqlite3_vfs_unregister(v);
  delete static_cast<VfsData*>(v->pAppData);
}

std::string take_env_vfs_error() {
  std::string e = std::move(t_last_error);
  t_last_error.clear();
  return e;
}

}  // namespace ondo::store
