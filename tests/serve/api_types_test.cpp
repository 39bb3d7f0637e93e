// Request parsing and validation: data-file cases (tests/serve/cases/*.json: body -> status,
// error substring, param), defaults, and a seeded mutation fuzz over malformed bodies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ondo/serve/api_types.h"
#include "ondo/serve/error_map.h"
#include "support/mutate_body.h"

namespace ondo::serve {
namespace {

using nlohmann::json;

struct Outcome {
  int status = 200;
  std::string message;
  std::string param;
};

Outcome run(const std::string& endpoint, const std::string& body) {
  Status st = ok_status();
  if (endpoint == "chat") {
    auto r = parse_chat_request(body);
    if (!r.ok()) st = r.error();
  } else {
    auto r = parse_completion_request(body);
    if (!r.ok()) st = r.error();
  }
  if (st.ok()) return {};
  ApiError e = to_api_error(st.error());
  return {e.status, e.message, e.param};
}

TEST(ApiCases, DataFiles) {
  const auto dir = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "cases";
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const json file = json::parse(in);
    const std::string endpoint = file.at("endpoint");
    for (const json& c : file.at("cases")) {
      const std::string name = entry.path().filename().string() + ": " + c.at("name").get<std::string>();
      const std::string body = c.contains("raw") ? c.at("raw").get<std::string>() : c.at("body").dump();
      const Outcome o = run(endpoint, body);
      EXPECT_EQ(o.status, c.at("status").get<int>()) << name << ": " << o.message;
      if (c.contains("error")) EXPECT_NE(o.message.find(c.at("error").get<std::string>()), std::string::npos) << name << ": " << o.message;
      if (c.contains("param")) {
        const std::string want = c.at("param").is_null() ? "" : c.at("param").get<std::string>();
        EXPECT_EQ(o.param, want) << name << ": " << o.message;
      }
      ++n;
    }
  }
  EXPECT_GE(n, 60);
}

TEST(ApiTypes, ChatDefaultsAndFields) {
  auto r = parse_chat_request(R"({"model":"m","messages":[{"role":"developer","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],
    "max_completion_tokens":7,"max_tokens":9,"stop":"END","seed":-1,"logprobs":true,"top_logprobs":3,"top_p":0,
    "stream":true,"stream_options":{"include_usage":true},"logit_bias":{"12":-100}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->messages[0]["role"], "system");
  EXPECT_EQ(r->messages[0]["content"], "ab");
  EXPECT_EQ(*r->gen.max_tokens, 7);  // max_completion_tokens wins
  EXPECT_EQ(r->gen.stop, std::vector<std::string>{"END"});
  EXPECT_EQ(r->gen.sampling.seed, ~uint64_t(0));
  EXPECT_TRUE(r->gen.seed_given);
  EXPECT_EQ(r->gen.n_logprobs, 3);
  EXPECT_EQ(r->gen.sampling.top_k, 1);  // top_p 0 keeps only the best token
  EXPECT_TRUE(r->gen.stream && r->gen.include_usage);
  ASSERT_EQ(r->gen.sampling.logit_bias.size(), 1u);
  EXPECT_EQ(r->gen.sampling.logit_bias[0].first, 12);
  auto d = parse_completion_request(R"({"model":"m","prompt":"x"})");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->gen.max_tokens.has_value());
  EXPECT_EQ(d->gen.n_logprobs, -1);
  EXPECT_FLOAT_EQ(d->gen.sampling.temperature, 1.0f);
  EXPECT_EQ(d->gen.sampling.top_k, 0);
}

// The field path is data on the Error, set where the field is checked: param comes from it,
// never from the message text.
TEST(ApiTypes, ErrorsCarryTheirFieldPath) {
  const std::pair<const char*, const char*> chat_cases[] = {
      {R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":7}]})",
       "messages[2].content"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url"}]}]})",
       "messages[0].content[1].type"},
      {R"({"model":"m","messages":[{"role":"user","content":"a"}],"logit_bias":{"42":500}})", "logit_bias.42"},
      {R"({"model":"m","messages":[{"role":"user","content":"a"}],"stop":["a",3]})", "stop[1]"},
      {R"({"model":"m","messages":[{"role":"user","content":"a"}],"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]})",
       "tools[0].function.parameters"},
      {R"({"model":"m","messages":[{"role":"user","content":"a"}],"stream":true,"stream_options":{"include_usage":"y"}})",
       "stream_options.include_usage"},
  };
  for (const auto& [body, field] : chat_cases) {
    auto r = parse_chat_request(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().field, field) << r.error().message;
    EXPECT_EQ(r.error().message.rfind(std::string(field) + ": ", 0), 0u) << r.error().message;
    EXPECT_EQ(to_api_error(r.error()).param, field);
  }
  auto c = parse_completion_request(R"({"model":"m","prompt":[[1,-2]]})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().field, "prompt[0][1]");
  auto malformed = parse_chat_request("{nope");
  ASSERT_FALSE(malformed.ok());
  EXPECT_TRUE(malformed.error().field.empty());
  // A message that merely looks like a path is not a field.
  EXPECT_EQ(to_api_error(make_error(ErrorCode::InvalidArgument, "messages[2].content: bad")).param, "");
}

// Seeded mutations of valid bodies (byte flips, truncations, splices, deep nesting): the
// parser must answer every one with a value or a 400-class error, never crash or throw.
TEST(ApiTypes, MalformedBodiesFuzz) {
  const std::vector<std::string> seeds = {
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stop":["a","b"],"logit_bias":{"1":2}})",
      R"({"model":"m","prompt":[1,2,3],"max_tokens":5,"logprobs":2,"stream":true,"stream_options":{"include_usage":true}})",
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],"temperature":0.5})",
  };
  std::mt19937 rng(1234);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string s = testing::mutate_body(seeds, rng, testing::kJsonMutationBytes);
    for (const char* endpoint : {"chat", "completions"}) {
      const Outcome o = run(endpoint, s);
      EXPECT_TRUE(o.status == 200 || o.status == 400) << o.status << " for " << s;
      errors += o.status != 200;
    }
  }
  EXPECT_GT(errors, 1000);  // the mutations do reach the error paths
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(run("chat", deep).status, 400);
}

}  // namespace
}  // namespace ondo::serve
