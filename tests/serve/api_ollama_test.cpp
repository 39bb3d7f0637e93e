// Ollama request parsing (serve/api_ollama.h): every field of /api/generate, /api/chat and
// /api/show translated into the OpenAI requests, Ollama's defaults, bad inputs refused with
// errors that name the Ollama field, and a seeded mutation fuzz over malformed bodies.
#include <gtest/gtest.h>

#include <random>

#include "ondo/serve/api_ollama.h"
#include "ondo/serve/error_map.h"
#include "support/mutate_body.h"

namespace ondo::serve {
namespace {

// The error of a body that must fail: its field and code.
Error failure(const Result<OllamaRequest>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

void expect_error(const Result<OllamaRequest>& r, const std::string& field, ErrorCode code = ErrorCode::InvalidArgument) {
  const Error e = failure(r);
  EXPECT_EQ(e.field, field) << e.message;
  EXPECT_EQ(e.code, code) << e.message;
  EXPECT_EQ(e.message.rfind(field + ": ", 0), 0u) << e.message;  // the message starts with the Ollama path
}

TEST(OllamaGenerate, PromptBecomesAUserMessageWithOllamaDefaults) {
  auto r = parse_ollama_generate(R"({"model":"tiny","prompt":"Hello"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->model, "tiny");
  EXPECT_TRUE(r->stream);  // Ollama streams unless told not to
  EXPECT_FALSE(r->raw);
  EXPECT_FALSE(r->load_only);
  ASSERT_EQ(r->chat.messages.size(), 1u);
  EXPECT_EQ(r->chat.messages[0]["role"], "user");
  EXPECT_EQ(r->chat.messages[0]["content"], "Hello");
  const auto& s = r->chat.gen.sampling;
  EXPECT_FLOAT_EQ(s.temperature, 0.8f);
  EXPECT_EQ(s.top_k, 40);
  EXPECT_FLOAT_EQ(s.top_p, 0.9f);
  EXPECT_FLOAT_EQ(s.repeat_penalty, 1.1f);
  EXPECT_EQ(s.repeat_last_n, 64);
  EXPECT_FALSE(r->chat.gen.max_tokens.has_value());
  EXPECT_FALSE(r->chat.gen.seed_given);
  EXPECT_EQ(r->chat.gen.constraint.kind, OutputConstraint::Kind::None);
}

// llama-server's "lora" on both endpoints, as chat completions read it.
TEST(OllamaGenerate, LoraPicksAdaptersOnBothEndpoints) {
  auto g = parse_ollama_generate(R"({"model":"tiny","prompt":"Hello","lora":[{"name":"tuned","scale":0.5}]})");
  ASSERT_TRUE(g.ok()) << g.error().message;
  ASSERT_EQ(g->chat.gen.lora.size(), 1u);
  EXPECT_EQ(g->chat.gen.lora[0].name, "tuned");
  EXPECT_FLOAT_EQ(*g->chat.gen.lora[0].scale, 0.5f);
  auto raw = parse_ollama_generate(R"({"model":"tiny","prompt":"Hello","raw":true,"lora":[{"id":1}]})");
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  ASSERT_EQ(raw->completion.gen.lora.size(), 1u);
  EXPECT_EQ(raw->completion.gen.lora[0].id, 1);
  auto c = parse_ollama_chat(R"({"model":"tiny","messages":[{"role":"user","content":"x"}],"lora":[{"id":0}]})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->chat.gen.lora.size(), 1u);
  expect_error(parse_ollama_chat(R"({"model":"tiny","messages":[{"role":"user","content":"x"}],"lora":[{"id":0,"name":"a"}]})"),
               "lora[0]");
}

TEST(OllamaGenerate, SystemComesFirstAndStreamFalseIsKept) {
  auto r = parse_ollama_generate(R"({"model":"m","prompt":"p","system":"be brief","stream":false})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->stream);
  EXPECT_FALSE(r->chat.gen.stream);
  ASSERT_EQ(r->chat.messages.size(), 2u);
  EXPECT_EQ(r->chat.messages[0]["role"], "system");
  EXPECT_EQ(r->chat.messages[0]["content"], "be brief");
  EXPECT_EQ(r->chat.messages[1]["content"], "p");
}

TEST(OllamaGenerate, RawSendsThePromptAsIs) {
  auto r = parse_ollama_generate(R"({"model":"m","prompt":"[INST] hi [/INST]","raw":true,"system":"ignored"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->raw);
  EXPECT_FALSE(r->completion.prompt_is_tokens);
  EXPECT_EQ(r->completion.prompt_text, "[INST] hi [/INST]");
  EXPECT_FLOAT_EQ(r->completion.gen.sampling.temperature, 0.8f);
}

TEST(OllamaGenerate, NoPromptIsALoadRequest) {
  auto r = parse_ollama_generate(R"({"model":"m"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->load_only);
  auto empty = parse_ollama_generate(R"({"model":"m","prompt":"","keep_alive":0})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->load_only);
}

TEST(OllamaGenerate, EveryOptionMapsToSampling) {
  auto r = parse_ollama_generate(R"({"model":"m","prompt":"p","options":{
      "temperature":0.25,"top_k":7,"top_p":0.5,"min_p":0.1,"seed":42,"num_predict":12,"stop":["\n","user:"],
      "repeat_penalty":1.3,"repeat_last_n":16,"presence_penalty":0.5,"frequency_penalty":-0.5,"num_ctx":1024,
      "mirostat":1,"num_gpu":1,"penalize_newline":true,"numa":false}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& g = r->chat.gen;
  EXPECT_FLOAT_EQ(g.sampling.temperature, 0.25f);
  EXPECT_EQ(g.sampling.top_k, 7);
  EXPECT_FLOAT_EQ(g.sampling.top_p, 0.5f);
  EXPECT_FLOAT_EQ(g.sampling.min_p, 0.1f);
  EXPECT_TRUE(g.seed_given);
  EXPECT_EQ(g.sampling.seed, 42u);
  ASSERT_TRUE(g.max_tokens.has_value());
  EXPECT_EQ(*g.max_tokens, 12);
  EXPECT_EQ(g.stop, (std::vector<std::string>{"\n", "user:"}));
  EXPECT_FLOAT_EQ(g.sampling.repeat_penalty, 1.3f);
  EXPECT_EQ(g.sampling.repeat_last_n, 16);
  EXPECT_FLOAT_EQ(g.sampling.presence_penalty, 0.5f);
  EXPECT_FLOAT_EQ(g.sampling.frequency_penalty, -0.5f);
}

TEST(OllamaGenerate, NumPredictMinusOneAndMinusTwoMeanNoLimit) {
  for (const char* n : {"-1", "-2"}) {
    auto r = parse_ollama_generate(std::string(R"({"model":"m","prompt":"p","options":{"num_predict":)") + n + "}}");
    ASSERT_TRUE(r.ok()) << n << ": " << r.error().message;
    EXPECT_FALSE(r->chat.gen.max_tokens.has_value()) << n;
  }
}

TEST(OllamaGenerate, FormatJsonAndSchema) {
  auto json_mode = parse_ollama_generate(R"({"model":"m","prompt":"p","format":"json"})");
  ASSERT_TRUE(json_mode.ok()) << json_mode.error().message;
  EXPECT_EQ(json_mode->chat.gen.constraint.kind, OutputConstraint::Kind::JsonObject);
  auto schema = parse_ollama_generate(
      R"({"model":"m","prompt":"p","format":{"type":"object","properties":{"age":{"type":"integer"}},"required":["age"]}})");
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  const OutputConstraint& c = schema->chat.gen.constraint;
  EXPECT_EQ(c.kind, OutputConstraint::Kind::JsonSchema);
  EXPECT_EQ(c.schema["required"][0], "age");
  EXPECT_EQ(c.schema.begin().key(), "type");  // key order kept
  auto none = parse_ollama_generate(R"({"model":"m","prompt":"p","format":""})");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->chat.gen.constraint.kind, OutputConstraint::Kind::None);
  auto raw = parse_ollama_generate(R"({"model":"m","prompt":"p","raw":true,"format":"json"})");
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  EXPECT_EQ(raw->completion.gen.constraint.kind, OutputConstraint::Kind::JsonObject);
}

TEST(OllamaGenerate, AcceptedAndIgnoredFields) {
  auto r = parse_ollama_generate(
      R"({"model":"m","prompt":"p","keep_alive":"5m","context":[1,2,3],"images":[],"suffix":"","template":"","think":false})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(parse_ollama_generate(R"({"model":"m","prompt":"p","keep_alive":-1})").ok());
}

TEST(OllamaGenerate, BadFieldsAreNamed) {
  expect_error(parse_ollama_generate(R"({"prompt":"p"})"), "model");
  expect_error(parse_ollama_generate(R"({"model":7,"prompt":"p"})"), "model");
  expect_error(parse_ollama_generate(R"({"model":"","prompt":"p"})"), "model");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":5})"), "prompt");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","system":[]})"), "system");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","raw":"yes"})"), "raw");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","stream":"no"})"), "stream");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","keep_alive":{}})"), "keep_alive");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","context":"abc"})"), "context");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","context":[1,"x"]})"), "context[1]");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","format":"xml"})"), "format");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","format":3})"), "format");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":[]})"), "options");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"temperature":"hot"}})"), "options.temperature");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"temperature":5}})"), "options.temperature");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"top_k":1.5}})"), "options.top_k");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"top_p":2}})"), "options.top_p");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"min_p":-1}})"), "options.min_p");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"seed":"s"}})"), "options.seed");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"num_predict":0}})"), "options.num_predict");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"num_predict":-3}})"), "options.num_predict");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"num_predict":"x"}})"), "options.num_predict");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"stop":[1]}})"), "options.stop[0]");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"repeat_penalty":0}})"), "options.repeat_penalty");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"presence_penalty":9}})"), "options.presence_penalty");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"frequency_penalty":9}})"), "options.frequency_penalty");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"num_ctx":"big"}})"), "options.num_ctx");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","options":{"repeat_last_n":-4}})"), "options.repeat_last_n");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","logprobs":"x"})"), "logprobs");
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","think":7})"), "think");
  EXPECT_FALSE(parse_ollama_generate("[1,2]").ok());
  EXPECT_FALSE(parse_ollama_generate("{not json").ok());
}

TEST(OllamaGenerate, UnsupportedFeaturesAreRefusedClearly) {
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","suffix":"return x"})"), "suffix", ErrorCode::Unsupported);
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","images":["iVBOR"]})"), "images", ErrorCode::Unsupported);
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","template":"{{ .Prompt }}"})"), "template",
               ErrorCode::Unsupported);
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","think":true})"), "think", ErrorCode::Unsupported);
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","logprobs":true})"), "logprobs", ErrorCode::Unsupported);
  expect_error(parse_ollama_generate(R"({"model":"m","prompt":"p","top_logprobs":3})"), "top_logprobs", ErrorCode::Unsupported);
  const Error e = failure(parse_ollama_generate(R"({"model":"m","prompt":"p","suffix":"x"})"));
  EXPECT_NE(e.message.find("not supported"), std::string::npos) << e.message;
}

TEST(OllamaChat, MessagesToolsAndToolCallsKeepOllamasShape) {
  auto r = parse_ollama_chat(R"({"model":"m","stream":false,"messages":[
      {"role":"system","content":"s"},
      {"role":"user","content":"weather in Paris?","images":[]},
      {"role":"assistant","content":"","thinking":"hmm","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},
      {"role":"tool","content":"sunny","tool_name":"get_weather"}],
    "tools":[{"type":"function","function":{"name":"get_weather","description":"d",
      "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->load_only);
  const auto& m = r->chat.messages;
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[2]["tool_calls"][0]["function"]["arguments"]["city"], "Paris");  // an object, as templates want
  EXPECT_EQ(m[2]["tool_calls"][0]["type"], "function");
  EXPECT_FALSE(m[2].contains("thinking"));
  EXPECT_FALSE(m[1].contains("images"));
  EXPECT_EQ(m[3]["role"], "tool");
  EXPECT_EQ(m[3]["name"], "get_weather");
  ASSERT_EQ(r->chat.tool_specs.size(), 1u);
  EXPECT_EQ(r->chat.tool_specs[0].name, "get_weather");
  EXPECT_EQ(r->chat.tool_choice, ToolChoice::Auto);
}

TEST(OllamaChat, OptionsAndFormatApplyAsInGenerate) {
  auto r = parse_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":"x"}],"format":"json",
      "options":{"seed":7,"num_predict":3,"temperature":0}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->stream);
  EXPECT_EQ(r->chat.gen.constraint.kind, OutputConstraint::Kind::JsonObject);
  EXPECT_EQ(*r->chat.gen.max_tokens, 3);
  EXPECT_EQ(r->chat.gen.sampling.seed, 7u);
  EXPECT_FLOAT_EQ(r->chat.gen.sampling.temperature, 0.0f);
}

TEST(OllamaChat, NoMessagesIsALoadRequest) {
  for (const char* body : {R"({"model":"m"})", R"({"model":"m","messages":[]})"}) {
    auto r = parse_ollama_chat(body);
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_TRUE(r->load_only) << body;
  }
}

TEST(OllamaChat, BadFieldsAreNamed) {
  expect_error(parse_ollama_chat(R"({"model":"m","messages":"hi"})"), "messages");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[5]})"), "messages[0]");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"content":"x"}]})"), "messages[0].role");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"wizard","content":"x"}]})"), "messages[0].role");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":7}]})"), "messages[0].content");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":"x","images":["AAA"]}]})"),
               "messages[0].images", ErrorCode::Unsupported);
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":"x","images":"AAA"}]})"),
               "messages[0].images");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"tool","content":"x","tool_name":3}]})"),
               "messages[0].tool_name");
  expect_error(parse_ollama_chat(
                   R"({"model":"m","messages":[{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":5}}]}]})"),
               "messages[0].tool_calls[0].function.arguments");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":{}})"), "tools");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]})"),
               "tools[0].function");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":"x"}],"options":{"stop":7}})"),
               "options.stop");
  expect_error(parse_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":"x"}],"format":[]})"), "format");
}

TEST(OllamaShow, ModelOrTheOlderName) {
  auto r = parse_ollama_show(R"({"model":"tiny:latest","verbose":true})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model, "tiny:latest");
  EXPECT_TRUE(r->verbose);
  auto old = parse_ollama_show(R"({"name":"tiny"})");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->model, "tiny");
  EXPECT_FALSE(parse_ollama_show(R"({})").ok());
  EXPECT_EQ(parse_ollama_show(R"({})").error().field, "model");
  EXPECT_EQ(parse_ollama_show(R"({"model":"m","verbose":"yes"})").error().field, "verbose");
  EXPECT_EQ(parse_ollama_show(R"({"model":1})").error().field, "model");
}

TEST(OllamaAlias, LatestTagIsOptional) {
  auto served = [](const std::string& a) { return a == "tiny" || a == "qwen:7b"; };
  EXPECT_EQ(ollama_alias("tiny", served), "tiny");
  EXPECT_EQ(ollama_alias("tiny:latest", served), "tiny");
  EXPECT_EQ(ollama_alias("qwen:7b", served), "qwen:7b");
  EXPECT_EQ(ollama_alias("qwen:latest", served), "qwen:latest");  // unknown: kept, the lookup names it
  EXPECT_EQ(ollama_alias(":latest", served), ":latest");
}


// Seeded mutations of valid bodies: every one is a value or a 400-class error naming a field
// or the body, never a crash.
TEST(OllamaRequest, MalformedBodiesFuzz) {
  const std::vector<std::string> seeds = {
      R"({"model":"m","prompt":"hi","system":"s","format":{"type":"object","properties":{"a":{"type":"integer"}}},"options":{"seed":1,"num_predict":5,"stop":["x"]}})",
      R"({"model":"m","prompt":"hi","raw":true,"context":[1,2],"keep_alive":"5m","options":{"temperature":0.5,"top_k":3}})",
      R"({"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":[1]}}}]},{"role":"tool","content":"2","tool_name":"f"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"format":"json"})",
  };
  std::mt19937 rng(2468);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string s = testing::mutate_body(seeds, rng, testing::kJsonMutationBytes);
    for (const auto& r : {parse_ollama_generate(s), parse_ollama_chat(s)}) {
      if (r.ok()) continue;
      ++errors;
      const int status = to_api_error(r.error()).status;
      EXPECT_EQ(status, 400) << r.error().message << " for " << s;
      EXPECT_FALSE(r.error().message.empty());
    }
    (void)parse_ollama_show(s);
  }
  EXPECT_GT(errors, 2000);
  EXPECT_FALSE(parse_ollama_chat(std::string(100000, '[') + std::string(100000, ']')).ok());
}

}  // namespace
}  // namespace ondo::serve
