// Embeddings and rerank bodies (embeddings_api.h): parsing with field paths, base64 of
// float32, Matryoshka truncation, and the response shapes.
#include "ondo/serve/embeddings_api.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;

Error parse_error(const std::string& body) {
  auto r = parse_embeddings_request(body);
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? Error{} : r.error();
}

TEST(EmbeddingsApi, InputShapes) {
  auto one = parse_embeddings_request(R"({"model":"m","input":"hello"})");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->inputs.size(), 1u);
  EXPECT_FALSE(one->inputs[0].is_tokens);
  EXPECT_EQ(one->inputs[0].text, "hello");
  EXPECT_FALSE(one->base64);
  EXPECT_FALSE(one->dimensions);

  auto strings = parse_embeddings_request(R"({"model":"m","input":["a",""],"encoding_format":"base64","dimensions":8})");
  ASSERT_TRUE(strings.ok());
  EXPECT_EQ(strings->inputs.size(), 2u);
  EXPECT_TRUE(strings->base64);
  EXPECT_EQ(strings->dimensions, 8);

  auto ids = parse_embeddings_request(R"({"model":"m","input":[101,7592,102]})");
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->inputs.size(), 1u);
  EXPECT_TRUE(ids->inputs[0].is_tokens);
  EXPECT_EQ(ids->inputs[0].tokens, (std::vector<int32_t>{101, 7592, 102}));

  auto nested = parse_embeddings_request(R"({"model":"m","input":[[1,2],[3]],"truncate":true})");
  ASSERT_TRUE(nested.ok());
  ASSERT_EQ(nested->inputs.size(), 2u);
  EXPECT_EQ(nested->inputs[1].tokens, std::vector<int32_t>{3});
  EXPECT_TRUE(nested->truncate);
}

TEST(EmbeddingsApi, ErrorsNameTheField) {
  EXPECT_EQ(parse_error(R"({"input":"x"})").field, "model");
  EXPECT_EQ(parse_error(R"({"model":"m"})").field, "input");
  EXPECT_EQ(parse_error(R"({"model":"m","input":[]})").field, "input");
  EXPECT_EQ(parse_error(R"({"model":"m","input":5})").field, "input");
  EXPECT_EQ(parse_error(R"({"model":"m","input":["a",{}]})").field, "input[1]");
  EXPECT_EQ(parse_error(R"({"model":"m","input":[[1,-2]]})").field, "input[0][1]");
  EXPECT_EQ(parse_error(R"({"model":"m","input":[[]]})").field, "input[0]");
  EXPECT_EQ(parse_error(R"({"model":"m","input":"x","encoding_format":"int8"})").field, "encoding_format");
  EXPECT_EQ(parse_error(R"({"model":"m","input":"x","dimensions":0})").field, "dimensions");
  EXPECT_EQ(parse_error(R"({"model":"m","input":"x","truncate":"yes"})").field, "truncate");
  EXPECT_EQ(parse_error("[1]").code, ErrorCode::InvalidArgument);
  EXPECT_EQ(parse_error("{").code, ErrorCode::InvalidArgument);
  std::string many = R"({"model":"m","input":[)";
  for (size_t i = 0; i <= kMaxEmbeddingInputs; ++i) many += (i ? ",\"a\"" : "\"a\"");
  EXPECT_EQ(parse_error(many + "]}").field, "input");
}

TEST(EmbeddingsApi, Rerank) {
  auto r = parse_rerank_request(
      R"({"model":"m","query":"q","documents":["a",{"text":"b"}],"top_n":1,"return_documents":true})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->documents, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r->top_n, 1);
  EXPECT_TRUE(r->return_documents);
  EXPECT_EQ(parse_rerank_request(R"({"model":"m","documents":["a"]})").error().field, "query");
  EXPECT_EQ(parse_rerank_request(R"({"model":"m","query":"q","documents":"a"})").error().field, "documents");
  EXPECT_EQ(parse_rerank_request(R"({"model":"m","query":"q","documents":[{"x":1}]})").error().field, "documents[0]");

  RerankRequest req = *parse_rerank_request(R"({"model":"m","query":"q","documents":["a","b","c"]})");
  const float scores[] = {0.5f, 2.0f, 0.5f};
  json body = rerank_response(req, scores, 12);
  ASSERT_EQ(body["results"].size(), 3u);
  EXPECT_EQ(body["results"][0]["index"], 1);
  EXPECT_EQ(body["results"][1]["index"], 0);  // ties keep document order
  EXPECT_EQ(body["results"][2]["index"], 2);
  EXPECT_FALSE(body["results"][0].contains("document"));
  EXPECT_EQ(body["usage"]["prompt_tokens"], 12);
  req.top_n = 2;
  req.return_documents = true;
  body = rerank_response(req, scores, 12);
  ASSERT_EQ(body["results"].size(), 2u);
  EXPECT_EQ(body["results"][0]["document"]["text"], "b");
}

TEST(EmbeddingsApi, Base64AndTruncation) {
  // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0 (little-endian).
  EXPECT_EQ(base64_floats(std::vector<float>{1.0f}), "AACAPw==");
  EXPECT_EQ(base64_floats(std::vector<float>{1.0f, -2.0f}), "AACAPwAAAMA=");
  EXPECT_EQ(base64_floats(std::vector<float>{}), "");
  const std::vector<float> v = {3.0f, 4.0f, 12.0f};
  const std::vector<float> t = truncate_dimensions(v, 2);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_FLOAT_EQ(t[0], 0.6f);
  EXPECT_FLOAT_EQ(t[1], 0.8f);
  const json body = embeddings_response("m", {{1.0f, -2.0f}}, true, 3);
  EXPECT_EQ(body["data"][0]["embedding"], "AACAPwAAAMA=");
  EXPECT_EQ(body["data"][0]["object"], "embedding");
  EXPECT_EQ(body["usage"]["total_tokens"], 3);
  EXPECT_EQ(embeddings_response("m", {{0.5f}}, false, 1)["data"][0]["embedding"][0], 0.5);
}

}  // namespace
}  // namespace ondo::serve
