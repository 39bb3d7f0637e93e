// The gateway's keys end to end: `ondo admin keys create` writes keys into a data directory,
// `ondo serve` on that directory accepts them from the official openai npm client
// (node/gateway_client.mjs), refuses a model the key may not use (403), and refuses a key
// revoked by `ondo admin keys revoke` while it runs (401 naming why); /v1/admin/keys takes
// only the admin key.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "serve/serve_process.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;

class GatewayServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !fs::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    model_ = (*dir / "models" / "stories260K.gguf").string();
    if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
    if (!fs::exists(fs::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules" / "openai")) {
      GTEST_SKIP() << "openai missing (run scripts/setup: npm ci --prefix tests/serve/node)";
    }
    data_ = fs::temp_directory_path() / ("ondo-gateway-" + std::to_string(::getpid()));
    fs::remove_all(data_);
  }
  void TearDown() override {
    if (server_.pid() > 0) EXPECT_EQ(server_.stop(), 0) << server_.log();
    fs::remove_all(data_);
  }

  // `ondo admin keys create` with `extra` options; returns the printed JSON.
  nlohmann::json create_key(const std::string& extra) {
    CommandResult r = run_ondo("admin keys create --data-dir " + data_.string() + " " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  std::string client(const std::string& key, const std::string& expect, const std::string& text = "") {
    int rc = 0;
    const std::string out =
        run_node("gateway_client.mjs", server_.base_url() + "/v1 tiny " + key + " " + expect + " \"" + text + "\"", &rc);
    EXPECT_EQ(rc, 0) << expect << ":\n" << out << "\n" << server_.log();
    return out;
  }

  std::string model_;
  fs::path data_;
  ServeProcess server_;
};

TEST_F(GatewayServe, CreatedKeyWorksUntilRevoked) {
  const nlohmann::json good = create_key("--name e2e --models tiny --rpm 60 --meta team=blue");
  const nlohmann::json other = create_key("--models some-other-model");
  ASSERT_TRUE(good.contains("key") && other.contains("key")) << good.dump() << other.dump();
  const std::string secret = good["key"];
  EXPECT_EQ(secret.rfind("ondo-sk-", 0), 0u);

  // The secret is never listed again; the fields are.
  CommandResult list = run_ondo("admin keys list --data-dir " + data_.string());
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.find(secret), std::string::npos);
  EXPECT_NE(list.out.find("\"team\": \"blue\""), std::string::npos) << list.out;

  ASSERT_TRUE(server_.start({"-m", model_ + "=tiny", "-t", "1", "--data-dir", data_.string(), "--admin-key", "adm-secret"}))
      << server_.log();
  EXPECT_NE(client(secret, "ok").find("all checks passed"), std::string::npos);
  client(other["key"], "403", "not allowed for this API key");
  client("ondo-sk-k000000000000-0000000000000000000000000000000000000000", "401", "incorrect API key");

  // Admin routes: the admin key only.
  httplib::Client http("127.0.0.1", server_.port());
  auto denied = http.Get("/v1/admin/keys", {{"Authorization", "Bearer " + secret}});
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403) << denied->body;
  auto missing = http.Get("/v1/admin/keys");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401) << missing->body;
  auto listed = http.Get("/v1/admin/keys", {{"Authorization", "Bearer adm-secret"}});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  const auto body = nlohmann::json::parse(listed->body);
  ASSERT_EQ(body["data"].size(), 2u);
  const auto& first = body["data"][0]["id"] == good["id"] ? body["data"][0] : body["data"][1];
  EXPECT_EQ(first["id"], good["id"]);
  EXPECT_EQ(first["rpm"], 60);
  EXPECT_EQ(first["models"], nlohmann::json::array({"tiny"}));
  EXPECT_FALSE(first.contains("hash"));
  EXPECT_EQ(listed->body.find(secret), std::string::npos);

  // A key made over HTTP works too, and the HTTP revoke stops it.
  auto made = http.Post("/v1/admin/keys", {{"Authorization", "Bearer adm-secret"}}, R"({"name":"web","expires_in":3600})",
                        "application/json");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  const auto web = nlohmann::json::parse(made->body);
  client(web["key"], "ok");
  auto revoked = http.Delete("/v1/admin/keys/" + web["id"].get<std::string>(), {{"Authorization", "Bearer adm-secret"}});
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200) << revoked->body;
  client(web["key"], "401", "was revoked at");

  // Revoked from the command line while the server runs (same SQLite database).
  CommandResult rv = run_ondo("admin keys revoke " + good["id"].get<std::string>() + " --data-dir " + data_.string());
  ASSERT_EQ(rv.exit_code, 0) << rv.err;
  client(secret, "401", "API key '" + good["id"].get<std::string>() + "' was revoked at");
}

TEST_F(GatewayServe, BadCreateRequestsNameTheField) {
  ASSERT_TRUE(server_.start({"-m", model_ + "=tiny", "-t", "1", "--data-dir", data_.string(), "--admin-key", "adm"}))
      << server_.log();
  httplib::Client http("127.0.0.1", server_.port());
  const httplib::Headers admin = {{"Authorization", "Bearer adm"}};
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"rpm":-1})", "rpm"},
           {R"({"budget_period":"fortnight"})", "budget_period"},
           {R"({"models":[1]})", "models[0]"},
           {R"({"colour":"red"})", "colour"},
           {R"({"expires_at":1})", "expires_at"}}) {
    auto r = http.Post("/v1/admin/keys", admin, body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body << " -> " << r->body;
    EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["param"], field) << r->body;
  }
  auto none = http.Delete("/v1/admin/keys/knothere", admin);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404) << none->body;
  // Without a key, the API itself is closed once the server has a store.
  auto closed = http.Get("/v1/models");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->status, 401) << closed->body;
}

}  // namespace
}  // namespace ondo::testing
