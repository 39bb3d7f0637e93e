// Ollama's embedding bodies (serve/api_ollama.h: parse_ollama_embed for POST /api/embed,
// parse_ollama_embeddings for the older POST /api/embeddings): inputs, Ollama's defaults
// (truncate true, dimensions 0 = the model's width, no input = the load call), the fields
// accepted and ignored, bad values refused with errors that name the Ollama field, and a
// seeded mutation fuzz over malformed bodies.
#include <gtest/gtest.h>

#include <random>

#include "ondo/serve/api_ollama.h"
#include "ondo/serve/error_map.h"
#include "support/mutate_body.h"

namespace ondo::serve {
namespace {

void expect_error(const Result<OllamaEmbedRequest>& r, const std::string& field, const std::string& fragment = "") {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, field) << r.error().message;
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument) << r.error().message;
  EXPECT_EQ(r.error().message.rfind(field + ": ", 0), 0u) << r.error().message;  // starts with the Ollama path
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
  EXPECT_EQ(to_api_error(r.error()).status, 400);
}

TEST(OllamaEmbed, OneStringIsOneInputWithOllamaDefaults) {
  auto r = parse_ollama_embed(R"({"model":"emb","input":"Why is the sky blue?"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->model, "emb");
  ASSERT_EQ(r->inputs.size(), 1u);
  EXPECT_FALSE(r->inputs[0].is_tokens);
  EXPECT_EQ(r->inputs[0].text, "Why is the sky blue?");
  EXPECT_TRUE(r->truncate);  // Ollama cuts long inputs unless told not to
  EXPECT_FALSE(r->dimensions.has_value());
}

TEST(OllamaEmbed, ArrayKeepsOrderAndEmptyStrings) {
  auto r = parse_ollama_embed(R"({"model":"emb","input":["a","","c"],"truncate":false,"dimensions":16})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->inputs.size(), 3u);
  EXPECT_EQ(r->inputs[0].text, "a");
  EXPECT_EQ(r->inputs[1].text, "");
  EXPECT_EQ(r->inputs[2].text, "c");
  EXPECT_FALSE(r->truncate);
  ASSERT_TRUE(r->dimensions.has_value());
  EXPECT_EQ(*r->dimensions, 16);
}

TEST(OllamaEmbed, NoInputIsTheLoadCall) {
  for (const char* body : {R"({"model":"emb"})", R"({"model":"emb","input":null})", R"({"model":"emb","input":""})",
                           R"({"model":"emb","input":[]})"}) {
    auto r = parse_ollama_embed(body);
    ASSERT_TRUE(r.ok()) << body << ": " << r.error().message;
    EXPECT_TRUE(r->inputs.empty()) << body;
  }
}

TEST(OllamaEmbed, AcceptedAndIgnoredFields) {
  auto r = parse_ollama_embed(
      R"({"model":"emb:latest","input":"x","keep_alive":"5m","options":{"temperature":0.1,"num_ctx":2048},"dimensions":0,"stream":false})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->model, "emb:latest");  // the route resolves the tag
  EXPECT_FALSE(r->dimensions.has_value());  // 0: the model's width, as Ollama reads it
  EXPECT_TRUE(parse_ollama_embed(R"({"model":"emb","input":"x","keep_alive":300})").ok());
}

TEST(OllamaEmbed, BadFieldsAreNamed) {
  expect_error(parse_ollama_embed(R"({"input":"x"})"), "model", "missing");
  expect_error(parse_ollama_embed(R"({"model":"","input":"x"})"), "model");
  expect_error(parse_ollama_embed(R"({"model":3,"input":"x"})"), "model", "expected a string");
  expect_error(parse_ollama_embed(R"({"model":"m","input":7})"), "input", "expected a string or an array of strings (seen");
  expect_error(parse_ollama_embed(R"({"model":"m","input":{"text":"x"}})"), "input");
  expect_error(parse_ollama_embed(R"({"model":"m","input":["a",[1,2]]})"), "input[1]", "expected a string");
  expect_error(parse_ollama_embed(R"({"model":"m","input":[1,2,3]})"), "input[0]", "expected a string");
  expect_error(parse_ollama_embed(R"({"model":"m","input":"x","truncate":"yes"})"), "truncate", "expected a boolean");
  expect_error(parse_ollama_embed(R"({"model":"m","input":"x","dimensions":-1})"), "dimensions");
  expect_error(parse_ollama_embed(R"({"model":"m","input":"x","dimensions":1.5})"), "dimensions");
  expect_error(parse_ollama_embed(R"({"model":"m","input":"x","dimensions":"16"})"), "dimensions");
  expect_error(parse_ollama_embed(R"({"model":"m","input":"x","options":[1]})"), "options", "expected an object");
  expect_error(parse_ollama_embed(R"({"model":"m","input":"x","keep_alive":[]})"), "keep_alive");
  std::string many = R"({"model":"m","input":[)";
  for (size_t i = 0; i <= kMaxEmbeddingInputs; ++i) many += i ? ",\"x\"" : "\"x\"";
  expect_error(parse_ollama_embed(many + "]}"), "input", "too many");
  auto not_object = parse_ollama_embed("[1]");
  ASSERT_FALSE(not_object.ok());
  EXPECT_NE(not_object.error().message.find("expected a JSON object"), std::string::npos);
  EXPECT_FALSE(parse_ollama_embed("{\"model\":").ok());
}

TEST(OllamaEmbeddings, PromptIsTheOneInput) {
  auto r = parse_ollama_embeddings(R"({"model":"emb","prompt":"Here is an article","options":{"seed":1},"keep_alive":"1m"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->model, "emb");
  ASSERT_EQ(r->inputs.size(), 1u);
  EXPECT_EQ(r->inputs[0].text, "Here is an article");
  EXPECT_TRUE(r->truncate);
  EXPECT_FALSE(r->dimensions.has_value());
  // `input` and `dimensions` belong to /api/embed; here they are not read.
  auto other = parse_ollama_embeddings(R"({"model":"emb","prompt":"p","input":["x","y"],"dimensions":8})");
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->inputs.size(), 1u);
  EXPECT_FALSE(other->dimensions.has_value());
  auto cut = parse_ollama_embeddings(R"({"model":"emb","prompt":"p","truncate":false})");
  ASSERT_TRUE(cut.ok());
  EXPECT_FALSE(cut->truncate);
}

TEST(OllamaEmbeddings, NoPromptIsTheLoadCall) {
  for (const char* body : {R"({"model":"emb"})", R"({"model":"emb","prompt":""})", R"({"model":"emb","prompt":null})"}) {
    auto r = parse_ollama_embeddings(body);
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_TRUE(r->inputs.empty()) << body;
  }
}

TEST(OllamaEmbeddings, BadFieldsAreNamed) {
  expect_error(parse_ollama_embeddings(R"({"prompt":"x"})"), "model", "missing");
  expect_error(parse_ollama_embeddings(R"({"model":"m","prompt":["x"]})"), "prompt", "expected a string (seen");
  expect_error(parse_ollama_embeddings(R"({"model":"m","prompt":5})"), "prompt");
  expect_error(parse_ollama_embeddings(R"({"model":"m","prompt":"x","options":"fast"})"), "options");
  expect_error(parse_ollama_embeddings(R"({"model":"m","prompt":"x","truncate":1})"), "truncate");
}

TEST(OllamaEmbed, MalformedBodiesFuzz) {
  const std::vector<std::string> seeds = {
      R"({"model":"m","input":["one","two",""],"truncate":false,"dimensions":8,"options":{"num_ctx":64},"keep_alive":"5m"})",
      R"({"model":"m:latest","input":"text","keep_alive":0})",
      R"({"model":"m","prompt":"text","options":{},"truncate":true})",
  };
  std::mt19937 rng(1357);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string s = testing::mutate_body(seeds, rng, testing::kJsonMutationBytesWithNul);
    for (const auto& r : {parse_ollama_embed(s), parse_ollama_embeddings(s)}) {
      if (r.ok()) continue;
      ++errors;
      EXPECT_EQ(to_api_error(r.error()).status, 400) << r.error().message << " for " << s;
      EXPECT_FALSE(r.error().message.empty());
    }
  }
  EXPECT_GT(errors, 2000);
  EXPECT_FALSE(parse_ollama_embed(std::string(100000, '[') + std::string(100000, ']')).ok());
}

}  // namespace
}  // namespace ondo::serve
