// Reliability of `ondo serve` on its store (issue 15.9), short variants for the default
// suite: a kill -9 loop of 5 kills under a steady write load (kill_loop.h; the 100-kill loop
// is reliability_slow_test.cpp), and a store unreachable at start is a clear error.
#include <gtest/gtest.h>
#include <unistd.h>

#include "serve/kill_loop.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> tiny_model() {
  std::string why;
  auto dir = testdata_dir(&why);
  if (!dir || !fs::exists(*dir / "models" / "stories260K.gguf")) return std::nullopt;
  return (*dir / "models" / "stories260K.gguf").string();
}

TEST(Reliability, KillNineFiveTimesLosesNoAcknowledgedWrite) {
  auto model = tiny_model();
  if (!model) {
    if (testdata_required()) FAIL() << "stories260K.gguf missing";
    GTEST_SKIP() << "stories260K.gguf not found in the test data";
  }
  const fs::path data = fs::temp_directory_path() / ("ondo-kill5-" + std::to_string(::getpid()));
  fs::remove_all(data);
  const auto bad = run_kill_loop(5, *model, data.string(), 5);
  for (const auto& line : bad) ADD_FAILURE() << line;
  fs::remove_all(data);
}

TEST(Reliability, UnreachableStoreAtStartIsAClearError) {
  auto model = tiny_model();
  if (!model) GTEST_SKIP() << "stories260K.gguf not found in the test data";
  // A unix socket folder with no server in it.
  const fs::path sock = fs::temp_directory_path() / ("ondo-nopg-" + std::to_string(::getpid()));
  fs::create_directories(sock);
  CommandResult r = run_ondo("serve -m " + *model + "=tiny -t 1 --port 0 --db 'postgres://ondo@/x?host=" + sock.string() + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("postgres://ondo@/x"), std::string::npos) << r.err;  // names the store
  EXPECT_EQ(r.err.find("listening"), std::string::npos) << r.err;
  fs::remove_all(sock);
}

}  // namespace
}  // namespace ondo::testing
