// Limits across replicas (issue 15 points 3 and 8): two `ondo serve` replicas on one
// throwaway PostgreSQL (tests/support/postgres_server.h) share one counter, so 16 concurrent
// clients spread over both get exactly a key's RPM and TPM; the official openai client sees
// the x-ratelimit-* headers and a 429 with Retry-After. Skips without PostgreSQL, node or
// the test model.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "serve/serve_process.h"
#include "support/postgres_server.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;

class LimitsReplicas : public ::testing::Test {
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
    auto pg = PostgresServer::start();
    if (!pg.ok()) GTEST_SKIP() << "PostgreSQL tests skipped: " << pg.error().message;
    pg_ = std::move(*pg);
    auto url = pg_->create_database("replicas");
    ASSERT_TRUE(url.ok()) << url.error().message;
    url_ = *url;
  }
  void TearDown() override {
    for (ServeProcess* s : {&a_, &b_}) {
      if (s->pid() > 0) EXPECT_EQ(s->stop(), 0) << s->log();
    }
  }

  std::string create_key(const std::string& extra) {
    CommandResult r = run_ondo("admin keys create --db '" + url_ + "' --models tiny " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() && j.contains("key") ? j["key"].get<std::string>() : "";
  }

  void start_replicas() {
    const std::vector<std::string> args = {"-m", model_ + "=tiny", "-t", "1", "--ctx", "256", "--db", url_,
                                           "--admin-key", "adm"};
    ASSERT_TRUE(a_.start(args)) << a_.log();
    ASSERT_TRUE(b_.start(args)) << b_.log();
  }

  // Waits (bounded) until the current minute window has at least 20 s left, so that a burst
  // runs inside one window (the counters are per Unix minute).
  static void wait_for_fresh_window() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const int64_t into = std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 60000;
    if (into > 40000) std::this_thread::sleep_for(std::chrono::milliseconds(60000 - into + 500));
  }

  // 16 clients, `per` requests each, alternating replicas; counts 200s and 429s.
  std::pair<int, int> burst(const std::string& key, int per, const std::string& body) {
    std::atomic<int> ok{0}, limited{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < per; ++i) {
          httplib::Client c("127.0.0.1", (t + i) % 2 ? a_.port() : b_.port());
          c.set_read_timeout(120);
          auto r = c.Post("/v1/chat/completions", {{"Authorization", "Bearer " + key}}, body, "application/json");
          if (r && r->status == 200) ++ok;
          else if (r && r->status == 429 && r->has_header("Retry-After")) ++limited;
          else ++other;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(other.load(), 0);
    return {ok.load(), limited.load()};
  }

  std::string model_;
  std::unique_ptr<PostgresServer> pg_;
  std::string url_;
  ServeProcess a_, b_;
};

constexpr const char* kBody =
    R"({"model":"tiny","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":4,"ignore_eos":true})";

TEST_F(LimitsReplicas, RpmAndTpmAreExactAcrossTwoReplicas) {
  const std::string rpm_key = create_key("--rpm 13");
  ASSERT_FALSE(rpm_key.empty());
  start_replicas();

  // The prompt's size, from an unlimited caller (the admin key).
  httplib::Client c("127.0.0.1", a_.port());
  auto probe = c.Post("/v1/chat/completions", {{"Authorization", "Bearer adm"}}, kBody, "application/json");
  ASSERT_TRUE(probe && probe->status == 200) << (probe ? probe->body : "no answer");
  const auto usage = nlohmann::json::parse(probe->body)["usage"];
  ASSERT_EQ(usage["completion_tokens"], 4) << probe->body;  // ignore_eos: use == reservation
  const int per_request = usage["prompt_tokens"].get<int>() + 4;
  const std::string tpm_key = create_key("--tpm " + std::to_string(per_request * 9 + per_request / 2));
  ASSERT_FALSE(tpm_key.empty());

  wait_for_fresh_window();
  auto [rpm_ok, rpm_limited] = burst(rpm_key, 3, kBody);
  EXPECT_EQ(rpm_ok, 13);
  EXPECT_EQ(rpm_limited, 48 - 13);
  auto [tpm_ok, tpm_limited] = burst(tpm_key, 2, kBody);
  EXPECT_EQ(tpm_ok, 9);
  EXPECT_EQ(tpm_limited, 32 - 9);

  // Every response of a limited key carries the headers, a refusal too.
  auto r = c.Post("/v1/chat/completions", {{"Authorization", "Bearer " + rpm_key}}, kBody, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << r->body;
  EXPECT_EQ(r->get_header_value("x-ratelimit-limit-requests"), "13");
  EXPECT_EQ(r->get_header_value("x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "rate_limit_exceeded") << r->body;
  auto models = c.Get("/v1/models", {{"Authorization", "Bearer " + rpm_key}});
  ASSERT_TRUE(models);
  EXPECT_EQ(models->get_header_value("x-ratelimit-limit-requests"), "13");
}

TEST_F(LimitsReplicas, OpenAiClientSeesHeadersAndRetryAfter) {
  const std::string key = create_key("--rpm 3 --tpm 100000");
  ASSERT_FALSE(key.empty());
  start_replicas();
  wait_for_fresh_window();
  int rc = 0;
  const std::string out = run_node("limits_client.mjs", a_.base_url() + "/v1 tiny " + key + " 3", &rc);
  EXPECT_EQ(rc, 0) << out << "\n" << a_.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

TEST_F(LimitsReplicas, BudgetRefusalIsInsufficientQuotaInTheFamilyShape) {
  const std::string budget = create_key("--budget-tokens 100 --budget-period day");
  ASSERT_FALSE(budget.empty());
  start_replicas();
  httplib::Client c("127.0.0.1", b_.port());
  // max_tokens alone (reserved at admission) is over the budget: insufficient_quota.
  auto r = c.Post("/v1/chat/completions", {{"Authorization", "Bearer " + budget}},
                  R"({"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":200})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << r->body;
  const auto err = nlohmann::json::parse(r->body)["error"];
  EXPECT_EQ(err["type"], "insufficient_quota") << r->body;
  EXPECT_EQ(err["code"], "insufficient_quota") << r->body;
  EXPECT_NE(err["message"].get<std::string>().find("of its 100 tokens per day"), std::string::npos) << r->body;
  EXPECT_TRUE(r->has_header("Retry-After"));
  // Within budget it runs; the Anthropic family answers a refusal in its own shape.
  auto ok = c.Post("/v1/chat/completions", {{"Authorization", "Bearer " + budget}}, kBody, "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  auto msg = c.Post("/v1/messages", {{"x-api-key", budget}, {"anthropic-version", "2023-06-01"}},
                    R"({"model":"tiny","max_tokens":200,"messages":[{"role":"user","content":"Hi"}]})", "application/json");
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->status, 429) << msg->body;
  EXPECT_EQ(nlohmann::json::parse(msg->body)["type"], "error") << msg->body;
}

}  // namespace
}  // namespace ondo::testing
