// Runs the built `ondo` binary as a user would and captures its output. Test support only.
#pragma once

#include <cstdio>
#include <string>
#include <sys/wait.h>

#include "support/testdata.h"

namespace ondo::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout only; stderr goes to a file
  std::string err;
};

// `args` is appended to the binary path as-is (quote as needed). stdin is `stdin_path`
// (default /dev/null).
inline CommandResult run_ondo(const std::string& args, const std::string& stdin_path = "/dev/null") {
  static int counter = 0;
  const std::string err_path = ::testing::TempDir() + "ondo_stderr_" + std::to_string(::getpid()) + "_" +
                               std::to_string(counter++) + ".txt";
  const std::string cmd = (binary_dir() / "ondo").string() + " " + args + " 2>" + err_path + " <" + stdin_path;
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err_path);
  std::remove(err_path.c_str());
  return r;
}

// The same with stderr merged into stdout (for checks that only look for text).
struct MergedRun {
  int status = -1;
  std::string out;  // stdout and stderr together
};

inline MergedRun run_ondo_merged(const std::string& args) {
  const std::string cmd = (binary_dir() / "ondo").string() + " " + args + " 2>&1 </dev/null";
  MergedRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace ondo::testing
