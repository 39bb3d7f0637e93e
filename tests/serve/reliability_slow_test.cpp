// The kill -9 loop of issue 15.9 at full length (label slow): 100 SIGKILLs of `ondo serve`
// at random moments under a steady write load on its SQLite store (kill_loop.h); after every
// restart the store opens and every acknowledged write is there. The same loop on PostgreSQL
// (the tests' throwaway server, tests/support/postgres_server.h): `ondo serve --db` killed.
#include <gtest/gtest.h>
#include <unistd.h>

#include "serve/kill_loop.h"
#include "support/postgres_server.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;

TEST(ReliabilitySlow, KillNineAHundredTimesLosesNoAcknowledgedWrite) {
  std::string why;
  auto dir = testdata_dir(&why);
  if (!dir || !fs::exists(*dir / "models" / "stories260K.gguf")) {
    if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
    GTEST_SKIP() << "stories260K.gguf not found in the test data (" << why << ")";
  }
  const fs::path data = fs::temp_directory_path() / ("ondo-kill100-" + std::to_string(::getpid()));
  fs::remove_all(data);
  const auto bad = run_kill_loop(100, (*dir / "models" / "stories260K.gguf").string(), data.string(), 100);
  for (const auto& line : bad) ADD_FAILURE() << line;
  fs::remove_all(data);
}

TEST(ReliabilitySlow, KillNineAHundredTimesOnPostgresLosesNoAcknowledgedWrite) {
  std::string why;
  auto dir = testdata_dir(&why);
  if (!dir || !fs::exists(*dir / "models" / "stories260K.gguf")) {
    if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
    GTEST_SKIP() << "stories260K.gguf not found in the test data (" << why << ")";
  }
  auto pg = PostgresServer::start();
  if (!pg.ok()) GTEST_SKIP() << "PostgreSQL tests skipped: " << pg.error().message;
  auto url = (*pg)->create_database("killloop");
  ASSERT_TRUE(url.ok()) << url.error().message;
  const auto bad = run_kill_loop(100, (*dir / "models" / "stories260K.gguf").string(), {"--db", *url}, 101);
  for (const auto& line : bad) ADD_FAILURE() << line;
}

}  // namespace
}  // namespace ondo::testing
