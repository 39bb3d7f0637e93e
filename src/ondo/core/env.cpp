// Env over POSIX calls (open/write/fsync/rename/unlink/statvfs) and the durable
// write-temp -> fsync -> rename -> fsync-dir sequence built on any Env. Layer: core.
#include "ondo/core/env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace ondo::core {
namespace {

Error os_error(const std::filesystem::path& path, const char* op, int err) {
  const ErrorCode code = (err == ENOSPC || err == EDQUOT) ? ErrorCode::ResourceExhausted : ErrorCode::InvalidFile;
  return make_error(code, path.string() + ": " + op + " failed (" + std::strerror(err) + ")");
}

// fsync and close of a file's descriptor, errors naming the file (both file kinds below).
Status sync_fd(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) return os_error(path, "fsync", errno);
  return ok_status();
}

Status close_fd(int& fd, const std::filesystem::path& path) {
  if (fd < 0) return ok_status();
  const int rc = ::close(fd);
  fd = -1;
  if (rc != 0) return os_error(path, "close", errno);
  return ok_status();
}

class PosixFile final : public WritableFile {
 public:
  PosixFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status append(std::span<const uint8_t> data) override {
    const uint8_t* p = data.data();
    size_t n = data.size();
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, std::min<size_t>(n, size_t(1) << 30));
      if (w < 0) {
        if (errno == EINTR) continue;
        return os_error(path_, "write", errno);
      }
      p += w;
      n -= size_t(w);
    }
    return ok_status();
  }

  Status sync() override { return sync_fd(fd_, path_); }
  Status close() override { return close_fd(fd_, path_); }

  const std::filesystem::path& path() const override { return path_; }

 private:
  std::filesystem::path path_;
  int fd_;
};

class PosixRandomFile final : public RandomFile {
 public:
  PosixRandomFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Result<size_t> read_at(uint64_t offset, std::span<uint8_t> out) override {
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t r = ::pread(fd_, out.data() + done, out.size() - done, off_t(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return os_error(path_, "read", errno);
      }
      if (r == 0) break;
      done += size_t(r);
    }
    return done;
  }

  Status write_at(uint64_t offset, std::span<const uint8_t> data) override {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t w = ::pwrite(fd_, data.data() + done, data.size() - done, off_t(offset + done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return os_error(path_, "write", errno);
      }
      done += size_t(w);
    }
    return ok_status();
  }

  Status truncate(uint64_t size) override {
    if (::ftruncate(fd_, off_t(size)) != 0) return os_error(path_, "truncate", errno);
    return ok_status();
  }

  Result<uint64_t> size() override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return os_error(path_, "stat", errno);
    return uint64_t(st.st_size);
  }

  Status sync() override { return sync_fd(fd_, path_); }
  Status close() override { return close_fd(fd_, path_); }

  const std::filesystem::path& path() const override { return path_; }

 private:
  std::filesystem::path path_;
  int fd_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> open(const std::filesystem::path& path, OpenMode mode) override {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
    if (mode == OpenMode::CreateNew) flags |= O_EXCL;
    if (mode == OpenMode::Truncate) flags |= O_TRUNC;
    if (mode == OpenMode::Append) flags |= O_APPEND;
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return os_error(path, "create", errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixFile>(path, fd));
  }

  Result<std::unique_ptr<RandomFile>> open_random(const std::filesystem::path& path, bool create) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT) return make_error(ErrorCode::NotFound, path.string() + ": open failed (no such file)");
      return os_error(path, "open", err);
    }
    return std::unique_ptr<RandomFile>(std::make_unique<PosixRandomFile>(path, fd));
  }

  Result<bool> exists(const std::filesystem::path& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return os_error(path, "stat", errno);
  }

  Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return os_error(to, ("rename from '" + from.string() + "'").c_str(), errno);
    }
    return ok_status();
  }

  Status remove(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0) {
      const int err = errno;
      if (err == ENOENT) return make_error(ErrorCode::NotFound, path.string() + ": remove failed (no such file)");
      return os_error(path, "remove", err);
    }
    return ok_status();
  }

  Status sync_dir(const std::filesystem::path& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error(dir, "open directory", errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return os_error(dir, "fsync directory", err);
    return ok_status();
  }

  Result<std::vector<std::string>> list(const std::filesystem::path& dir) override {
    std::error_code ec;
    std::vector<std::string> out;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      out.push_back(it->path().filename().string());
    }
    if (ec) return os_error(dir, "list", ec.value());
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<uint64_t> free_space(const std::filesystem::path& path) override {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return os_error(path, "statvfs", errno);
    return uint64_t(st.f_bavail) * uint64_t(st.f_frsize);
  }
};

std::atomic<uint64_t> g_temp_counter{0};

// Runs the steps up to and including the rename; on failure the temporary file is removed.
Status write_and_rename(Env& env, const std::filesystem::path& path, const std::filesystem::path& tmp,
                        const std::function<Status(WritableFile&)>& body) {
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env.open(tmp, OpenMode::CreateNew));
  Status st = body(*f);
  if (st.ok()) st = f->sync();
  Status closed = f->close();
  if (st.ok()) st = std::move(closed);
  if (st.ok()) st = env.rename(tmp, path);
  if (!st.ok()) {
    (void)env.remove(tmp);  // best effort; the first error is the one reported
    return st;
  }
  return ok_status();
}

}  // namespace

Env& Env::posix() {
  static Env* env = new PosixEnv();  // never destroyed: usable from static destructors
  return *env;
}

std::filesystem::path parent_dir(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

Status write_file_atomic(Env& env, const std::filesystem::path& path,
                         const std::function<Status(WritableFile&)>& body) {
  const std::filesystem::path tmp =
      path.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(g_temp_counter++);
  ONDO_TRY(write_and_rename(env, path, tmp, body));
  Status st = env.sync_dir(parent_dir(path));
  if (!st.ok()) return st.error().with_context(path.string() + ": after rename");
  return ok_status();
}

}  // namespace ondo::core
