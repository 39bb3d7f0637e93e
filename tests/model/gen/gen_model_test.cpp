// gen-model's tiny shape: the file loads as a model with the shape's hyperparameters, the same
// seed gives the same bytes (whatever the thread count), another seed other weights, the
// weights have the shape's spread. Layer: model tests.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "ondo/gguf/reader.h"
#include "ondo/model/blocks/decoder_weights.h"
#include "ondo/model/gen/gen_model.h"
#include "ondo/model/model.h"
#include "support/testdata.h"

namespace ondo::model::gen {
namespace {

namespace fs = std::filesystem;

fs::path temp_file(const std::string& tag) {
  return fs::temp_directory_path() / ("ondo-gen-" + std::to_string(::getpid()) + "-" + tag + ".gguf");
}

Result<GenReport> gen(const fs::path& out, uint64_t seed, core::DType type, int threads) {
  GenOptions o;
  o.shape = find_shape("tiny");
  o.type = type;
  o.seed = seed;
  o.output = out;
  core::ComputePool pool(threads);
  return generate_model(o, pool);
}

TEST(GenModel, TinyShapeLoadsWithItsHyperparameters) {
  const fs::path p = temp_file("load");
  auto rep = gen(p, 3, core::DType::F16, 2);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  auto m = Model::load(p);
  ASSERT_TRUE(m.ok()) << m.error().message;
  const ModelShape& s = *find_shape("tiny");
  const HParams& hp = (*m)->hparams();
  EXPECT_EQ(hp.n_layer, s.n_layer);
  EXPECT_EQ(hp.n_embd, s.n_embd);
  EXPECT_EQ(hp.n_head, s.n_head);
  EXPECT_EQ(hp.n_head_kv, s.n_head_kv);
  EXPECT_EQ(hp.n_ff, s.n_ff);
  EXPECT_EQ(hp.n_vocab, s.n_vocab);
  EXPECT_EQ(hp.n_ctx_train, s.n_ctx);
  EXPECT_FLOAT_EQ(hp.rope_base, s.rope_base);
  const auto* w = (*m)->weights_as<model::blocks::DecoderWeights>();
  ASSERT_NE(w, nullptr);
  EXPECT_FALSE(w->tied_output);
  EXPECT_TRUE(w->rope_freqs.valid());
  EXPECT_EQ(w->layers[1].w_down.type(), core::DType::F16);
  EXPECT_EQ(w->layers[1].ffn_norm.type, core::DType::F32);
  EXPECT_EQ(*(*m)->file().get_uint("general.file_type"), 1u);
  fs::remove(p);
}

TEST(GenModel, SameSeedSameBytesAnyThreadCount) {
  const fs::path a = temp_file("a"), b = temp_file("b"), c = temp_file("c");
  ASSERT_TRUE(gen(a, 42, core::DType::BF16, 1).ok());
  ASSERT_TRUE(gen(b, 42, core::DType::BF16, 3).ok());
  ASSERT_TRUE(gen(c, 43, core::DType::BF16, 1).ok());
  const std::string ba = testing::read_file(a), bb = testing::read_file(b), bc = testing::read_file(c);
  ASSERT_FALSE(ba.empty());
  EXPECT_EQ(ba, bb);
  EXPECT_EQ(ba.size(), bc.size());
  EXPECT_NE(ba, bc);
  for (const auto& p : {a, b, c}) fs::remove(p);
}

TEST(GenModel, WeightsHaveTheShapesSpreadAndNormsAreOne) {
  const fs::path p = temp_file("stats");
  ASSERT_TRUE(gen(p, 9, core::DType::F32, 2).ok());
  auto f = gguf::GgufFile::open(p);
  ASSERT_TRUE(f.ok());
  const gguf::TensorInfo* w = (*f)->find_tensor("blk.0.ffn_up.weight");
  ASSERT_NE(w, nullptr);
  const float* x = reinterpret_cast<const float*>(w->data);
  const int64_t n = w->n_elements();
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    sum += x[i];
    sq += double(x[i]) * x[i];
  }
  const double mean = sum / double(n), sd = std::sqrt(sq / double(n) - mean * mean);
  const float want = find_shape("tiny")->init_std;
  EXPECT_NEAR(sd, want, 0.05 * want);
  EXPECT_NEAR(mean, 0.0, 0.05 * want);
  const gguf::TensorInfo* norm = (*f)->find_tensor("blk.1.attn_norm.weight");
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(reinterpret_cast<const float*>(norm->data)[5], 1.0f);
  fs::remove(p);
}

TEST(GenModel, RandomWeightIsAFunctionOfSeedNameAndIndex) {
  EXPECT_EQ(random_weight(1, "a", 5, 1.0f), random_weight(1, "a", 5, 1.0f));
  EXPECT_NE(random_weight(1, "a", 5, 1.0f), random_weight(2, "a", 5, 1.0f));
  EXPECT_NE(random_weight(1, "a", 5, 1.0f), random_weight(1, "b", 5, 1.0f));
  EXPECT_NE(random_weight(1, "a", 5, 1.0f), random_weight(1, "a", 6, 1.0f));
}

TEST(GenModel, RejectsQuantizedTypesAndAMissingVocabulary) {
  auto bad_type = gen(temp_file("q"), 1, core::DType::Q4_0, 1);
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.error().code, ErrorCode::InvalidArgument);
  GenOptions o;
  o.shape = find_shape("tinyllama-1.1b");
  ASSERT_NE(o.shape, nullptr);
  o.output = temp_file("nv");
  o.vocab = "/nonexistent/vocab.gguf";
  core::ComputePool pool(1);
  auto missing = generate_model(o, pool);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/vocab.gguf"), std::string::npos) << missing.error().message;
  EXPECT_FALSE(fs::exists(o.output));
}

TEST(GenModel, RealShapesHaveThePublishedSizes) {
  const ModelShape* l = find_shape("llama-3.2-1b");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->n_layer, 16);
  EXPECT_EQ(l->n_embd, 2048);
  EXPECT_EQ(l->head_dim(), 64);
  EXPECT_TRUE(l->tied_output);
  const ModelShape* t = find_shape("tinyllama-1.1b");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->n_layer, 22);
  EXPECT_EQ(t->n_ff, 5632);
  EXPECT_EQ(find_shape("gpt-5"), nullptr);
}

}  // namespace
}  // namespace ondo::model::gen
