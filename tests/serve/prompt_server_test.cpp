// The prompt registry end to end: `ondo serve` with a data directory and an admin key; the
// official openai npm client (node/prompt_client.mjs) creates a prompt, two versions and
// moves labels with the admin key, then chats with a store key through the `prompt` field
// (x-ondo-prompt, the rendered prompt reaching the model, weighted split, 400s and 404s).
// Raw HTTP checks the routes' errors and that the access log records name@version.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "serve/serve_process.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;

class PromptServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !fs::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    model_ = (*dir / "models" / "stories260K.gguf").string();
    data_ = fs::temp_directory_path() / ("ondo-prompt-serve-" + std::to_string(::getpid()));
    fs::remove_all(data_);
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
    fs::remove_all(data_);
  }
  bool start() {
    return server_.start({"-m", model_ + "=tiny", "-t", "1", "--data-dir", data_.string(), "--admin-key", "adm"});
  }

  std::string model_;
  fs::path data_;
  ServeProcess server_;
};

TEST_F(PromptServe, OfficialClientCreatesVersionsMovesLabelsAndChats) {
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  if (!fs::exists(fs::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules" / "openai")) {
    GTEST_SKIP() << "openai missing (run scripts/setup: npm ci --prefix tests/serve/node)";
  }
  CommandResult key = run_ondo("admin keys create --name prompts --data-dir " + data_.string());
  ASSERT_EQ(key.exit_code, 0) << key.err;
  const std::string secret = nlohmann::json::parse(key.out)["key"];
  ASSERT_TRUE(start()) << server_.log();
  int rc = 0;
  const std::string out = run_node("prompt_client.mjs", server_.base_url() + "/v1 tiny adm " + secret, &rc);
  EXPECT_EQ(rc, 0) << out << "\n" << server_.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
  // The request record names the version that served each chat.
  EXPECT_NE(server_.log().find("prompt=greet@1"), std::string::npos) << server_.log();
  EXPECT_NE(server_.log().find("prompt=greet@2"), std::string::npos) << server_.log();
}

TEST_F(PromptServe, RoutesNameWhatIsWrong) {
  ASSERT_TRUE(start()) << server_.log();
  httplib::Client http("127.0.0.1", server_.port());
  const httplib::Headers admin = {{"Authorization", "Bearer adm"}};
  auto post = [&](const std::string& path, const std::string& body) {
    auto r = http.Post(path, admin, body, "application/json");
    EXPECT_TRUE(r) << path;
    return r ? std::make_pair(r->status, nlohmann::json::parse(r->body, nullptr, false)) : std::make_pair(0, nlohmann::json());
  };
  EXPECT_EQ(post("/v1/prompts", R"({"name":"t"})").first, 201);
  auto dup = post("/v1/prompts", R"({"name":"t"})");
  EXPECT_EQ(dup.first, 400);
  EXPECT_EQ(dup.second["error"]["param"], "name") << dup.second.dump();
  auto bad_name = post("/v1/prompts", R"({"name":"a b"})");
  EXPECT_EQ(bad_name.first, 400);
  auto bad_version = post("/v1/prompts/t/versions", R"({"system":"{{ x","note":"n"})");
  EXPECT_EQ(bad_version.first, 400);
  EXPECT_EQ(bad_version.second["error"]["param"], "system") << bad_version.second.dump();
  auto ghost = post("/v1/prompts/ghost/versions", R"({"system":"x"})");
  EXPECT_EQ(ghost.first, 404) << ghost.second.dump();
  EXPECT_EQ(post("/v1/prompts/t/versions", R"({"system":"x"})").first, 201);
  auto no_version = http.Put("/v1/prompts/t/labels/production", admin, R"({"version":4})", "application/json");
  ASSERT_TRUE(no_version);
  EXPECT_EQ(no_version->status, 404) << no_version->body;
  EXPECT_NE(no_version->body.find("no version 4"), std::string::npos) << no_version->body;
  auto bad_weight = post("/v1/prompts/t/labels/ab", R"({"versions":[{"version":1,"weight":0}]})");
  EXPECT_EQ(bad_weight.first, 400);
  EXPECT_EQ(bad_weight.second["error"]["param"], "versions[0].weight") << bad_weight.second.dump();
  auto nowhere = post("/v1/prompts/t/elsewhere", "{}");
  EXPECT_EQ(nowhere.first, 404);
  auto get = http.Get("/v1/prompts/t/versions/7", admin);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 404) << get->body;
  auto diff = http.Get("/v1/prompts/t/diff?from=1", admin);
  ASSERT_TRUE(diff);
  EXPECT_EQ(diff->status, 400) << diff->body;
  // Writes need the admin key; without any key nothing is read either.
  auto anonymous = http.Get("/v1/prompts");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401) << anonymous->body;
  // A chat naming a prompt with a bad reference is refused before the model runs.
  auto chat = post("/v1/chat/completions", R"({"model":"tiny","prompt":{"name":"t","version":"one"}})");
  EXPECT_EQ(chat.first, 400);
  EXPECT_EQ(chat.second["error"]["param"], "prompt.version") << chat.second.dump();
}

// The Anthropic Messages routes take the same field: count_tokens sees exactly the rendered
// prompt, and a message names the version in x-ondo-prompt; errors come in Anthropic's shape.
TEST_F(PromptServe, AnthropicMessagesUseThePromptField) {
  ASSERT_TRUE(start()) << server_.log();
  httplib::Client http("127.0.0.1", server_.port());
  const httplib::Headers admin = {{"x-api-key", "adm"}};
  ASSERT_EQ(http.Post("/v1/prompts", admin, R"({"name":"story"})", "application/json")->status, 201);
  auto made = http.Post("/v1/prompts/story/versions", admin,
                        R"({"system":"You tell tales about {{ hero }}.","messages":[{"role":"user","content":"Begin, {{ hero }}."}],)"
                        R"("variables":{"hero":"string"},"params":{"max_tokens":5,"temperature":0}})",
                        "application/json");
  ASSERT_EQ(made->status, 201) << made->body;
  auto counted = http.Post("/v1/messages/count_tokens", admin,
                           R"({"model":"tiny","prompt":{"name":"story","variables":{"hero":"Tim"}}})", "application/json");
  ASSERT_TRUE(counted);
  ASSERT_EQ(counted->status, 200) << counted->body;
  auto plain = http.Post("/v1/messages/count_tokens", admin,
                         R"({"model":"tiny","system":"You tell tales about Tim.","messages":[{"role":"user","content":"Begin, Tim."}]})",
                         "application/json");
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200) << plain->body;
  EXPECT_EQ(nlohmann::json::parse(counted->body)["input_tokens"], nlohmann::json::parse(plain->body)["input_tokens"]);
  auto message = http.Post("/v1/messages", admin, R"({"model":"tiny","prompt":{"name":"story","variables":{"hero":"Tim"}}})",
                           "application/json");
  ASSERT_TRUE(message);
  ASSERT_EQ(message->status, 200) << message->body;  // max_tokens came from the version
  EXPECT_EQ(message->get_header_value("x-ondo-prompt"), "story@1");
  EXPECT_LE(nlohmann::json::parse(message->body)["usage"]["output_tokens"].get<int>(), 5);
  auto missing = http.Post("/v1/messages", admin, R"({"model":"tiny","prompt":{"name":"story"}})", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400) << missing->body;
  const auto error = nlohmann::json::parse(missing->body);
  EXPECT_EQ(error["type"], "error") << missing->body;
  EXPECT_NE(error["error"]["message"].get<std::string>().find("prompt.variables.hero: missing"), std::string::npos) << missing->body;
}

// A guardrail policy attached to a prompt applies to the chats that render that prompt and to
// no others: a Korean resident registration number in the variables is blocked (400 with the
// reason code) only through the prompt.
TEST_F(PromptServe, GuardrailPolicyAttachedToThePromptAppliesToItsChats) {
  ASSERT_TRUE(start()) << server_.log();
  httplib::Client http("127.0.0.1", server_.port());
  const httplib::Headers admin = {{"Authorization", "Bearer adm"}};
  auto post = [&](const std::string& path, const std::string& body) {
    auto r = http.Post(path, admin, body, "application/json");
    EXPECT_TRUE(r) << path;
    return r ? std::make_pair(r->status, nlohmann::json::parse(r->body, nullptr, false)) : std::make_pair(0, nlohmann::json());
  };
  ASSERT_EQ(post("/v1/prompts", R"({"name":"intake"})").first, 201);
  ASSERT_EQ(post("/v1/prompts/intake/versions",
                 R"({"messages":[{"role":"user","content":"Patient id {{ id }}."}],"variables":{"id":"string"},)"
                 R"("params":{"max_tokens":3,"temperature":0}})")
                .first,
            201);
  ASSERT_EQ(post("/v1/guardrails", R"({"name":"no-rrn","rules":[{"type":"pii","detector":"kr_rrn","action":"block"}]})").first,
            201);
  ASSERT_EQ(post("/v1/guardrails/attach", R"({"policy":"no-rrn","scope":"prompt","target":"intake"})").first, 200);
  // 900101-1234568: a valid check digit ((11 - 124 % 11) % 10 = 8).
  auto blocked = post("/v1/chat/completions",
                      R"({"model":"tiny","prompt":{"name":"intake","version":1,"variables":{"id":"900101-1234568"}}})");
  EXPECT_EQ(blocked.first, 400) << blocked.second.dump();
  EXPECT_EQ(blocked.second["error"]["code"], "guardrail.pii.kr_rrn") << blocked.second.dump();
  auto clean = post("/v1/chat/completions", R"({"model":"tiny","prompt":{"name":"intake","version":1,"variables":{"id":"A-17"}}})");
  EXPECT_EQ(clean.first, 200) << clean.second.dump();
  auto plain = post("/v1/chat/completions",
                    R"({"model":"tiny","max_tokens":3,"messages":[{"role":"user","content":"Patient id 900101-1234568."}]})");
  EXPECT_EQ(plain.first, 200) << plain.second.dump();
}

}  // namespace
}  // namespace ondo::testing
