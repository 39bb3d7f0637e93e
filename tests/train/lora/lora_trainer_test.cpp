// The LoRA training loop: loss falls on a tiny dataset, the same seed gives the same adapter
// bit for bit, a run resumed from a checkpoint ends where an uninterrupted one does, and the
// per-group alpha folds into the file's single alpha.
#include "ondo/train/lora/lora_trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace ondo::train::lora {
namespace {

class LoraTrainerTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    testing::TinyModelSpec s;
    const auto bytes = testing::tiny_model_bytes(s);
    const std::string p = path("base.gguf");
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
    auto b = FrozenBase::open(p);
    ASSERT_TRUE(b.ok()) << b.error().message;
    base_ = std::move(b).value();
  }
  // Sequences following a fixed cycle: a pattern the adapter can learn.
  static std::vector<Example> data() {
    std::vector<Example> out;
    for (int i = 0; i < 8; ++i) {
      Example e;
      for (int k = 0; k < 10 + i % 3; ++k) e.tokens.push_back(int32_t(3 + (i + k * 7) % 11));
      e.mask.assign(e.tokens.size(), 1);
      out.push_back(e);
    }
    return out;
  }
  LoraTrainOptions opts() const {
    LoraTrainOptions o;
    EXPECT_TRUE(parse_targets("q,v,up", o.lora).ok());
    o.lora.attn = {4, 8.0f};
    o.lora.mlp = {2, 4.0f};
    o.lr = 1e-2f;
    o.batch = 2;
    o.warmup = 2;
    o.max_steps = 8;
    o.n_ctx = 16;
    o.seed = 7;
    return o;
  }
  std::vector<float> run(const LoraTrainOptions& o, int64_t steps, const std::string& save = "",
                         const std::string& load = "") {
    core::ThreadPool pool(2);
    LoraTrainer t(*base_, o, data(), {}, 0);
    if (!load.empty()) EXPECT_TRUE(t.load_checkpoint(load).ok());
    for (int64_t i = 0; i < steps; ++i) t.train_step(pool, nullptr);
    if (!save.empty()) EXPECT_TRUE(t.save_checkpoint(save).ok());
    return t.params();
  }
  std::unique_ptr<FrozenBase> base_;
};

TEST_F(LoraTrainerTest, LossFallsOnATinyDataset) {
  LoraTrainOptions o = opts();
  o.lora.targets.fill(true);
  o.max_steps = 40;
  core::ThreadPool pool(2);
  LoraTrainer t(*base_, o, data(), data(), 0);
  const double before = t.evaluate(pool);
  double first = 0, last = 0;
  for (int i = 0; i < 40; ++i) {
    const double l = t.train_step(pool, nullptr);
    if (i == 0) first = l;
    last = l;
  }
  const double after = t.evaluate(pool);
  EXPECT_LT(last, 0.7 * first) << "first " << first << " last " << last;
  EXPECT_LT(after, 0.7 * before) << "before " << before << " after " << after;
}

TEST_F(LoraTrainerTest, SameSeedGivesTheSameAdapterBitwise) {
  LoraTrainOptions o = opts();
  o.lora.dropout = 0.1f;
  o.grad_accum = 2;
  const auto a = run(o, 5), b = run(o, 5);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  o.seed = 8;
  const auto c = run(o, 5);
  EXPECT_NE(std::memcmp(a.data(), c.data(), a.size() * sizeof(float)), 0);
}

TEST_F(LoraTrainerTest, ResumedRunEqualsUninterrupted) {
  LoraTrainOptions o = opts();
  o.lora.dropout = 0.05f;
  const auto whole = run(o, 7);
  const std::string ck = path("ck.gguf");
  run(o, 3, ck);
  const auto resumed = run(o, 4, "", ck);
  ASSERT_EQ(whole.size(), resumed.size());
  EXPECT_EQ(std::memcmp(whole.data(), resumed.data(), whole.size() * sizeof(float)), 0);
}

TEST_F(LoraTrainerTest, CheckpointOfOtherTargetsIsRefused) {
  LoraTrainOptions o = opts();
  const std::string ck = path("ck.gguf");
  run(o, 1, ck);
  o.lora.attn.rank = 2;
  LoraTrainer t(*base_, o, data(), {}, 0);
  auto s = t.load_checkpoint(ck);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("targets, ranks"), std::string::npos) << s.error().message;
}

TEST_F(LoraTrainerTest, AdapterFoldsGroupAlphaIntoB) {
  LoraTrainOptions o = opts();
  o.lora.attn = {4, 8.0f};  // scale 2
  o.lora.mlp = {2, 1.0f};   // scale 0.5
  core::ThreadPool pool(1);
  LoraTrainer t(*base_, o, data(), {}, 0);
  for (int i = 0; i < 2; ++i) t.train_step(pool, nullptr);
  const AdapterFile a = t.adapter();
  EXPECT_EQ(a.architecture, "llama");
  EXPECT_FLOAT_EQ(a.alpha, 8.0f);
  const ParamLayout& l = t.model().layout();
  ASSERT_EQ(a.pairs.size() * 2, l.tensors.size());
  for (size_t i = 0; i < a.pairs.size(); ++i) {
    const AdapterPair& p = a.pairs[i];
    const ParamTensor& tb = l.tensors[2 * i + 1];
    const bool attn = p.weight.find("attn_") != std::string::npos;
    const float trained = attn ? 2.0f : 0.5f;
    const float file_scale = a.alpha / float(p.rank);  // what llama.cpp applies
    for (int64_t k = 0; k < tb.size(); ++k) {
      EXPECT_NEAR(file_scale * p.b[size_t(k)], trained * t.params()[size_t(tb.offset + k)], 1e-6) << p.weight;
    }
  }
}

TEST_F(LoraTrainerTest, TrainLoraCancelsFromTheHookAndResumes) {
  {
    std::ofstream f(path("t.txt"));
    for (int i = 0; i < 40; ++i) f << "a3 b4 c5 d6 e7 f8 ";
  }
  LoraTrainOptions o = opts();
  o.base = path("base.gguf");
  o.data = path("t.txt");
  o.format = DataFormat::Text;
  o.max_steps = 6;
  o.checkpoint_every = 0;
  o.threads = 2;
  o.out = path("whole.gguf");
  auto whole = train_lora(o, {});
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  EXPECT_EQ(whole->steps, 6);

  o.out = path("resumed.gguf");
  o.checkpoint = path("ck.gguf");
  std::vector<LoraTrainProgress> seen;
  LoraTrainHooks stop_at_3;
  stop_at_3.on_step = [&](const LoraTrainProgress& p) {
    seen.push_back(p);
    return p.step < 3;
  };
  auto cancelled = train_lora(o, stop_at_3);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().code, ErrorCode::Cancelled);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.back().total, 6);
  EXPECT_GT(seen.back().tokens_per_s, 0);
  EXPECT_FALSE(std::filesystem::exists(o.out));
  ASSERT_TRUE(std::filesystem::exists(o.checkpoint));
  o.resume = true;
  auto resumed = train_lora(o, {});
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_TRUE(resumed->resumed);
  std::ifstream a(path("whole.gguf"), std::ios::binary), b(path("resumed.gguf"), std::ios::binary);
  const std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_FALSE(sa.empty());
  EXPECT_TRUE(sa == sb) << "the resumed adapter differs from the uninterrupted one";
}

TEST(LoraTrainOptionsTest, BadOptionsAreNamed) {
  LoraTrainOptions o;
  ASSERT_TRUE(parse_targets("q,v", o.lora).ok());
  EXPECT_TRUE(validate_train_options(o).ok());
  o.batch = 0;
  auto s = validate_train_options(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("batch"), std::string::npos);
  o.batch = 4;
  o.lr = -1;
  EXPECT_NE(validate_train_options(o).error().message.find("learning rate"), std::string::npos);
}

}  // namespace
}  // namespace ondo::train::lora
