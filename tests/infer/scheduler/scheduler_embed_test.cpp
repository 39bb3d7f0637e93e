// Embedding requests on an encoder model (the test-only fakeenc unit): pooled vectors equal
// an encode() of each sequence alone (bitwise) however requests are batched, waiting requests
// share one pass, and wrong kinds and bad inputs are refused.
#include <gtest/gtest.h>

#include <cstring>

#include "infer/scheduler/scheduler_support.h"
#include "model/fake_encoder.h"

namespace ondo::infer {
namespace {

constexpr int kVocab = 24;

struct Served {
  std::vector<uint8_t> enc_bytes, tok_bytes;
  std::unique_ptr<model::Model> model;
  std::unique_ptr<text::Tokenizer> tok;
};

std::unique_ptr<Served> encoder() {
  auto s = std::make_unique<Served>();
  s->enc_bytes = ondo::testing::fake_encoder_bytes({.n_vocab = kVocab});
  auto m = model::Model::from_file(std::move(gguf::GgufFile::from_memory(s->enc_bytes, "enc.gguf")).value(),
                                   ondo::testing::fake_encoder_unit());
  ondo::testing::TinyModelSpec spec;  // only for a tokenizer of the same vocabulary size
  spec.n_vocab = kVocab;
  s->tok_bytes = ondo::testing::tiny_model_bytes(spec);
  auto f = gguf::GgufFile::from_memory(s->tok_bytes, "tok.gguf");
  if (!m.ok() || !f.ok()) return nullptr;
  auto t = text::Tokenizer::from_gguf(**f);
  if (!t.ok()) return nullptr;
  s->model = std::move(m).value();
  s->tok = std::move(t).value();
  return s;
}

std::vector<float> alone(const model::Model& m, const std::vector<int32_t>& seq) {
  model::ForwardScratch scratch(m.hparams(), 32, 32, 1);
  core::ThreadPool pool(1);
  std::vector<model::BatchToken> b;
  for (size_t p = 0; p < seq.size(); ++p) b.push_back({seq[p], int32_t(p), 0, false});
  std::vector<float> out(size_t(m.n_embd_out()));
  EXPECT_TRUE(m.encode(b, scratch, pool, out.data()).ok());
  return out;
}

std::vector<int32_t> seq_of(int seed, int n) {
  std::vector<int32_t> s;
  for (int i = 0; i < n; ++i) s.push_back((seed * 7 + i * 5) % kVocab);
  return s;
}

SchedulerOptions options() {
  SchedulerOptions o;
  o.n_parallel = 2;
  o.n_ctx = 32;
  o.max_batch_tokens = 16;
  return o;
}

TEST(SchedulerEmbeddings, VectorsEqualEncodingEachSequenceAlone) {
  auto e = encoder();
  ASSERT_TRUE(e);
  core::ComputePool pool(2);
  auto s = Scheduler::create(*e->model, *e->tok, options(), pool);
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::vector<EmbeddingRequest> reqs;
  for (int r = 0; r < 5; ++r) {
    EmbeddingRequest q;
    for (int i = 0; i <= r % 3; ++i) q.inputs.push_back(seq_of(r * 3 + i, 1 + (r * 5 + i * 3) % 16));
    reqs.push_back(q);
  }
  std::vector<std::shared_ptr<EmbeddingHandle>> hs;
  for (const auto& q : reqs) {
    auto h = (*s)->submit_embedding(q);
    ASSERT_TRUE(h.ok()) << h.error().message;
    hs.push_back(*h);
  }
  for (size_t r = 0; r < hs.size(); ++r) {
    auto v = hs[r]->wait();
    ASSERT_TRUE(v.has_value());
    ASSERT_TRUE(v->ok()) << v->error().message;
    ASSERT_EQ((*v)->size(), reqs[r].inputs.size());
    for (size_t i = 0; i < reqs[r].inputs.size(); ++i) {
      const std::vector<float> want = alone(*e->model, reqs[r].inputs[i]);
      ASSERT_EQ((**v)[i].size(), want.size());
      EXPECT_EQ(std::memcmp((**v)[i].data(), want.data(), want.size() * sizeof(float)), 0) << "request " << r << " input " << i;
    }
  }
}

TEST(SchedulerEmbeddings, WaitingRequestsShareOnePass) {
  auto e = encoder();
  ASSERT_TRUE(e);
  core::ComputePool pool(1);
  auto s = Scheduler::create(*e->model, *e->tok, options(), pool);
  ASSERT_TRUE(s.ok());
  std::vector<std::shared_ptr<EmbeddingHandle>> hs;
  const uint64_t grants0 = pool.grants();
  {
    const core::ComputePool::Lease held = pool.acquire(core::Priority::Background);
    hs.push_back(*(*s)->submit_embedding({{seq_of(1, 4)}}));
    while (pool.waiting(core::Priority::Serving) < 1) std::this_thread::yield();  // its pass waits
    for (int r = 2; r <= 4; ++r) hs.push_back(*(*s)->submit_embedding({{seq_of(r, 3), seq_of(r + 10, 2)}}));
  }
  for (auto& h : hs) {
    auto v = h->wait();
    ASSERT_TRUE(v && v->ok());
  }
  EXPECT_EQ(pool.grants() - grants0, 1u /*held*/ + 2u /*first request, then the three others in one pass*/);
}

TEST(SchedulerEmbeddings, RefusesWrongKindsAndBadInputs) {
  auto e = encoder();
  auto g = testing::tiny_served(7);
  ASSERT_TRUE(e && g);
  core::ComputePool pool(1);
  auto enc = Scheduler::create(*e->model, *e->tok, options(), pool);
  auto gen = Scheduler::create(*g->model, *g->tok, options(), pool);
  ASSERT_TRUE(enc.ok() && gen.ok());
  auto r1 = (*enc)->submit(testing::sampled({3, 4}, 2, 1));
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, ErrorCode::InvalidArgument);
  auto r2 = (*gen)->submit_embedding({{{3, 4}}});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::InvalidArgument);
  for (const EmbeddingRequest& bad : {EmbeddingRequest{}, EmbeddingRequest{{{}}}, EmbeddingRequest{{seq_of(1, 17)}},
                                      EmbeddingRequest{{{1, kVocab}}}}) {
    auto r = (*enc)->submit_embedding(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument) << r.error().message;
  }
  auto ok = (*enc)->submit_embedding({{seq_of(1, 16)}});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE((*ok)->wait()->ok());
}

}  // namespace
}  // namespace ondo::infer
