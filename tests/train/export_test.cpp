// The exported GGUF loads in model::Model and its inference forward pass gives the trainer's
// logits for the same tokens. Layer: tests/train.
#include "ondo/train/export.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ondo/model/blocks/decoder_weights.h"
#include "ondo/model/model.h"
#include "ondo/train/train_model.h"
#include "tiny_setup.h"

namespace ondo::train {
namespace {

TEST(TrainExport, InferenceLogitsMatchTrainerLogits) {
  auto tf = testing::make_tokenizer(320);
  ModelConfig c;
  c.n_vocab = tf.tok->n_vocab(), c.n_embd = 32, c.n_layer = 2, c.n_head = 4, c.n_head_kv = 2;
  c.n_ff = 48, c.n_ctx = 16;
  ASSERT_TRUE(validate_config(c).ok());
  TrainModel tm(c, 1);
  std::vector<float> p(size_t(tm.layout().n_params));
  Rng rng(3);
  for (const ParamTensor& t : tm.layout().tensors) {
    for (int64_t i = 0; i < t.size(); ++i) p[size_t(t.offset + i)] = t.decay ? rng.normal(0.2f) : 1.0f + rng.normal(0.1f);
  }
  gguf::Writer w;
  ExportInfo info;
  info.chat_template = "{{ messages[0]['content'] }}";
  ASSERT_TRUE(build_model_gguf(c, tm.layout(), p.data(), *tf.file, info, w).ok());
  auto bytes = w.to_bytes();
  ASSERT_TRUE(bytes.ok());
  auto file = gguf::GgufFile::from_memory(*bytes, "trained.gguf");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ((*file)->get_string("tokenizer.chat_template").value(), info.chat_template);
  auto m = model::Model::from_file(std::move(file).value());
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_TRUE((*m)->weights_as<model::blocks::DecoderWeights>()->tied_output);

  auto ids = tf.tok->encode("the cat ate 양파를 bone");
  ASSERT_TRUE(ids.ok());
  const int64_t S = int64_t(ids->size());
  ASSERT_LE(S, c.n_ctx);
  core::ThreadPool pool(2);
  const float* ref = tm.forward(p.data(), ids->data(), 1, S, pool);

  const model::HParams& hp = (*m)->hparams();
  std::vector<float> kb(size_t(hp.n_layer) * size_t(c.n_ctx) * size_t(hp.kv_dim())), vb(kb.size());
  model::KvStore kv{hp.n_layer, 1, c.n_ctx, hp.kv_dim(), kb.data(), vb.data()};
  model::ForwardScratch scratch(hp, int32_t(S), c.n_ctx, 2);
  std::vector<model::BatchToken> batch;
  for (int64_t t = 0; t < S; ++t) batch.push_back({(*ids)[size_t(t)], int32_t(t), 0, true});
  std::vector<float> logits(size_t(S) * size_t(c.n_vocab));
  ASSERT_TRUE((*m)->forward(batch, kv, scratch, pool, logits.data()).ok());
  double max_diff = 0;
  for (size_t i = 0; i < logits.size(); ++i) max_diff = std::max(max_diff, double(std::fabs(logits[i] - ref[i])));
  EXPECT_LT(max_diff, 1e-4);
}

TEST(TrainExport, VocabularyMismatchIsAnError) {
  auto tf = testing::make_tokenizer(320);
  ModelConfig c;
  c.n_vocab = tf.tok->n_vocab() + 1, c.n_embd = 8, c.n_layer = 1, c.n_head = 2, c.n_head_kv = 2, c.n_ff = 8;
  c.n_ctx = 4;
  const ParamLayout l = make_layout(c);
  std::vector<float> p(size_t(l.n_params));
  gguf::Writer w;
  auto st = build_model_gguf(c, l, p.data(), *tf.file, {}, w);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ondo::train
