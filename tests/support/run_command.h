// Runs shell commands (the built `ondo` binary as a user would, node and curl clients) and
// captures their output. Test support only.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <sys/wait.h>

#include "support/testdata.h"

namespace ondo::testing {

// A shell command's exit status and standard output (redirect 2>&1 in `cmd` to merge stderr).
struct ShellResult {
  int status = -1;
  std::string out;
};

inline ShellResult run_shell(const std::string& cmd) {
  ShellResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

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
  ShellResult sh = run_shell(cmd);
  CommandResult r;
  r.exit_code = sh.status;
  r.out = std::move(sh.out);
  r.err = read_file(err_path);
  std::remove(err_path.c_str());
  return r;
}

// The same with stderr merged into stdout (for checks that only look for text).
using MergedRun = ShellResult;

inline MergedRun run_ondo_merged(const std::string& args) {
  return run_shell((binary_dir() / "ondo").string() + " " + args + " 2>&1 </dev/null");
}

}  // namespace ondo::testing
