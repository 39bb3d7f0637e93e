// gen-model against testdata: the Llama 3.1 rope factors equal the rope_freqs tensor llama.cpp's
// converter wrote into ref-llama3-bpe (factor 8, head dim 8, base 500000), and the real shapes
// take their vocabularies from testdata/tokenizer. Layer: model tests (reference label).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include <cmath>

#include "ondo/core/compute_pool.h"
#include "ondo/gguf/reader.h"
#include "ondo/model/gen/gen_model.h"
#include "ondo/model/model.h"
#include "support/testdata.h"

namespace ondo::model::gen {
namespace {

TEST(GenModelRef, Llama3RopeFactorsMatchTheConverter) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto f = gguf::GgufFile::open(dir / "models" / "ref-llama3-bpe-f32-embq8_0.gguf");
  ASSERT_TRUE(f.ok()) << f.error().message;
  const gguf::TensorInfo* t = (*f)->find_tensor("rope_freqs.weight");
  ASSERT_NE(t, nullptr);
  const auto want = std::span(reinterpret_cast<const float*>(t->data), size_t(t->n_elements()));
  const auto got = llama3_rope_factors(8, 500000.0f, {8.0f, 1.0f, 4.0f, 8192});
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_FLOAT_EQ(got[i], want[i]) << i;
}

TEST(GenModelRef, ShapesFitTheirVocabularies) {
  ONDO_TESTDATA_OR_SKIP(dir);
  for (const ModelShape& s : model_shapes()) {
    if (s.vocab_file.empty()) continue;
    auto f = gguf::GgufFile::open(dir / s.vocab_file);
    ASSERT_TRUE(f.ok()) << f.error().message;
    const gguf::Value* tokens = (*f)->find("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    EXPECT_EQ(tokens->size(), uint64_t(s.n_vocab)) << s.name;
  }
}

// minilm-l6: all-MiniLM-L6-v2's shape as the bert unit reads it (6 layers, 384 wide, 12
// heads, FFN 1536, 512 positions, WordPiece 30522, mean pooling), and it embeds.
TEST(GenModelRef, MiniLmShapeLoadsAndEmbeds) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const ModelShape* shape = find_shape("minilm-l6");
  ASSERT_NE(shape, nullptr);
  const auto out = std::filesystem::path(::testing::TempDir()) / "ondo-minilm-l6.gguf";
  core::ComputePool pool(2);
  GenOptions o;
  o.shape = shape;
  o.type = core::DType::F16;
  o.seed = 7;
  o.output = out;
  o.vocab = dir / shape->vocab_file;
  auto rep = generate_model(o, pool);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_GT(rep->n_params, 22'000'000u);  // ~22.7 M, as all-MiniLM-L6-v2
  EXPECT_LT(rep->n_params, 23'000'000u);

  auto m = Model::load(out);
  ASSERT_TRUE(m.ok()) << m.error().message;
  const HParams& hp = (*m)->hparams();
  EXPECT_EQ(hp.arch, "bert");
  EXPECT_EQ((*m)->kind(), ModelKind::Encode);
  EXPECT_EQ(hp.n_layer, 6);
  EXPECT_EQ(hp.n_embd, 384);
  EXPECT_EQ(hp.n_head, 12);
  EXPECT_EQ(hp.n_head_kv, 12);
  EXPECT_EQ(hp.n_ff, 1536);
  EXPECT_EQ(hp.n_vocab, 30522);
  EXPECT_EQ(hp.n_ctx_train, 512);
  EXPECT_EQ(hp.pooling, Pooling::Mean);
  auto f = gguf::GgufFile::open(out);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*(*f)->get_uint_or("tokenizer.ggml.bos_token_id", 0), 101u);
  EXPECT_EQ(*(*f)->get_uint_or("tokenizer.ggml.eos_token_id", 0), 102u);

  // [CLS] hello world [SEP] and [CLS] goodbye [SEP], one batch.
  const std::vector<BatchToken> batch = {{101, 0, 0}, {7592, 1, 0}, {2088, 2, 0}, {102, 3, 0},
                                         {101, 0, 1}, {9119, 1, 1}, {102, 2, 1}};
  ForwardScratch scratch(hp, 16, 16, 1);
  core::ThreadPool tp(1);
  std::vector<float> v(2 * 384);
  Status st = (*m)->encode(batch, scratch, tp, v.data());
  ASSERT_TRUE(st.ok()) << st.error().message;
  double n0 = 0, diff = 0;
  for (size_t i = 0; i < 384; ++i) {
    ASSERT_TRUE(std::isfinite(v[i]) && std::isfinite(v[384 + i]));
    n0 += double(v[i]) * v[i];
    diff += std::fabs(double(v[i]) - v[384 + i]);
  }
  EXPECT_GT(n0, 0.0);
  EXPECT_GT(diff, 0.0);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace ondo::model::gen
