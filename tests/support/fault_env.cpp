// FaultEnv: fault injection over the real file system (see fault_env.h). Test support only.
#include "support/fault_env.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace ondo::testing {

namespace fs = std::filesystem;

std::optional<std::string> read_file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

bool same_dir(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  const bool eq = fs::equivalent(a, b, ec);
  return ec ? a.lexically_normal() == b.lexically_normal() : eq;
}

// What a write returns while the disk is full (as Env::posix() reports ENOSPC).
Error disk_full_error(const fs::path& path) {
  return make_error(ErrorCode::ResourceExhausted, path.string() + ": write failed (No space left on device)");
}

Error injected(const fs::path& path, const char* op, const char* what) {
  return make_error(ErrorCode::InvalidFile, path.string() + ": " + op + " failed (" + what + ")");
}

}  // namespace

class FaultFile final : public core::WritableFile {
 public:
  FaultFile(FaultEnv& env, std::unique_ptr<core::WritableFile> base) : env_(env), base_(std::move(base)) {}

  Status append(std::span<const uint8_t> data) override {
    if (env_.disk_full_) return disk_full_error(path());
    Status err;
    const auto fault = env_.next(path(), "write", &err);
    if (!fault) return base_->append(data);
    if (*fault == Fault::ShortWrite && data.size() > 1) {
      (void)base_->append(data.first(data.size() / 2));
      return injected(path(), "write", "injected short write");
    }
    return err;
  }

  Status sync() override {
    Status err;
    if (env_.next(path(), "fsync", &err)) return err;
    ONDO_TRY(base_->sync());
    std::error_code ec;
    const auto size = fs::file_size(path(), ec);
    if (!ec) env_.synced_[path()] = size;
    return ok_status();
  }

  Status close() override {
    Status err;
    if (env_.next(path(), "close", &err)) {
      (void)base_->close();  // the descriptor is gone either way, as with close(2)
      return err;
    }
    return base_->close();
  }

  const fs::path& path() const override { return base_->path(); }

 private:
  FaultEnv& env_;
  std::unique_ptr<core::WritableFile> base_;
};

class FaultRandomFile final : public core::RandomFile {
 public:
  FaultRandomFile(FaultEnv& env, std::unique_ptr<core::RandomFile> base) : env_(env), base_(std::move(base)) {}

  Result<size_t> read_at(uint64_t offset, std::span<uint8_t> out) override {
    if (env_.crashed_) return injected(path(), "read", "crashed");
    return base_->read_at(offset, out);
  }

  Status write_at(uint64_t offset, std::span<const uint8_t> data) override {
    if (env_.disk_full_) return disk_full_error(path());
    Status err;
    const auto fault = env_.next(path(), "write", &err);
    if (!fault) return base_->write_at(offset, data);
    if (*fault == Fault::ShortWrite && data.size() > 1) {
      (void)base_->write_at(offset, data.first(data.size() / 2));
      return injected(path(), "write", "injected short write");
    }
    return err;
  }

  Status truncate(uint64_t size) override {
    Status err;
    if (env_.next(path(), "truncate", &err)) return err;
    return base_->truncate(size);
  }

  Result<uint64_t> size() override {
    if (env_.crashed_) return injected(path(), "stat", "crashed");
    return base_->size();
  }

  Status sync() override {
    Status err;
    if (env_.next(path(), "fsync", &err)) return err;
    ONDO_TRY(base_->sync());
    env_.random_synced_[path()] = read_file_bytes(path());
    return ok_status();
  }

  Status close() override { return base_->close(); }
  const fs::path& path() const override { return base_->path(); }

 private:
  FaultEnv& env_;
  std::unique_ptr<core::RandomFile> base_;
};

std::optional<Fault> FaultEnv::next(const fs::path& path, const char* op, Status* error) {
  const size_t n = n_ops_++;
  if (crashed_) {
    *error = injected(path, op, "crashed");
    return Fault::Crash;
  }
  if (!armed_ || armed_->first != n) return std::nullopt;
  const Fault f = armed_->second;
  if (f == Fault::Crash) {
    crash();
    *error = injected(path, op, "crashed");
  } else {
    *error = injected(path, op, "injected failure");
  }
  return f;
}

void FaultEnv::crash() {
  crashed_ = true;
  std::error_code ec;
  for (const auto& [path, synced] : synced_) {
    if (fs::exists(path, ec)) fs::resize_file(path, synced, ec);
  }
  for (auto it = renames_.rbegin(); it != renames_.rend(); ++it) {
    if (it->old_bytes) {
      std::ofstream(it->to, std::ios::binary | std::ios::trunc) << *it->old_bytes;
    } else {
      fs::remove(it->to, ec);
    }
  }
  renames_.clear();
  for (const auto& [path, bytes] : random_synced_) {
    if (bytes) {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << *bytes;
    } else {
      fs::remove(path, ec);
    }
  }
}

Result<std::unique_ptr<core::RandomFile>> FaultEnv::open_random(const fs::path& path, bool create) {
  Status err;
  if (next(path, "open", &err)) return std::move(err).error();
  if (!random_synced_.count(path)) random_synced_[path] = read_file_bytes(path);
  ONDO_ASSIGN_OR_RETURN(auto f, base_.open_random(path, create));
  return std::unique_ptr<core::RandomFile>(std::make_unique<FaultRandomFile>(*this, std::move(f)));
}

Result<bool> FaultEnv::exists(const fs::path& path) {
  if (crashed_) return injected(path, "stat", "crashed");
  return base_.exists(path);
}

Result<std::unique_ptr<core::WritableFile>> FaultEnv::open(const fs::path& path, core::OpenMode mode) {
  Status err;
  if (next(path, "create", &err)) return std::move(err).error();
  ONDO_ASSIGN_OR_RETURN(auto f, base_.open(path, mode));
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  synced_[path] = (mode == core::OpenMode::Append && !ec) ? size : 0;
  return std::unique_ptr<core::WritableFile>(std::make_unique<FaultFile>(*this, std::move(f)));
}

Status FaultEnv::rename(const fs::path& from, const fs::path& to) {
  Status err;
  if (next(to, "rename", &err)) return err;
  PendingRename pending{to, read_file_bytes(to)};
  ONDO_TRY(base_.rename(from, to));
  renames_.push_back(std::move(pending));
  if (auto it = synced_.find(from); it != synced_.end()) {
    const uint64_t synced = it->second;
    synced_.erase(it);
    synced_[to] = synced;
  }
  return ok_status();
}

Status FaultEnv::remove(const fs::path& path) {
  Status err;
  if (next(path, "remove", &err)) return err;
  synced_.erase(path);
  if (auto it = random_synced_.find(path); it != random_synced_.end()) it->second = std::nullopt;
  return base_.remove(path);
}

Status FaultEnv::sync_dir(const fs::path& dir) {
  Status err;
  if (next(dir, "fsync directory", &err)) return err;
  ONDO_TRY(base_.sync_dir(dir));
  std::erase_if(renames_, [&](const PendingRename& r) { return same_dir(core::parent_dir(r.to), dir); });
  return ok_status();
}

Result<std::vector<std::string>> FaultEnv::list(const fs::path& dir) {
  Status err;
  if (next(dir, "list", &err)) return std::move(err).error();
  return base_.list(dir);
}

Result<uint64_t> FaultEnv::free_space(const fs::path& path) {
  Status err;
  if (next(path, "statvfs", &err)) return std::move(err).error();
  return base_.free_space(path);
}

}  // namespace ondo::testing

namespace ondo::testing {
namespace {

void reset(const fs::path& path, const std::optional<std::string>& bytes) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(path.parent_path(), ec)) fs::remove(e.path(), ec);
  if (bytes) std::ofstream(path, std::ios::binary | std::ios::trunc) << *bytes;
}

const char* fault_name(Fault f) {
  return f == Fault::Fail ? "failure" : f == Fault::ShortWrite ? "short write" : "crash";
}

// The violations of one run with `fault` at operation `op`.
void check_run(const fs::path& path, const std::optional<std::string>& old_bytes, const std::string& new_bytes,
               const std::function<Status(core::Env&)>& write, size_t op, Fault fault,
               std::vector<std::string>& out) {
  reset(path, old_bytes);
  FaultEnv env;
  env.arm(op, fault);
  const Status st = write(env);
  const std::string at = std::string(fault_name(fault)) + " at operation " + std::to_string(op) + ": ";
  if (st.ok() && op < env.ops()) out.push_back(at + "reported success");
  if (!st.ok() && st.error().message.find(path.filename().string()) == std::string::npos) {
    out.push_back(at + "error does not name the file: " + st.error().message);
  }
  if (st.ok()) env.crash_now();
  const auto now = read_file_bytes(path);
  if (now != old_bytes && now != std::optional<std::string>(new_bytes)) {
    out.push_back(at + path.string() + " holds " + (now ? std::to_string(now->size()) + " bytes" : "nothing") +
                  ", neither the old file nor the new one");
  }
  if (fault != Fault::Crash && !st.ok()) {
    for (const auto& e : fs::directory_iterator(path.parent_path())) {
      if (e.path().filename() != path.filename()) out.push_back(at + "left " + e.path().string());
    }
  }
}

}  // namespace

std::vector<std::string> check_atomic_write(const fs::path& path, const std::optional<std::string>& old_bytes,
                                            const std::string& new_bytes,
                                            const std::function<Status(core::Env&)>& write) {
  std::vector<std::string> out;
  reset(path, old_bytes);
  FaultEnv clean;
  const Status st = write(clean);
  if (!st.ok()) return {"a run without faults failed: " + st.error().message};
  clean.crash_now();
  if (read_file_bytes(path) != std::optional<std::string>(new_bytes)) {
    out.push_back("a run without faults did not leave the new file durably in place");
  }
  const size_t n_ops = clean.ops();
  for (Fault f : {Fault::Fail, Fault::ShortWrite, Fault::Crash}) {
    for (size_t op = 0; op < n_ops; ++op) check_run(path, old_bytes, new_bytes, write, op, f, out);
  }
  return out;
}

}  // namespace ondo::testing
