// `ondo tokenize` / `ondo detokenize` run as a user runs them, on stories260K: output
// format, options, and error exit codes. Layer: cli tests (run build/ondo).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

#include "support/testdata.h"

namespace {

struct CliRun {
  int rc;
  std::string out;
};

// Runs `ondo ARGS` through the shell; stdout only (stderr discarded).
CliRun ondo(const std::string& args) {
  const std::string cmd = (ondo::testing::binary_dir() / "ondo").string() + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  CliRun r{-1, ""};
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(TokenizeCli, PrintsJsonIdsAndRoundTrips) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string m = "-m '" + (dir / "models" / "stories260K.gguf").string() + "'";
  CliRun t = ondo("tokenize " + m + " 'Once upon a time'");
  EXPECT_EQ(t.rc, 0);
  EXPECT_EQ(t.out, "[1,403,407,261,378]\n");
  CliRun n = ondo("tokenize " + m + " --no-special -- 'Once upon a time'");
  EXPECT_EQ(n.out, "[403,407,261,378]\n");
  CliRun f = ondo("tokenize " + m + " -f - < /dev/null");
  EXPECT_EQ(f.rc, 0);
  EXPECT_EQ(f.out, "[1]\n");
  CliRun d = ondo("detokenize " + m + " --tokens 1,403,407,261,378");
  EXPECT_EQ(d.rc, 0);
  EXPECT_EQ(d.out, " Once upon a time");  // no newline; BOS renders as nothing
  CliRun s = ondo("detokenize " + m + " --tokens 1,403 --render-special");
  EXPECT_EQ(s.out, "<s> Once");
}

TEST(TokenizeCli, ReportsErrors) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string m = "-m '" + (dir / "models" / "stories260K.gguf").string() + "'";
  EXPECT_EQ(ondo("detokenize " + m + " --tokens 1,512").rc, 2);
  EXPECT_EQ(ondo("detokenize " + m + " --tokens 1,x").rc, 2);
  EXPECT_EQ(ondo("tokenize " + m).rc, 2);
  EXPECT_EQ(ondo("tokenize -m /nonexistent/model.gguf hello").rc, 1);
  EXPECT_EQ(ondo("tokenize " + m + " --bogus hello").rc, 2);
}

}  // namespace
