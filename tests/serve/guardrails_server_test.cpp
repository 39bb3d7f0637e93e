// Guardrails end to end: `ondo serve` with a store and policies made over the admin API,
// driven by the official openai npm client (node/guardrails_client.mjs). A global policy
// redacts e-mail addresses before the model sees them (the prompt's token count equals that of
// the same message with "[EMAIL]" written out, and differs from the raw message's count
// without the policy), blocks a Korean resident registration number with 400 and its reason
// code (a wrong check digit passes), redacts an e-mail address the model is forced (by a
// grammar) to write, streamed and blocking, and a policy named by the request blocks a forced
// RRN mid-stream with an error event; the decisions are listed by request id.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class GuardrailsServe : public ::testing::Test {
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
    data_ = fs::temp_directory_path() / ("ondo-guardrails-" + std::to_string(::getpid()));
    fs::remove_all(data_);
    ASSERT_TRUE(server_.start({"-m", model_ + "=tiny", "-t", "1", "--data-dir", data_.string(), "--admin-key", "adm"}))
        << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
    fs::remove_all(data_);
  }

  httplib::Result admin_post(const std::string& path, const json& body) {
    httplib::Client http("127.0.0.1", server_.port());
    return http.Post(path, {{"Authorization", "Bearer adm"}}, body.dump(), "application/json");
  }
  json admin_get(const std::string& path) {
    httplib::Client http("127.0.0.1", server_.port());
    auto r = http.Get(path, {{"Authorization", "Bearer adm"}});
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  // prompt_tokens of a one-message chat sent directly (no client), with the admin key.
  int prompt_tokens(const std::string& content) {
    httplib::Client http("127.0.0.1", server_.port());
    const json body = {{"model", "tiny"}, {"max_tokens", 1}, {"messages", {{{"role", "user"}, {"content", content}}}}};
    auto r = http.Post("/v1/chat/completions", {{"Authorization", "Bearer adm"}}, body.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r && r->status == 200 ? json::parse(r->body)["usage"]["prompt_tokens"].get<int>() : -1;
  }
  // The reasons of the decisions of `request_id`, as "stage/action/reason".
  std::vector<std::string> decisions(const std::string& request_id) {
    std::vector<std::string> out;
    const json list = admin_get("/v1/guardrails/decisions?request_id=" + request_id);
    for (const auto& d : list["data"]) {
      out.push_back(d["stage"].get<std::string>() + "/" + d["action"].get<std::string>() + "/" + d["reason"].get<std::string>());
    }
    return out;
  }

  std::string model_;
  fs::path data_;
  ServeProcess server_;
};

using V = std::vector<std::string>;

TEST_F(GuardrailsServe, RedactsBlocksAndRecordsWithTheOpenAIClient) {
  const int raw = prompt_tokens("Write to bob.kim@example.com please");  // no policy yet
  const json pii = {{"name", "pii"},
                    {"rules", {{{"type", "pii"}, {"detector", "email"}, {"action", "redact"}},
                               {{"type", "pii"}, {"detector", "kr_rrn"}, {"action", "block"}, {"stages", {"input"}}}}}};
  auto made = admin_post("/v1/guardrails", pii);
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  const json out_rrn = {{"name", "output-rrn"},
                        {"rules", {{{"type", "pii"}, {"detector", "kr_rrn"}, {"action", "block"}, {"stages", {"output"}}}}}};
  ASSERT_EQ(admin_post("/v1/guardrails", out_rrn)->status, 201);
  auto attached = admin_post("/v1/guardrails/attach", {{"policy", "pii"}, {"scope", "global"}});
  ASSERT_TRUE(attached);
  ASSERT_EQ(attached->status, 200) << attached->body;

  int rc = 0;
  const std::string printed = run_node("guardrails_client.mjs", server_.base_url() + "/v1 tiny adm", &rc);
  ASSERT_EQ(rc, 0) << printed << "\n" << server_.log();
  const json r = json::parse(printed.substr(printed.find('{')), nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << printed;

  // Input redaction: the model saw "[EMAIL]", not the address.
  EXPECT_EQ(r["mail"]["prompt_tokens"], r["placeholder"]["prompt_tokens"]) << printed;
  EXPECT_NE(r["mail"]["prompt_tokens"].get<int>(), raw) << printed;
  EXPECT_EQ(decisions(r["mail"]["request_id"].get<std::string>()), V{"input/redact/guardrail.pii.email"});

  // Input block: 400 with the reason code; a wrong check digit is not an RRN.
  EXPECT_EQ(r["rrn"]["status"], 400) << printed;
  EXPECT_EQ(r["rrn"]["kind"], "BadRequestError");
  EXPECT_EQ(r["rrn"]["code"], "guardrail.pii.kr_rrn");
  EXPECT_EQ(r["rrn"]["param"], "messages[0].content");
  EXPECT_EQ(r["wrong_check_digit"]["status"], 200);

  // Output redaction, streamed and blocking: the forced address never leaves the server.
  EXPECT_EQ(r["stream"]["text"], "Mail [EMAIL] now.") << printed;
  for (const auto& piece : r["stream"]["pieces"]) EXPECT_EQ(piece.get<std::string>().find('@'), std::string::npos);
  EXPECT_GT(r["stream"]["pieces"].size(), 2u);  // it streamed in pieces
  EXPECT_EQ(decisions(r["stream"]["request_id"].get<std::string>()), V{"output/redact/guardrail.pii.email"});
  EXPECT_EQ(r["blocking"]["text"], "Mail [EMAIL] now.") << printed;
  EXPECT_EQ(decisions(r["blocking"]["request_id"].get<std::string>()), V{"output/redact/guardrail.pii.email"});

  // A policy named by the request blocks the forced RRN mid-stream; no digit of it was sent.
  EXPECT_EQ(r["stream_block"]["ended"], "error") << printed;
  EXPECT_EQ(r["stream_block"]["code"], "guardrail.pii.kr_rrn") << printed;
  EXPECT_EQ(r["stream_block"]["text"].get<std::string>().find("900101"), std::string::npos) << printed;

  // The decisions are listed by time too, and keep no matched text.
  const json all = admin_get("/v1/guardrails/decisions?from=0");
  EXPECT_GE(all["data"].size(), 5u);
  EXPECT_EQ(all.dump().find("example.com"), std::string::npos);
  EXPECT_EQ(all.dump().find("1234568"), std::string::npos);
}

TEST_F(GuardrailsServe, AdminRoutesCheckTheirInput) {
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"name", "p"}, {"rules", {{{"type", "pii"}, {"detector", "ssn"}, {"action", "block"}}}}}, "rules[0].detector"},
           {{{"name", "p"}, {"rules", {{{"type", "regex"}, {"pattern", "(a"}, {"action", "flag"}}}}}, ""},
           {{{"name", "bad name"}, {"rules", json::array()}}, "name"}}) {
    auto r = admin_post("/v1/guardrails", body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    if (!field.empty()) EXPECT_EQ(json::parse(r->body)["error"]["param"], field) << r->body;
  }
  auto none = admin_post("/v1/guardrails/attach", {{"policy", "nope"}, {"scope", "global"}});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404) << none->body;
  auto scope = admin_post("/v1/guardrails/attach", {{"policy", "nope"}, {"scope", "team"}});
  ASSERT_TRUE(scope);
  EXPECT_EQ(scope->status, 400) << scope->body;
  // Only the admin key may use the guardrails routes; a request naming an unknown policy is 404.
  httplib::Client http("127.0.0.1", server_.port());
  auto anon = http.Get("/v1/guardrails");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  const json chat = {{"model", "tiny"}, {"guardrails", "nope"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  auto unknown = http.Post("/v1/chat/completions", {{"Authorization", "Bearer adm"}}, chat.dump(), "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  EXPECT_EQ(json::parse(unknown->body)["error"]["param"], "guardrails");
  // Created, read, deleted.
  ASSERT_EQ(admin_post("/v1/guardrails", {{"name", "p"}, {"rules", json::array()}})->status, 201);
  EXPECT_EQ(admin_post("/v1/guardrails", {{"name", "p"}, {"rules", json::array()}})->status, 200);  // replaced
  EXPECT_EQ(admin_get("/v1/guardrails/p")["name"], "p");
  auto del = http.Delete("/v1/guardrails/p", {{"Authorization", "Bearer adm"}});
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(admin_get("/v1/guardrails")["data"].size(), 0u);
}

TEST_F(GuardrailsServe, KeyAttachedPolicyAppliesToThatKeyOnly) {
  auto made = admin_post("/v1/admin/keys", {{"name", "team"}});
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  const json key = json::parse(made->body);
  const json team = {{"name", "team"},
                     {"rules", {{{"id", "words"}, {"type", "blocklist"}, {"words", {"project falcon"}}, {"action", "block"}}}}};
  ASSERT_EQ(admin_post("/v1/guardrails", team)->status, 201);
  auto attached = admin_post("/v1/guardrails/attach", {{"policy", "team"}, {"scope", "key"}, {"target", key["id"]}});
  ASSERT_TRUE(attached);
  ASSERT_EQ(attached->status, 200) << attached->body;
  auto unknown_key = admin_post("/v1/guardrails/attach", {{"policy", "team"}, {"scope", "key"}, {"target", "k000000000000"}});
  ASSERT_TRUE(unknown_key);
  EXPECT_EQ(unknown_key->status, 404) << unknown_key->body;

  httplib::Client http("127.0.0.1", server_.port());
  const json chat = {{"model", "tiny"}, {"max_tokens", 1},
                     {"messages", {{{"role", "user"}, {"content", "Tell me about Project  FALCON."}}}}};
  auto with_key = http.Post("/v1/chat/completions", {{"Authorization", "Bearer " + key["key"].get<std::string>()}},
                            chat.dump(), "application/json");
  ASSERT_TRUE(with_key);
  EXPECT_EQ(with_key->status, 400) << with_key->body;
  EXPECT_EQ(json::parse(with_key->body)["error"]["code"], "guardrail.blocklist.words") << with_key->body;
  const std::string id = with_key->get_header_value("x-request-id");
  const json list = admin_get("/v1/guardrails/decisions?request_id=" + id);
  ASSERT_EQ(list["data"].size(), 1u) << list.dump();
  EXPECT_EQ(list["data"][0]["key_id"], key["id"]);
  auto other = http.Post("/v1/chat/completions", {{"Authorization", "Bearer adm"}}, chat.dump(), "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << other->body;  // not that key: the policy does not apply
  // Detached: the key passes too.
  ASSERT_EQ(admin_post("/v1/guardrails/detach", {{"policy", "team"}, {"scope", "key"}, {"target", key["id"]}})->status, 200);
  auto after = http.Post("/v1/chat/completions", {{"Authorization", "Bearer " + key["key"].get<std::string>()}},
                         chat.dump(), "application/json");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200) << after->body;
}

}  // namespace
}  // namespace ondo::testing
