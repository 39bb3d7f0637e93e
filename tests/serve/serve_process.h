// Starts the built `ondo serve` on a free loopback port for server tests, waits until
// /health answers 200, and stops it with SIGTERM (expecting exit code 0). Test support only.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {

// Runs tests/serve/node/<script> with `args`; its exit status in *rc, stdout and stderr returned.
inline std::string run_node(const std::string& script, const std::string& args, int* rc) {
  const auto dir = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node";
  ShellResult r = run_shell("node " + (dir / script).string() + " " + args + " 2>&1");
  *rc = r.status;
  return std::move(r.out);
}


inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class ServeProcess {
 public:
  // `args` after "serve"; the port is added. Returns false when it did not become ready.
  bool start(const std::vector<std::string>& args) {
    port_ = free_port();
    log_ = ::testing::TempDir() + "ondo_serve_" + std::to_string(::getpid()) + "_" + std::to_string(port_) + ".log";
    std::vector<std::string> argv = {(binary_dir() / "ondo").string(), "serve", "--port", std::to_string(port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> cargv;
      for (auto& s : argv) cargv.push_back(s.data());
      cargv.push_back(nullptr);
      FILE* f = std::fopen(log_.c_str(), "w");
      if (f) ::dup2(fileno(f), 2);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    httplib::Client c("127.0.0.1", port_);
    for (int i = 0; i < 600; ++i) {  // bounded wait for readiness (model load), not a timing check
      auto r = c.Get("/health");
      if (r && r->status == 200) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // SIGTERM and the exit code (-1 when it did not exit normally).
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // SIGKILL (no drain, no clean-up: a crash) and reaps it.
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const { return read_file(log_); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // VmRSS of the server process in KiB.
  long rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

// A test against `ondo serve` on stories260K.gguf (alias "tiny", `-t 1 --ctx 256` plus
// extra_args()). Skips without the test data, fails instead where it is required (CI); the
// server is stopped with SIGTERM, which drains and must exit 0.
class TinyServeTest : public ::testing::Test {
 protected:
  virtual std::vector<std::string> extra_args() const { return {}; }
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "stories260K.gguf not found in the test data (" << why << ")";
    }
    std::vector<std::string> args = {"-m", (*dir / "models" / "stories260K.gguf").string() + "=tiny", "-t", "1",
                                     "--ctx", "256"};
    for (const std::string& a : extra_args()) args.push_back(a);
    ASSERT_TRUE(server_.start(args)) << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) EXPECT_EQ(server_.stop(), 0) << server_.log();
  }
  ServeProcess server_;
};

}  // namespace ondo::testing
