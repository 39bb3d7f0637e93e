// Requests with LoRA adapters through the scheduler (GenerationRequest::lora): requests with
// different adapters, or none, batched together produce exactly their solo tokens; the prefix
// cache and the slot K/V reuse never hand one adapter's K/V to a request with another.
#include <gtest/gtest.h>

#include <thread>

#include "infer/scheduler/scheduler_support.h"
#include "ondo/model/gen/gen_lora.h"

namespace ondo::infer {
namespace {

using testing::drain;
using testing::Drained;
using testing::sampled;

struct Adapters {
  std::vector<uint8_t> a_bytes, b_bytes;
  std::shared_ptr<const model::LoraAdapter> a, b;
  explicit Adapters(const model::Model& m) {
    model::gen::LoraGenSpec sa;
    sa.targets = {model::LoraTarget::Q, model::LoraTarget::V, model::LoraTarget::Down};
    sa.b_std = 0.3f;
    a_bytes = model::gen::random_lora_bytes(m.file(), sa).value();
    model::gen::LoraGenSpec sb;
    sb.targets = {model::LoraTarget::K, model::LoraTarget::O, model::LoraTarget::Up};
    sb.rank = 4;
    sb.seed = 9;
    sb.b_std = 0.3f;
    b_bytes = model::gen::random_lora_bytes(m.file(), sb).value();
    a = model::LoraAdapter::from_file(gguf::GgufFile::from_memory(a_bytes, "a.gguf").value(), m).value();
    b = model::LoraAdapter::from_file(gguf::GgufFile::from_memory(b_bytes, "b.gguf").value(), m).value();
  }
};

std::vector<int32_t> prompt_of(int32_t first, int32_t n) {
  std::vector<int32_t> p;
  for (int32_t i = 0; i < n; ++i) p.push_back(3 + (first + 5 * i) % 37);
  return p;
}

GenerationRequest with(GenerationRequest r, std::shared_ptr<const model::LoraSet> set) {
  r.lora = std::move(set);
  return r;
}

TEST(SchedulerLora, MixedAdapterBatchesGiveEachRequestItsSoloTokens) {
  auto t = testing::tiny_served(3);
  ASSERT_TRUE(t);
  Adapters ad(*t->model);
  const std::vector<std::shared_ptr<const model::LoraSet>> sets = {
      nullptr, *model::make_lora_set({{ad.a, 1.0f}}), *model::make_lora_set({{ad.b, 0.5f}}),
      *model::make_lora_set({{ad.a, 1.0f}, {ad.b, 2.0f}})};
  core::ComputePool pool(2);
  std::vector<Drained> solo;
  for (size_t i = 0; i < sets.size(); ++i) {
    SchedulerOptions o;
    o.n_parallel = 1;
    auto s = Scheduler::create(*t->model, *t->tok, o, pool);
    ASSERT_TRUE(s.ok());
    solo.push_back(drain(**(*s)->submit(with(sampled(prompt_of(int32_t(i), 9), 16, 7), sets[i]))));
  }
  for (size_t i = 1; i < sets.size(); ++i) EXPECT_NE(solo[i].tokens, solo[0].tokens) << "set " << i;
  SchedulerOptions o;
  o.n_parallel = 4;
  o.max_batch_tokens = 16;  // prompts in chunks beside running decodes
  auto s = Scheduler::create(*t->model, *t->tok, o, pool);
  ASSERT_TRUE(s.ok());
  std::vector<std::shared_ptr<RequestHandle>> hs;
  for (size_t round = 0; round < 2; ++round) {
    for (size_t i = 0; i < sets.size(); ++i) {
      auto h = (*s)->submit(with(sampled(prompt_of(int32_t(i), 9), 16, 7), sets[i]));
      ASSERT_TRUE(h.ok()) << h.error().message;
      hs.push_back(*h);
    }
  }
  std::vector<Drained> out(hs.size());
  std::vector<std::thread> clients;
  for (size_t i = 0; i < hs.size(); ++i) clients.emplace_back([&, i] { out[i] = drain(*hs[i]); });
  for (auto& c : clients) c.join();
  for (size_t i = 0; i < hs.size(); ++i) EXPECT_EQ(out[i].tokens, solo[i % sets.size()].tokens) << "request " << i;
}

TEST(SchedulerLora, PrefixCacheAndSlotReuseKeyOnTheAdapters) {
  auto t = testing::tiny_served(4);
  ASSERT_TRUE(t);
  Adapters ad(*t->model);
  const auto a = *model::make_lora_set({{ad.a, 1.0f}});
  const auto a_half = *model::make_lora_set({{ad.a, 0.5f}});
  const auto prompt = prompt_of(1, 70);  // two whole 32-token cache blocks
  core::ComputePool pool(1);
  auto fresh = [&](std::shared_ptr<const model::LoraSet> set) {
    SchedulerOptions o;
    o.n_parallel = 1;
    o.cache_mem_bytes = 0;
    auto s = Scheduler::create(*t->model, *t->tok, o, pool);
    return drain(**(*s)->submit(with(sampled(prompt, 8, 3), set)));
  };
  const Drained base = fresh(nullptr), with_a = fresh(a), with_half = fresh(a_half);
  ASSERT_NE(base.tokens, with_a.tokens);
  ASSERT_NE(with_a.tokens, with_half.tokens);

  SchedulerOptions o;
  o.n_parallel = 1;  // one slot: each request could reuse the K/V the last one left there
  auto s = Scheduler::create(*t->model, *t->tok, o, pool);
  ASSERT_TRUE(s.ok());
  auto run = [&](std::shared_ptr<const model::LoraSet> set, int32_t* cached) {
    auto h = (*s)->submit(with(sampled(prompt, 8, 3), set));
    const Drained d = drain(**h);
    *cached = (*h)->timing().cached_prompt_tokens;
    return d;
  };
  int32_t cached = -1;
  EXPECT_EQ(run(a, &cached).tokens, with_a.tokens);
  EXPECT_EQ(cached, 0);
  EXPECT_EQ(run(nullptr, &cached).tokens, base.tokens);  // not adapter a's K/V
  EXPECT_EQ(cached, 0);
  EXPECT_EQ(run(a_half, &cached).tokens, with_half.tokens);  // another scale: not reused either
  EXPECT_EQ(cached, 0);
  EXPECT_EQ(run(a, &cached).tokens, with_a.tokens);  // a's own blocks come back from the cache
  EXPECT_EQ(cached, 64);
  EXPECT_EQ(run(a, &cached).tokens, with_a.tokens);  // and the slot's own K/V
  EXPECT_EQ(cached, 69);
}

TEST(SchedulerLora, RefusesAnAdapterOfAnotherModel) {
  auto t = testing::tiny_served(3), u = testing::tiny_served(5);
  Adapters other(*u->model);
  core::ComputePool pool(1);
  auto s = Scheduler::create(*t->model, *t->tok, {}, pool);
  auto h = (*s)->submit(with(sampled(prompt_of(0, 4), 2, 1), *model::make_lora_set({{other.a, 1.0f}})));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(h.error().message.find("not bound to this scheduler's model"), std::string::npos);
}

}  // namespace
}  // namespace ondo::infer
