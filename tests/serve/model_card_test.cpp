// The Ollama API's model card (serve/model_card.h) from GGUF files built in memory:
// metadata as model_info (long arrays elided, the chat template left out), family, Ollama's
// parameter-size and quantization spellings, a digest that follows the content.
#include <gtest/gtest.h>

#include "ondo/gguf/writer.h"
#include "ondo/serve/model_card.h"

namespace ondo::serve {
namespace {

struct Built {
  std::vector<uint8_t> bytes;
  std::unique_ptr<gguf::GgufFile> file;
};

// A small GGUF: a 2-D Q8_0 weight (32 x 4), a 1-D F32 norm, and the given metadata.
Built build(const std::function<void(gguf::Writer&)>& meta, int rows = 4) {
  gguf::Writer w;
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.context_length", 2048);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_string("tokenizer.chat_template", "{{ messages }}");
  std::vector<std::string> few = {"a", "b", "c"};
  w.set_array("tokenizer.ggml.merges", std::span<const std::string>(few));
  std::vector<int32_t> many(100, 1);
  w.set_array("tokenizer.ggml.token_type", std::span<const int32_t>(many));
  meta(w);
  // Q8_0: 34 bytes per block of 32.
  EXPECT_TRUE(w.add_tensor_owned("blk.0.attn_q.weight", core::DType::Q8_0, {32, rows}, std::vector<uint8_t>(34 * rows)).ok());
  EXPECT_TRUE(w.add_tensor_owned("blk.0.attn_norm.weight", core::DType::F32, {32}, std::vector<uint8_t>(32 * 4)).ok());
  Built b;
  auto bytes = w.to_bytes();
  EXPECT_TRUE(bytes.ok());
  b.bytes = std::move(*bytes);
  auto f = gguf::GgufFile::from_memory(b.bytes, "card.gguf");
  EXPECT_TRUE(f.ok()) << f.error().message;
  b.file = std::move(*f);
  return b;
}

TEST(ModelCard, MetadataAsOllamaShowsIt) {
  Built b = build([](gguf::Writer& w) { w.set_u32("general.file_type", 7); });
  const ModelCard c = model_card_from_gguf(*b.file);
  EXPECT_EQ(c.family, "llama");
  EXPECT_EQ(c.quantization_level, "Q8_0");
  EXPECT_EQ(c.size_bytes, b.bytes.size());
  EXPECT_EQ(c.parameter_size, "160");  // 32 * 4 + 32 weights
  EXPECT_EQ(c.digest.size(), 64u);
  EXPECT_EQ(c.model_info["general.architecture"], "llama");
  EXPECT_EQ(c.model_info["llama.context_length"], 2048);
  EXPECT_NEAR(c.model_info["llama.attention.layer_norm_rms_epsilon"].get<double>(), 1e-5, 1e-9);
  EXPECT_EQ(c.model_info["general.file_type"], 7);
  EXPECT_EQ(c.model_info["general.parameter_count"], 160);  // added when the file has none
  EXPECT_EQ(c.model_info["tokenizer.ggml.merges"], nlohmann::ordered_json::array({"a", "b", "c"}));
  EXPECT_TRUE(c.model_info["tokenizer.ggml.token_type"].empty());  // longer than kMaxShownArray
  EXPECT_FALSE(c.model_info.contains("tokenizer.chat_template"));  // shown as "template"
}

TEST(ModelCard, QuantizationFromTheWeightsWithoutFileType) {
  Built b = build([](gguf::Writer&) {});
  EXPECT_EQ(model_card_from_gguf(*b.file).quantization_level, "Q8_0");  // the 2-D weight's type
  Built f16 = build([](gguf::Writer& w) { w.set_u32("general.file_type", 1); });
  EXPECT_EQ(model_card_from_gguf(*f16.file).quantization_level, "F16");
  Built counted = build([](gguf::Writer& w) { w.set_u64("general.parameter_count", 8030261248ull); });
  EXPECT_EQ(model_card_from_gguf(*counted.file).parameter_size, "8.0B");
}

TEST(ModelCard, DigestFollowsTheContent) {
  Built a = build([](gguf::Writer&) {});
  Built same = build([](gguf::Writer&) {});
  Built other_meta = build([](gguf::Writer& w) { w.set_string("general.name", "x"); });
  Built other_shape = build([](gguf::Writer&) {}, 8);
  const std::string d = model_card_from_gguf(*a.file).digest;
  EXPECT_EQ(d, model_card_from_gguf(*same.file).digest);
  EXPECT_NE(d, model_card_from_gguf(*other_meta.file).digest);
  EXPECT_NE(d, model_card_from_gguf(*other_shape.file).digest);
}

TEST(ModelCard, OllamaSpellings) {
  EXPECT_EQ(parameter_size_text(8030261248ull), "8.0B");
  EXPECT_EQ(parameter_size_text(494032768ull), "494.03M");
  EXPECT_EQ(parameter_size_text(260000ull), "260.00K");
  EXPECT_EQ(parameter_size_text(12), "12");
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339_utc(1700000000), "2023-11-14T22:13:20Z");
}

}  // namespace
}  // namespace ondo::serve
