// Loading LoRA adapter GGUFs (model/lora/adapter.h): a good file binds every pair; each kind
// of bad file is refused with an error naming the file, the tensor and what is wrong.
#include "ondo/model/lora/adapter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <list>

#include "ondo/gguf/writer.h"
#include "ondo/model/gen/gen_lora.h"
#include "ondo/model/model.h"
#include "support/tiny_model.h"

namespace ondo::model {
namespace {

// A tiny llama base (C 32, KV 16, F 64, 2 layers) whose bytes live as long as the fixture.
class LoraAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_bytes_ = testing::tiny_model_bytes({});
    auto m = Model::from_file(std::move(gguf::GgufFile::from_memory(base_bytes_, "base.gguf")).value());
    ASSERT_TRUE(m.ok()) << m.error().message;
    base_ = std::move(*m);
  }
  Result<std::shared_ptr<const LoraAdapter>> load(std::vector<uint8_t> bytes) {
    files_.push_back(std::move(bytes));
    auto f = gguf::GgufFile::from_memory(files_.back(), "adapter.gguf");
    if (!f.ok()) return f.error();
    return LoraAdapter::from_file(std::move(*f), *base_);
  }
  // An adapter file with the standard metadata (changed by `meta`) and the given tensors.
  std::vector<uint8_t> file(const std::vector<std::pair<std::string, std::vector<int64_t>>>& tensors,
                            const std::function<void(gguf::Writer&)>& meta = {},
                            core::DType type = core::DType::F32) {
    gguf::Writer w;
    w.set_string("general.architecture", "llama");
    w.set_string("general.type", "adapter");
    w.set_string("adapter.type", "lora");
    w.set_f32("adapter.lora.alpha", 16.0f);
    if (meta) meta(w);
    for (const auto& [name, shape] : tensors) {
      int64_t n = 1;
      for (int64_t d : shape) n *= d;
      std::vector<uint8_t> bytes(size_t(n) * (type == core::DType::F32 ? 4 : type == core::DType::F16 ? 2 : 0));
      if (type == core::DType::Q8_0) bytes.resize(size_t(n / 32) * 34);
      EXPECT_TRUE(w.add_tensor_owned(name, type, shape, std::move(bytes)).ok()) << name;
    }
    return std::move(*w.to_bytes());
  }
  static std::string err(const Result<std::shared_ptr<const LoraAdapter>>& r) {
    return r.ok() ? std::string("(loaded)") : r.error().message;
  }

  std::vector<uint8_t> base_bytes_;
  std::list<std::vector<uint8_t>> files_;
  std::unique_ptr<Model> base_;
};

TEST_F(LoraAdapterTest, BindsEveryPairWithItsScale) {
  gen::LoraGenSpec spec;
  spec.targets = {LoraTarget::Q, LoraTarget::V, LoraTarget::Down};
  spec.rank = 4;
  spec.alpha = 8.0f;
  auto a = load(std::move(*gen::random_lora_bytes(base_->file(), spec)));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ((*a)->n_pairs(), 6);
  EXPECT_EQ((*a)->max_rank(), 4);
  EXPECT_EQ(&(*a)->base(), base_.get());
  const LoraPair* q = (*a)->pair(1, LoraTarget::Q);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->a.cols(), 32);
  EXPECT_EQ(q->a.rows(), 4);
  EXPECT_EQ(q->b.cols(), 4);
  EXPECT_EQ(q->b.rows(), 32);
  EXPECT_FLOAT_EQ(q->effective_scale(0.5f), 0.5f * 8.0f / 4.0f);
  const LoraPair* down = (*a)->pair(0, LoraTarget::Down);
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->a.cols(), 64);
  EXPECT_EQ(down->b.rows(), 32);
  EXPECT_EQ((*a)->pair(0, LoraTarget::K), nullptr);
}

TEST_F(LoraAdapterTest, NoAlphaMeansTheScaleAlone) {
  auto a = load(file({{"blk.0.attn_q.weight.lora_a", {32, 8}}, {"blk.0.attn_q.weight.lora_b", {8, 32}}},
                     [](gguf::Writer& w) { w.remove("adapter.lora.alpha"); }));
  ASSERT_TRUE(a.ok()) << err(a);
  EXPECT_FLOAT_EQ((*a)->pair(0, LoraTarget::Q)->effective_scale(0.75f), 0.75f);
}

TEST_F(LoraAdapterTest, RefusesFilesThatAreNotLoraAdapters) {
  const std::vector<std::pair<std::string, std::vector<int64_t>>> ok_pair = {
      {"blk.0.attn_q.weight.lora_a", {32, 8}}, {"blk.0.attn_q.weight.lora_b", {8, 32}}};
  auto not_adapter = load(file(ok_pair, [](gguf::Writer& w) { w.set_string("general.type", "model"); }));
  EXPECT_NE(err(not_adapter).find("adapter.gguf: general.type is 'model', expected 'adapter'"), std::string::npos)
      << err(not_adapter);
  auto not_lora = load(file(ok_pair, [](gguf::Writer& w) { w.set_string("adapter.type", "control_vector"); }));
  EXPECT_NE(err(not_lora).find("adapter.type is 'control_vector', expected 'lora'"), std::string::npos) << err(not_lora);
  auto other_arch = load(file(ok_pair, [](gguf::Writer& w) { w.set_string("general.architecture", "qwen2"); }));
  EXPECT_NE(err(other_arch).find("architecture 'qwen2' but the base model base.gguf is 'llama'"), std::string::npos)
      << err(other_arch);
  auto no_type = load(file(ok_pair, [](gguf::Writer& w) { w.remove("general.type"); }));
  EXPECT_NE(err(no_type).find("general.type"), std::string::npos) << err(no_type);
  auto empty = load(file({}));
  EXPECT_NE(err(empty).find("has no LoRA tensors"), std::string::npos) << err(empty);
}

TEST_F(LoraAdapterTest, NamesTheTensorWhoseShapeIsWrong) {
  auto wrong_in = load(file({{"blk.1.attn_k.weight.lora_a", {30, 8}}, {"blk.1.attn_k.weight.lora_b", {8, 16}}}));
  EXPECT_NE(err(wrong_in).find("tensor 'blk.1.attn_k.weight.lora_a' has shape [30, 8], expected [32, 8]"),
            std::string::npos)
      << err(wrong_in);
  auto wrong_out = load(file({{"blk.1.attn_k.weight.lora_a", {32, 8}}, {"blk.1.attn_k.weight.lora_b", {8, 32}}}));
  EXPECT_NE(err(wrong_out).find("tensor 'blk.1.attn_k.weight.lora_b' has shape [8, 32], expected [8, 16]"),
            std::string::npos)
      << err(wrong_out);
  auto rank_mismatch = load(file({{"blk.0.ffn_up.weight.lora_a", {32, 4}}, {"blk.0.ffn_up.weight.lora_b", {8, 64}}}));
  EXPECT_NE(err(rank_mismatch).find("'blk.0.ffn_up.weight.lora_a' has shape [32, 4], expected [32, 8]"),
            std::string::npos)
      << err(rank_mismatch);
  auto three_d = load(file({{"blk.0.attn_q.weight.lora_a", {32, 8, 2}}, {"blk.0.attn_q.weight.lora_b", {8, 32}}}));
  EXPECT_NE(err(three_d).find("'blk.0.attn_q.weight.lora_a' is not a matrix"), std::string::npos) << err(three_d);
}

TEST_F(LoraAdapterTest, NamesMissingPartnersAndUnknownTargets) {
  auto half = load(file({{"blk.0.attn_q.weight.lora_a", {32, 8}}}));
  EXPECT_NE(err(half).find("'blk.0.attn_q.weight.lora_a' has no partner 'blk.0.attn_q.weight.lora_b'"),
            std::string::npos)
      << err(half);
  auto embd = load(file({{"token_embd.weight.lora_a", {32, 8}}, {"token_embd.weight.lora_b", {8, 40}}}));
  EXPECT_NE(err(embd).find("adapts 'token_embd.weight', which ondo does not adapt"), std::string::npos) << err(embd);
  auto layer = load(file({{"blk.7.attn_q.weight.lora_a", {32, 8}}, {"blk.7.attn_q.weight.lora_b", {8, 32}}}));
  EXPECT_NE(err(layer).find("is for layer 7 but the base has 2 layers"), std::string::npos) << err(layer);
  auto stray = load(file({{"blk.0.attn_q.weight", {32, 32}}}));
  EXPECT_NE(err(stray).find("tensor 'blk.0.attn_q.weight' is not a LoRA tensor"), std::string::npos) << err(stray);
}

TEST_F(LoraAdapterTest, RefusesTypesOtherThanF32AndF16) {
  auto q8 = load(file({{"blk.0.attn_q.weight.lora_a", {32, 32}}, {"blk.0.attn_q.weight.lora_b", {32, 32}}}, {},
                      core::DType::Q8_0));
  EXPECT_NE(err(q8).find("'blk.0.attn_q.weight.lora_a' has type Q8_0, expected F32 or F16"), std::string::npos)
      << err(q8);
  auto f16 = load(file({{"blk.0.attn_q.weight.lora_a", {32, 8}}, {"blk.0.attn_q.weight.lora_b", {8, 32}}}, {},
                       core::DType::F16));
  EXPECT_TRUE(f16.ok()) << err(f16);
}

TEST_F(LoraAdapterTest, TruncatedFilesFailInTheReader) {
  std::vector<uint8_t> bytes = *gen::random_lora_bytes(base_->file(), {});
  for (size_t cut : {size_t(8), bytes.size() / 2, bytes.size() - 1}) {
    auto a = load(std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(cut)));
    EXPECT_FALSE(a.ok()) << "cut at " << cut;
  }
}

TEST(LoraSet, DropsZeroScalesAndRefusesNonFiniteOnes) {
  auto base_bytes = testing::tiny_model_bytes({});
  auto m = Model::from_file(std::move(gguf::GgufFile::from_memory(base_bytes, "base.gguf")).value());
  ASSERT_TRUE(m.ok());
  auto bytes = *gen::random_lora_bytes((*m)->file(), {});
  auto a = LoraAdapter::from_file(std::move(gguf::GgufFile::from_memory(bytes, "a.gguf")).value(), **m);
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto set = make_lora_set({{*a, 0.0f}, {*a, 0.5f}});
  ASSERT_TRUE(set.ok());
  ASSERT_EQ((*set)->uses.size(), 1u);
  EXPECT_EQ((*set)->uses[0].scale, 0.5f);
  auto bad = make_lora_set({{*a, std::nanf("")}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("lora[0]: scale is not a finite number"), std::string::npos);
}

}  // namespace
}  // namespace ondo::model
