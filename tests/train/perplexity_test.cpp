// compute_perplexity (train/perplexity.h): the perplexity is exp of the mean negative
// log-likelihood of the second half of each chunk, computed here by hand from the chunk's
// logits; a model against itself has KL 0 and full top-1 agreement; a base with another
// vocabulary is an error. Layer: train (tests).
#include "ondo/train/perplexity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace ondo::train {
namespace {

class PerplexityTest : public ondo::testing::TempDirTest {
 protected:
  std::string write_model(const std::string& name, const ondo::testing::TinyModelSpec& spec) {
    const auto bytes = ondo::testing::tiny_model_bytes(spec);
    std::ofstream(path(name), std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return path(name);
  }
};

TEST(LogSoftmax, ExponentsSumToOne) {
  const float x[4] = {1.f, -2.f, 30.f, 0.5f};
  double out[4];
  log_softmax(x, 4, out);
  double s = 0;
  for (double v : out) s += std::exp(v);
  EXPECT_NEAR(s, 1.0, 1e-12);
  EXPECT_NEAR(out[2] - out[0], 29.0, 1e-9);
}

TEST_F(PerplexityTest, PerplexityIsExpOfTheMeanNllOfTheSecondHalves) {
  PerplexityOptions o;
  o.model = write_model("a.gguf", {});
  o.source.random_chunks = 2;
  o.source.seed = 4;
  o.source.chunk = 12;
  core::ComputePool pool(2);
  auto r = compute_perplexity(o, pool);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->n_chunks, 2);
  EXPECT_EQ(r->n_scored, 2 * 5);  // positions 6..10 of each chunk predict 7..11
  EXPECT_FALSE(r->has_base);

  auto m = model::Model::load(o.model).value();
  auto tok = text::Tokenizer::from_gguf(m->file()).value();
  const auto chunks = make_chunks(o.source, *tok).value();
  auto runner = ChunkRunner::create(*m, pool, 12).value();
  const int64_t V = m->hparams().n_vocab;
  double nll = 0;
  for (const auto& c : chunks) {
    auto logits = runner->eval(c, true).value();
    for (size_t j = 6; j + 1 < c.size(); ++j) {
      const float* row = logits.data() + j * size_t(V);
      double mx = row[0], s = 0;
      for (int64_t v = 1; v < V; ++v) mx = std::max(mx, double(row[v]));
      for (int64_t v = 0; v < V; ++v) s += std::exp(row[v] - mx);
      nll += -(row[c[j + 1]] - mx - std::log(s));
    }
  }
  EXPECT_NEAR(r->nll, nll / 10, 1e-9);
  EXPECT_NEAR(r->ppl, std::exp(nll / 10), 1e-6 * r->ppl);
}

TEST_F(PerplexityTest, AModelAgainstItselfHasNoDivergence) {
  PerplexityOptions o;
  o.model = write_model("a.gguf", {});
  o.kl_base = o.model;
  o.source.random_chunks = 2;
  o.source.chunk = 16;
  core::ComputePool pool(1);
  auto r = compute_perplexity(o, pool);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->has_base);
  EXPECT_NEAR(r->kld_mean, 0.0, 1e-12);
  EXPECT_EQ(r->top1_agree, 1.0);
  EXPECT_DOUBLE_EQ(r->base_ppl, r->ppl);

  ondo::testing::TinyModelSpec other;
  other.seed = 99;
  o.kl_base = write_model("b.gguf", other);
  r = compute_perplexity(o, pool);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(r->kld_mean, 1e-3);  // another model's distributions differ
  EXPECT_GE(r->kld_max, r->kld_mean);
}

TEST_F(PerplexityTest, BaseWithAnotherVocabularyIsAnError) {
  ondo::testing::TinyModelSpec wide;
  wide.n_vocab = 50;
  PerplexityOptions o;
  o.model = write_model("a.gguf", {});
  o.kl_base = write_model("b.gguf", wide);
  o.source.random_chunks = 1;
  o.source.chunk = 8;
  core::ComputePool pool(1);
  auto r = compute_perplexity(o, pool);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("vocabulary of 50 tokens"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace ondo::train
