// The training loop: loss falls on a small learnable task, the same seed gives the same
// losses (also when serving work preempts it), and N steps equal N/2 + checkpoint + resume + N/2 bit for bit. Layer: tests/train.
#include "ondo/train/trainer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

namespace ondo::train {
namespace {

// Sequences counting up modulo 10 from random starts: next token = previous + 1.
std::vector<Example> counting(int n, uint64_t seed) {
  Rng r(seed);
  std::vector<Example> out;
  for (int i = 0; i < n; ++i) {
    Example e;
    int32_t x = int32_t(r.below(10));
    for (int k = 0; k < 9; ++k) e.tokens.push_back((x + k) % 10 + 1);
    e.mask.assign(e.tokens.size(), 1);
    out.push_back(e);
  }
  return out;
}

TrainOptions options(int64_t steps) {
  TrainOptions o;
  o.model.n_vocab = 12, o.model.n_embd = 16, o.model.n_layer = 1, o.model.n_head = 2, o.model.n_head_kv = 1;
  o.model.n_ff = 32, o.model.n_ctx = 8;
  o.opt.lr = 1e-2f, o.opt.warmup = 5, o.opt.total_steps = steps;
  o.batch = 4, o.seed = 11;
  return o;
}

core::ComputePool& pool() {
  static core::ComputePool p(2);
  return p;
}

std::vector<double> run_losses(Trainer& t) {
  std::vector<double> losses;
  EXPECT_TRUE(t.run([&](const StepReport& r) { losses.push_back(r.loss); }, nullptr).ok());
  return losses;
}

TEST(Trainer, LossFallsAndValidationIsReported) {
  Trainer t(options(60), pool(), counting(64, 1), counting(8, 2), 0);
  double first = -1, last = -1, val = -1;
  ASSERT_TRUE(t.run([&](const StepReport& r) {
                 if (first < 0) first = r.loss;
                 last = r.loss;
                 if (r.val_loss >= 0) val = r.val_loss;
               }, nullptr).ok());
  EXPECT_LT(last, first * 0.5);
  EXPECT_GT(val, 0.0);
  EXPECT_LT(val, first);
}

TEST(Trainer, SameSeedSameLosses) {
  Trainer a(options(10), pool(), counting(32, 1), {}, 0), b(options(10), pool(), counting(32, 1), {}, 0);
  EXPECT_EQ(run_losses(a), run_losses(b));
}

// Serving work preempting the trainer at its ops (core/compute_pool.h) changes timing only:
// a thread that keeps taking Serving leases (a ServingActivity held now and then) makes the
// trainer yield, and the losses are those of an undisturbed run. The serving thread asks for
// the pool only once the trainer holds it or is outside a lease (never while a Background
// request or resume waits), so the trainer advances at least one op per cycle.
TEST(Trainer, PreemptedByServingSameLosses) {
  core::ComputePool cp(2);
  Trainer quiet(options(10), cp, counting(32, 1), {}, 0);
  const auto expected = run_losses(quiet);
  for (int attempt = 0; attempt < 5 && cp.yields() == 0; ++attempt) {
    std::atomic<bool> done{false};
    std::thread serving([&] {
      for (int i = 0; !done.load(); ++i) {
        while (!done.load() && (cp.waiting(core::Priority::Background) > 0 || cp.background_suspended())) {
          std::this_thread::yield();
        }
        std::optional<core::ComputePool::ServingActivity> activity;
        if (i % 3 == 0) activity.emplace(cp);
        const core::ComputePool::Lease lease = cp.acquire(core::Priority::Serving);
        lease.pool().run([](int, int) {});
      }
    });
    Trainer busy(options(10), cp, counting(32, 1), {}, 0);
    const auto got = run_losses(busy);
    done.store(true);
    serving.join();
    EXPECT_EQ(got, expected);
  }
  EXPECT_GT(cp.yields(), 0u);
}

TEST(Trainer, ResumeIsBitExact) {
  const auto dir = std::filesystem::temp_directory_path() / ("ondo_train_resume_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Trainer straight(options(20), pool(), counting(32, 1), {}, 0);
  const auto all = run_losses(straight);

  TrainOptions half = options(20);
  half.ckpt_dir = dir;
  half.ckpt_every = 10;
  Trainer first(half, pool(), counting(32, 1), {}, 0);
  std::atomic<bool> stop{false};
  std::vector<double> losses;
  auto st = first.run([&](const StepReport& r) {
    losses.push_back(r.loss);
    if (r.step == 10) stop = true;
  }, &stop);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::Cancelled);
  ASSERT_EQ(first.step(), 10);

  Trainer resumed(options(20), pool(), counting(32, 1), {}, 0);
  ASSERT_TRUE(resumed.load_checkpoint(dir / "ckpt-10.gguf").ok());
  for (double l : run_losses(resumed)) losses.push_back(l);
  EXPECT_EQ(losses, all);
  EXPECT_EQ(resumed.params(), straight.params());
  EXPECT_TRUE(std::filesystem::exists(dir / "ckpt-interrupted.gguf"));

  TrainOptions other = options(20);
  other.model.n_embd = 8;
  Trainer wrong(other, pool(), counting(32, 1), {}, 0);
  EXPECT_FALSE(wrong.load_checkpoint(dir / "ckpt-10.gguf").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ondo::train
