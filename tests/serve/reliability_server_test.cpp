// Reliability of `ondo serve` on its store (issue 15.9), short variants for the default
// suite: a kill -9 loop of 5 kills under a steady write load (kill_loop.h; the 100-kill loop
// is reliability_slow_test.cpp), and a store unreachable at start is a clear error.
#include <gtest/gtest.h>
#include <unistd.h>

#include "serve/kill_loop.h"
#include "support/postgres_server.h"
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

TEST(Reliability, PostgresGoneMidRunFailsClosedWith503) {
  auto model = tiny_model();
  if (!model) GTEST_SKIP() << "stories260K.gguf not found in the test data";
  auto pg = PostgresServer::start();
  if (!pg.ok()) GTEST_SKIP() << "PostgreSQL tests skipped: " << pg.error().message;
  auto url = (*pg)->create_database("midrun");
  ASSERT_TRUE(url.ok()) << url.error().message;
  ServeProcess server;
  ASSERT_TRUE(server.start({"-m", *model + "=tiny", "-t", "1", "--ctx", "256", "--db", *url, "--admin-key", "adm",
                            "--cache-ttl", "60"}))
      << server.log();
  httplib::Client c("127.0.0.1", server.port());
  c.set_read_timeout(30, 0);
  auto made = c.Post("/v1/admin/keys", admin_headers(), "{}", "application/json");
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string secret = nlohmann::json::parse(made->body)["key"];
  const httplib::Headers as_key = {{"Authorization", "Bearer " + secret}};
  const std::string chat = R"({"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":2})";
  auto before = c.Post("/v1/chat/completions", as_key, chat, "application/json");
  ASSERT_EQ(before->status, 200) << before->body;

  ASSERT_TRUE((*pg)->stop().ok());
  for (int i = 0; i < 3; ++i) {  // pooled connections are found broken one by one: each fails closed
    auto r = c.Post("/v1/chat/completions", as_key, chat, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503) << r->body;
    const auto err = nlohmann::json::parse(r->body)["error"];
    EXPECT_EQ(err["type"], "server_error");
    EXPECT_NE(err["message"].get<std::string>().find("postgres://"), std::string::npos) << r->body;  // names the store
  }
  auto admin = c.Post("/v1/admin/keys", admin_headers(), "{}", "application/json");
  EXPECT_EQ(admin->status, 503) << admin->body;
  EXPECT_EQ(server.stop(), 0) << server.log();
}

}  // namespace
}  // namespace ondo::testing
