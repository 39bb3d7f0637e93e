// Trainer checkpoints through the fault-injecting Env: a failure, short write or crash at any
// operation of a save leaves the checkpoint path holding the previous complete checkpoint or
// the new one (and it loads); a failing periodic save stops the run with an error naming
// the file. Layer: tests/train.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ondo/train/trainer.h"
#include "support/fault_env.h"
#include "support/temp_dir.h"

namespace ondo::train {
namespace {

using ondo::testing::check_atomic_write;
using ondo::testing::Fault;
using ondo::testing::FaultEnv;
using ondo::testing::read_file_bytes;

class Checkpoint : public ondo::testing::TempDirTest {};

std::vector<Example> data() {
  std::vector<Example> out;
  for (int32_t s = 0; s < 8; ++s) {
    Example e;
    for (int32_t k = 0; k < 9; ++k) e.tokens.push_back((s + k) % 10 + 1);
    e.mask.assign(e.tokens.size(), 1);
    out.push_back(e);
  }
  return out;
}

TrainOptions options(int64_t steps) {
  TrainOptions o;
  o.model.n_vocab = 12, o.model.n_embd = 8, o.model.n_layer = 1, o.model.n_head = 2, o.model.n_head_kv = 1;
  o.model.n_ff = 16, o.model.n_ctx = 8;
  o.opt.lr = 1e-2f, o.opt.warmup = 1, o.opt.total_steps = steps;
  o.batch = 2, o.seed = 5;
  return o;
}

core::ComputePool& pool() {
  static core::ComputePool p(1);
  return p;
}

// The bytes of `t`'s checkpoint (written to `scratch`, then removed).
std::string checkpoint_bytes(const Trainer& t, const std::filesystem::path& scratch) {
  EXPECT_TRUE(t.save_checkpoint(scratch).ok());
  auto b = read_file_bytes(scratch);
  std::filesystem::remove(scratch);
  return b.value_or("");
}

TEST_F(Checkpoint, EveryFaultLeavesOldOrNewCheckpoint) {
  const auto sub = dir_ / "ckpt";
  std::filesystem::create_directories(sub);
  const auto path = sub / "ckpt-4.gguf";
  Trainer old_t(options(2), pool(), data(), {}, 0), new_t(options(4), pool(), data(), {}, 0);
  ASSERT_TRUE(old_t.run(nullptr, nullptr).ok());
  ASSERT_TRUE(new_t.run(nullptr, nullptr).ok());
  const std::string old_bytes = checkpoint_bytes(old_t, dir_ / "old.gguf");
  const std::string new_bytes = checkpoint_bytes(new_t, dir_ / "new.gguf");
  ASSERT_FALSE(old_bytes.empty());
  ASSERT_NE(old_bytes, new_bytes);
  auto save = [&](core::Env& env) { return new_t.save_checkpoint(path, env); };
  EXPECT_EQ(check_atomic_write(path, old_bytes, new_bytes, save), std::vector<std::string>{});

  // After a crash in the middle of a save, the checkpoint still loads: old step or new.
  FaultEnv probe;
  ASSERT_TRUE(new_t.save_checkpoint(path, probe).ok());
  for (size_t op = 0; op < probe.ops(); ++op) {
    std::filesystem::remove(path);
    ASSERT_TRUE(old_t.save_checkpoint(path).ok());
    FaultEnv env;
    env.arm(op, Fault::Crash);
    EXPECT_FALSE(new_t.save_checkpoint(path, env).ok());
    Trainer resumed(options(4), pool(), data(), {}, 0);
    const Status st = resumed.load_checkpoint(path);
    ASSERT_TRUE(st.ok()) << "crash at " << op << ": " << st.error().message;
    EXPECT_TRUE(resumed.step() == 2 || resumed.step() == 4) << resumed.step();
  }
}

TEST_F(Checkpoint, FailedPeriodicSaveStopsTheRunNamingTheFile) {
  FaultEnv env;
  env.arm(0, Fault::Fail);  // the first file operation: creating the first checkpoint
  TrainOptions o = options(4);
  o.ckpt_dir = dir_;
  o.ckpt_every = 2;
  o.env = &env;
  Trainer t(o, pool(), data(), {}, 0);
  const Status st = t.run(nullptr, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("ckpt-2.gguf.tmp-"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("create failed"), std::string::npos) << st.error().message;
  EXPECT_EQ(t.step(), 2);
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

}  // namespace
}  // namespace ondo::train
