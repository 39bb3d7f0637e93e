// Model kinds: an encoder unit (the test-only fakeenc of fake_encoder.h) through
// Model::encode: pooled vectors that do not depend on the rest of the batch (bitwise),
// attention in both directions, batch validation, and the wrong-kind errors both ways.
// Layer: model (tests).
#include <gtest/gtest.h>

#include <cstring>

#include "model/fake_encoder.h"
#include "ondo/model/model.h"
#include "support/tiny_model.h"

namespace ondo::model {
namespace {

struct Encoder {
  std::vector<uint8_t> bytes;  // must outlive the model
  std::unique_ptr<Model> model;
};

Encoder load_encoder(const testing::FakeEncoderSpec& spec = {}) {
  Encoder e;
  e.bytes = testing::fake_encoder_bytes(spec);
  auto file = gguf::GgufFile::from_memory(e.bytes, "fakeenc.gguf");
  EXPECT_TRUE(file.ok());
  auto m = Model::from_file(std::move(file).value(), testing::fake_encoder_unit());
  EXPECT_TRUE(m.ok()) << m.error().message;
  if (m.ok()) e.model = std::move(m).value();
  return e;
}

// A batch of the given sequences, seq ids 0, 1, ... in order, each one contiguous run.
std::vector<BatchToken> batch_of(const std::vector<std::vector<int32_t>>& seqs) {
  std::vector<BatchToken> b;
  for (size_t s = 0; s < seqs.size(); ++s) {
    for (size_t p = 0; p < seqs[s].size(); ++p) b.push_back({seqs[s][p], int32_t(p), int32_t(s), false});
  }
  return b;
}

std::vector<float> encode(const Model& m, const std::vector<std::vector<int32_t>>& seqs, int threads = 1) {
  ForwardScratch scratch(m.hparams(), 64, 32, threads);
  core::ThreadPool pool(threads);
  std::vector<float> out(seqs.size() * size_t(m.n_embd_out()));
  const std::vector<BatchToken> b = batch_of(seqs);
  Status st = m.encode(b, scratch, pool, out.data());
  EXPECT_TRUE(st.ok()) << st.error().message;
  return out;
}

bool bitwise_equal(const float* a, const float* b, size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

TEST(Encode, KindAndWidth) {
  Encoder e = load_encoder();
  ASSERT_TRUE(e.model);
  EXPECT_EQ(e.model->kind(), ModelKind::Encode);
  EXPECT_EQ(e.model->n_embd_out(), 16);
  EXPECT_FALSE(e.model->hparams().causal);
  EXPECT_EQ(e.model->hparams().pooling, Pooling::Mean);
}

TEST(Encode, PooledVectorIndependentOfTheBatch) {
  for (int pooling : {1, 2, 3}) {
    testing::FakeEncoderSpec spec;
    spec.pooling = pooling;
    Encoder e = load_encoder(spec);
    ASSERT_TRUE(e.model);
    const size_t C = size_t(e.model->n_embd_out());
    const std::vector<int32_t> a = {3, 7, 1, 19, 4}, b = {5, 5, 2}, c = {23, 0, 9, 9, 12, 8, 1};
    const std::vector<float> alone = encode(*e.model, {a});
    for (int threads : {1, 3}) {
      const std::vector<float> mixed = encode(*e.model, {b, a, c}, threads);
      EXPECT_TRUE(bitwise_equal(alone.data(), mixed.data() + C, C)) << "pooling " << pooling << ", threads " << threads;
      const std::vector<float> b_alone = encode(*e.model, {b});
      EXPECT_TRUE(bitwise_equal(b_alone.data(), mixed.data(), C)) << "pooling " << pooling;
      EXPECT_FALSE(bitwise_equal(mixed.data(), mixed.data() + C, C));
    }
  }
}

TEST(Encode, AttentionRunsBothWays) {
  testing::FakeEncoderSpec spec;
  spec.pooling = 2;  // cls: the first token's final state
  Encoder e = load_encoder(spec);
  ASSERT_TRUE(e.model);
  const size_t C = size_t(e.model->n_embd_out());
  const std::vector<float> x = encode(*e.model, {{3, 7, 1, 19}});
  const std::vector<float> y = encode(*e.model, {{3, 7, 1, 20}});  // only the last token differs
  EXPECT_FALSE(bitwise_equal(x.data(), y.data(), C)) << "the first token did not see a later one";
}

TEST(Encode, MeanPoolingAveragesTheTokens) {
  Encoder e = load_encoder();
  ASSERT_TRUE(e.model);
  const int64_t C = e.model->n_embd_out();
  std::vector<float> last_layer;
  // a second model over the same bytes with a tap on the final hidden states
  LoadOptions o;
  o.tap = [&](std::string_view name, std::span<const int64_t> shape, const float* data) {
    if (name == "blk.1.out") last_layer.assign(data, data + shape[0] * shape[1]);
  };
  auto file = gguf::GgufFile::from_memory(e.bytes, "fakeenc.gguf");
  auto m = Model::from_file(std::move(file).value(), testing::fake_encoder_unit(), o);
  ASSERT_TRUE(m.ok()) << m.error().message;
  const std::vector<float> pooled = encode(**m, {{4, 8, 15}});
  ASSERT_EQ(last_layer.size(), size_t(3 * C));
  for (int64_t c = 0; c < C; ++c) {
    const float mean = (last_layer[size_t(c)] + last_layer[size_t(C + c)] + last_layer[size_t(2 * C + c)]) * (1.0f / 3.0f);
    EXPECT_FLOAT_EQ(pooled[size_t(c)], mean) << c;
  }
}

TEST(Encode, RejectsMalformedBatches) {
  Encoder e = load_encoder();
  ASSERT_TRUE(e.model);
  ForwardScratch scratch(e.model->hparams(), 8, 32, 1);
  core::ThreadPool pool(1);
  std::vector<float> out(8 * 16);
  auto expect_invalid = [&](std::vector<BatchToken> b, const std::string& needle) {
    Status st = e.model->encode(b, scratch, pool, out.data());
    ASSERT_FALSE(st.ok()) << needle;
    EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(st.error().message.find(needle), std::string::npos) << st.error().message;
  };
  expect_invalid({}, "empty batch");
  expect_invalid({{1, 0, 0}, {2, 0, 1}, {3, 1, 0}}, "not one contiguous run");
  expect_invalid({{1, 0, 0}, {2, 2, 0}}, "expected 1");
  expect_invalid({{1, 1, 0}}, "expected 0");
  expect_invalid({{99, 0, 0}}, "out of range");
  expect_invalid(std::vector<BatchToken>(9, BatchToken{}), "exceeds the scratch size");
}

TEST(Encode, WrongKindIsAnError) {
  Encoder e = load_encoder();
  ASSERT_TRUE(e.model);
  ForwardScratch scratch(e.model->hparams(), 8, 32, 1);
  core::ThreadPool pool(1);
  std::vector<float> kv(1), out(16 * 8);
  KvStore store;
  const std::vector<BatchToken> b = {{1, 0, 0, true}};
  Status st = e.model->forward(b, store, scratch, pool, out.data());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(st.error().message.find("encoder"), std::string::npos) << st.error().message;

  const std::vector<uint8_t> bytes = testing::tiny_model_bytes({});
  auto gen = Model::from_file(std::move(gguf::GgufFile::from_memory(bytes, "tiny.gguf")).value());
  ASSERT_TRUE(gen.ok()) << gen.error().message;
  EXPECT_EQ((*gen)->kind(), ModelKind::Generate);
  ForwardScratch gscratch((*gen)->hparams(), 8, 32, 1);
  st = (*gen)->encode(b, gscratch, pool, out.data());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(st.error().message.find("generator"), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace ondo::model
