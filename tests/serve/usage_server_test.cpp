// Usage end to end: a key made by `ondo admin keys create` chats and streams through the
// official openai npm client (node/usage_client.mjs), one stream cancelled by the client;
// then GET /v1/usage and /v1/usage/requests (admin key), their CSV, the key's own usage, and
// `ondo admin usage` on the same data directory show the rows with the tokens the client saw,
// the costs from the --prices file, and the cancelled one with finish "disconnected".
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <thread>

#include "serve/serve_process.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// USD per 1M tokens: one prompt token costs 1 000 000 nano-USD, cached 400 000, output 3 000 000.
constexpr const char* kPrices = R"({"tiny": {"input": 1000, "cached_input": 400, "output": 3000}, "*": {"input": 1}})";

int64_t expected_cost(const json& row) {
  const int64_t prompt = row["prompt_tokens"], cached = row["cached_tokens"], completion = row["completion_tokens"];
  return (prompt - cached) * 1000000 + cached * 400000 + completion * 3000000;
}

class UsageServe : public ::testing::Test {
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
    data_ = fs::temp_directory_path() / ("ondo-usage-serve-" + std::to_string(::getpid()));
    fs::remove_all(data_);
    fs::create_directories(data_);
    std::ofstream(data_ / "prices.json") << kPrices;
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
    fs::remove_all(data_);
  }

  json create_key() {
    CommandResult r = run_ondo("admin keys create --data-dir " + (data_ / "db").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  json node(const std::string& args) {
    int rc = 0;
    const std::string out = run_node("usage_client.mjs", server_.base_url() + "/v1 tiny " + args, &rc);
    EXPECT_EQ(rc, 0) << out << "\n" << server_.log();
    const size_t brace = out.rfind("\n{");
    return json::parse(brace == std::string::npos ? out : out.substr(brace + 1), nullptr, false);
  }

  httplib::Result get(const std::string& path, const std::string& key, httplib::Headers extra = {}) {
    httplib::Client http("127.0.0.1", server_.port());
    extra.emplace("Authorization", "Bearer " + key);
    return http.Get(path, extra);
  }

  std::string model_;
  fs::path data_;
  ServeProcess server_;
};

TEST_F(UsageServe, RowsRollupsCsvAndOwnUsage) {
  const json key = create_key();
  const json other = create_key();
  ASSERT_TRUE(key.contains("key") && other.contains("key"));
  const std::string id = key["id"];
  ASSERT_TRUE(server_.start({"-m", model_ + "=tiny", "-t", "1", "--data-dir", (data_ / "db").string(), "--admin-key",
                             "adm", "--prices", (data_ / "prices.json").string()}))
      << server_.log();

  const json seen = node(key["key"].get<std::string>() + " run");
  ASSERT_TRUE(seen.contains("chat")) << seen.dump();

  // The cancelled stream's row is written when the server notices the client is gone.
  json rows;
  for (int i = 0; i < 100; ++i) {  // bounded wait, not a timing check
    auto r = get("/v1/usage/requests", "adm");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    rows = json::parse(r->body)["data"];
    if (rows.size() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(rows.size(), 3u) << rows.dump() << "\n" << server_.log();
  const json* expect[] = {&seen["chat"], &seen["stream"]};
  int64_t cost_sum = 0, prompt_sum = 0, completion_sum = 0;
  for (size_t i = 0; i < 3; ++i) {
    const json& row = rows[i];
    EXPECT_EQ(row["key"], id);
    EXPECT_EQ(row["model"], "tiny");
    EXPECT_EQ(row["route"], "/v1/chat/completions");
    EXPECT_EQ(row["status"], 200);
    EXPECT_EQ(row["prompt"], "");
    EXPECT_EQ(row["request_id"].get<std::string>().rfind("req_", 0), 0u);
    EXPECT_LE(row["cached_tokens"].get<int64_t>(), row["prompt_tokens"].get<int64_t>());
    EXPECT_EQ(row["cost_nano_usd"], expected_cost(row)) << row.dump();
    EXPECT_GT(row["duration_ms"].get<double>(), 0.0);
    cost_sum += row["cost_nano_usd"].get<int64_t>();
    prompt_sum += row["prompt_tokens"].get<int64_t>();
    completion_sum += row["completion_tokens"].get<int64_t>();
    if (i < 2) {
      EXPECT_EQ(row["prompt_tokens"], (*expect[i])["prompt_tokens"]) << i;
      EXPECT_EQ(row["completion_tokens"], (*expect[i])["completion_tokens"]) << i;
      EXPECT_TRUE(row["finish_reason"] == "stop" || row["finish_reason"] == "length") << row.dump();
    }
  }
  EXPECT_EQ(rows[2]["finish_reason"], "disconnected") << rows[2].dump();
  EXPECT_GE(rows[2]["completion_tokens"].get<int64_t>(), 1);
  EXPECT_LT(rows[2]["completion_tokens"].get<int64_t>(), 400);

  // The rollups agree with the rows.
  auto totals = get("/v1/usage?group_by=model", "adm");
  ASSERT_TRUE(totals);
  ASSERT_EQ(totals->status, 200) << totals->body;
  const json t = json::parse(totals->body);
  ASSERT_EQ(t["data"].size(), 1u) << t.dump();
  const json& g = t["data"][0];
  EXPECT_EQ(g["model"], "tiny");
  EXPECT_EQ(g["requests"], 3);
  EXPECT_EQ(g["errors"], 0);
  EXPECT_EQ(g["prompt_tokens"], prompt_sum);
  EXPECT_EQ(g["completion_tokens"], completion_sum);
  EXPECT_EQ(g["cost_nano_usd"], cost_sum);
  EXPECT_EQ(t["total"]["cost_nano_usd"], cost_sum);
  EXPECT_GT(g["latency_ms"]["p50"].get<double>(), 0.0);

  // CSV: by format=csv and by Accept.
  auto csv = get("/v1/usage?group_by=key&format=csv", "adm");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.rfind("key,requests,errors,prompt_tokens", 0), 0u) << csv->body;
  EXPECT_NE(csv->body.find("\r\n" + id + ",3,0,"), std::string::npos) << csv->body;
  auto csv_rows = get("/v1/usage/requests", "adm", {{"Accept", "text/csv"}});
  ASSERT_TRUE(csv_rows);
  EXPECT_NE(csv_rows->body.find(",disconnected\r\n"), std::string::npos) << csv_rows->body;
  EXPECT_EQ(std::count(csv_rows->body.begin(), csv_rows->body.end(), '\n'), 4);

  // The key reads its own usage through the openai client; another key sees none of it.
  const json own = node(key["key"].get<std::string>() + " read " + other["id"].get<std::string>());
  EXPECT_EQ(own["total"]["requests"], 3) << own.dump();
  EXPECT_EQ(own["key"], id);
  auto theirs = get("/v1/usage", other["key"]);
  ASSERT_TRUE(theirs);
  ASSERT_EQ(theirs->status, 200) << theirs->body;
  EXPECT_EQ(json::parse(theirs->body)["total"]["requests"], 0);

  // `ondo admin usage` on the same store while the server runs.
  CommandResult cli = run_ondo("admin usage --data-dir " + (data_ / "db").string() + " --group-by key");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const json c = json::parse(cli.out, nullptr, false);
  ASSERT_TRUE(c.is_object()) << cli.out;
  EXPECT_EQ(c["total"]["cost_nano_usd"], cost_sum);
  EXPECT_EQ(c["data"][0]["key"], id);
  CommandResult cli_rows = run_ondo("admin usage requests --data-dir " + (data_ / "db").string() + " --format csv");
  ASSERT_EQ(cli_rows.exit_code, 0) << cli_rows.err;
  EXPECT_NE(cli_rows.out.find(",disconnected\r\n"), std::string::npos) << cli_rows.out;
}

TEST_F(UsageServe, BadQueriesNameTheParameterAndOthersAreRefused) {
  ASSERT_TRUE(server_.start({"-m", model_ + "=tiny", "-t", "1", "--data-dir", (data_ / "db").string(), "--admin-key", "adm"}))
      << server_.log();
  const struct {
    const char* path;
    const char* text;
  } cases[] = {
      {"/v1/usage?group_by=team", "unknown group 'team'"},
      {"/v1/usage?from=2026-13-01", "'2026-13-01' is not a date (expected YYYY-MM-DD)"},
      {"/v1/usage?from=2026-05-02&to=2026-05-01", "is after to"},
      {"/v1/usage?colour=red", "unknown query parameter"},
      {"/v1/usage?format=xml", "expected json or csv"},
      {"/v1/usage/requests?limit=0", "expected an integer from 1 to 1000"},
  };
  for (const auto& c : cases) {
    auto r = get(c.path, "adm");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.path << ": " << r->body;
    EXPECT_NE(r->body.find(c.text), std::string::npos) << c.path << ": " << r->body;
  }
  auto none = get("/v1/usage", "wrong");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  CommandResult bad = run_ondo("admin usage --data-dir " + (data_ / "db").string() + " --group-by colour");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("unknown group 'colour'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace ondo::testing
