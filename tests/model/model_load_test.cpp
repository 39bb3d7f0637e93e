// Model faults (DESIGN: one clear error naming the file and what is wrong): unknown
// architecture, missing or inconsistent hyperparameters, missing tensors, shapes that
// contradict the hyperparameters, unsupported types, tokenizer/embedding disagreement.
#include "ondo/model/blocks/decoder_weights.h"
#include "ondo/model/model.h"

#include <gtest/gtest.h>

#include "support/tiny_model.h"

namespace ondo::model {
namespace {

struct Loaded {
  std::vector<uint8_t> bytes;  // must outlive the model
  Result<std::unique_ptr<Model>> model = make_error(ErrorCode::Internal, "not loaded");
};

Loaded load(const testing::TinyModelSpec& spec) {
  Loaded l;
  l.bytes = testing::tiny_model_bytes(spec);
  auto file = gguf::GgufFile::from_memory(l.bytes, "tiny.gguf");
  if (!file.ok()) {
    l.model = file.error();
    return l;
  }
  l.model = Model::from_file(std::move(file).value());
  return l;
}

void expect_error(const testing::TinyModelSpec& spec, ErrorCode code, const std::string& needle) {
  auto l = load(spec);
  ASSERT_FALSE(l.model.ok()) << "expected an error containing '" << needle << "'";
  EXPECT_EQ(l.model.error().code, code) << l.model.error().message;
  EXPECT_NE(l.model.error().message.find(needle), std::string::npos) << l.model.error().message;
  EXPECT_NE(l.model.error().message.find("tiny.gguf"), std::string::npos) << l.model.error().message;
}

TEST(ModelLoad, TinyModelLoads) {
  auto l = load({});
  ASSERT_TRUE(l.model.ok()) << l.model.error().message;
  const HParams& hp = (*l.model)->hparams();
  EXPECT_EQ(hp.n_layer, 2);
  EXPECT_EQ(hp.head_dim, 8);
  EXPECT_EQ(hp.n_vocab, 40);
  EXPECT_FALSE((*l.model)->weights_as<model::blocks::DecoderWeights>()->tied_output);
}

// The unit's per-token estimate is what the buffers really take: ForwardScratch's activation
// floats per batch token, and 2 (K, V) x layers x Hkv*D floats per KV position.
TEST(ModelLoad, MemoryEstimateMatchesTheBuffers) {
  for (const char* arch : {"llama", "qwen2"}) {
    testing::TinyModelSpec spec;
    spec.arch = arch;
    spec.qkv_bias = std::string(arch) == "qwen2";
    auto l = load(spec);
    ASSERT_TRUE(l.model.ok()) << l.model.error().message;
    const Model& m = **l.model;
    const MemoryEstimate e = m.memory();
    EXPECT_EQ(e.weight_bytes, [&] {
      uint64_t n = 0;
      for (const gguf::TensorInfo& t : m.file().tensors()) n += t.nbytes;
      return n;
    }());
    const int32_t T = 5;
    ForwardScratch s(m.hparams(), T, 16, 1);
    const size_t floats = s.x.size() + s.xn.size() + s.q.size() + s.k.size() + s.v.size() + s.attn.size() +
                          s.gate.size() + s.up.size() + s.proj.size();
    EXPECT_EQ(e.per_token.scratch_bytes_per_token * T, floats * sizeof(float)) << arch;
    EXPECT_EQ(e.per_token.kv_bytes_per_token, 2u * 2u * 16u * sizeof(float)) << arch;  // 2 layers, Hkv*D = 2*8
  }
}

TEST(ModelLoad, TiedOutputUsesEmbeddings) {
  testing::TinyModelSpec s;
  s.tied = true;
  auto l = load(s);
  ASSERT_TRUE(l.model.ok()) << l.model.error().message;
  EXPECT_TRUE((*l.model)->weights_as<model::blocks::DecoderWeights>()->tied_output);
}

TEST(ModelLoad, UnknownArchitectureIsNamed) {
  testing::TinyModelSpec s;
  s.mutate_meta = [](gguf::Writer& w) { w.set_string("general.architecture", "mamba"); };
  expect_error(s, ErrorCode::Unsupported, "architecture 'mamba' is not supported");
}

TEST(ModelLoad, MissingArchitectureKey) {
  testing::TinyModelSpec s;
  s.mutate_meta = [](gguf::Writer& w) { w.remove("general.architecture"); };
  expect_error(s, ErrorCode::NotFound, "general.architecture");
}

TEST(ModelLoad, MissingHyperparameterIsNamed) {
  for (const char* key : {"llama.block_count", "llama.embedding_length", "llama.attention.head_count",
                          "llama.feed_forward_length", "llama.context_length",
                          "llama.attention.layer_norm_rms_epsilon"}) {
    testing::TinyModelSpec s;
    s.mutate_meta = [key](gguf::Writer& w) { w.remove(key); };
    auto l = load(s);
    ASSERT_FALSE(l.model.ok()) << key;
    EXPECT_NE(l.model.error().message.find(key), std::string::npos) << l.model.error().message;
  }
}

TEST(ModelLoad, HeadCountKvMustDivideHeadCount) {
  testing::TinyModelSpec s;
  s.mutate_meta = [](gguf::Writer& w) { w.set_u32("llama.attention.head_count_kv", 3); };
  expect_error(s, ErrorCode::InvalidFile, "head_count_kv' = 3 does not divide");
}

TEST(ModelLoad, ZeroLayersRejected) {
  testing::TinyModelSpec s;
  s.mutate_meta = [](gguf::Writer& w) { w.set_u32("llama.block_count", 0); };
  expect_error(s, ErrorCode::InvalidFile, "llama.block_count' = 0 is out of range");
}

TEST(ModelLoad, WrongTypeOfHyperparameter) {
  testing::TinyModelSpec s;
  s.mutate_meta = [](gguf::Writer& w) { w.set_string("llama.block_count", "two"); };
  expect_error(s, ErrorCode::InvalidFile, "llama.block_count");
}

TEST(ModelLoad, MissingTensorIsNamed) {
  testing::TinyModelSpec s;
  s.tensor_overrides = {{"blk.1.ffn_up.weight", {}}};
  expect_error(s, ErrorCode::InvalidFile, "tensor 'blk.1.ffn_up.weight' is missing");
}

TEST(ModelLoad, ShapeContradictingHyperparameters) {
  testing::TinyModelSpec s;
  s.tensor_overrides = {{"blk.0.attn_k.weight", {32, 32}}};
  expect_error(s, ErrorCode::InvalidFile, "tensor 'blk.0.attn_k.weight' has shape [32, 32], expected [32, 16]");
}

TEST(ModelLoad, TokenizerSizeMustMatchEmbeddings) {
  testing::TinyModelSpec s;
  s.tensor_overrides = {{"token_embd.weight", {32, 41}}, {"output.weight", {32, 41}}};
  expect_error(s, ErrorCode::InvalidFile, "tokenizer has 40 tokens but token_embd.weight has 41 rows");
}

TEST(ModelLoad, UnsupportedRopeScalingRefused) {
  testing::TinyModelSpec s;
  s.mutate_meta = [](gguf::Writer& w) { w.set_string("llama.rope.scaling.type", "yarn"); };
  expect_error(s, ErrorCode::Unsupported, "rope.scaling.type' = 'yarn' is not supported");
}

TEST(ModelLoad, Qwen2NeedsBiases) {
  testing::TinyModelSpec s;
  s.arch = "qwen2";
  expect_error(s, ErrorCode::InvalidFile, "tensor 'blk.0.attn_q.bias' is missing");
  s.qkv_bias = true;
  auto l = load(s);
  EXPECT_TRUE(l.model.ok()) << l.model.error().message;
}

}  // namespace
}  // namespace ondo::model
