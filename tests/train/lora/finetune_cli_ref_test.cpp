// `ondo finetune`, `ondo finetune compare` and `ondo lora merge` run as a user runs them, on
// the testdata's ref-llama-spm models: the adapter file, a trained answer, kill -9 then
// --resume giving the same adapter bytes as an uninterrupted run, bad data named by line.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ondo/gguf/reader.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

extern char** environ;

namespace ondo::train::lora {
namespace {

using ondo::testing::run_ondo;

class FinetuneCli : public testing::TempDirTest {
 protected:
  void write_data(int n) {
    std::ofstream f(path("d.jsonl"));
    for (int i = 0; i < n; ++i) {
      f << R"({"instruction": "Name a color", "input": "", "output": "blue sky over the sea"})" << "\n";
    }
  }
  std::string model(const char* name) const { return (td_ / "models" / name).string(); }
  std::filesystem::path td_;
};

TEST_F(FinetuneCli, TrainsAnAdapterThatAnswersAsTrained) {
  ONDO_TESTDATA_OR_SKIP(td);
  td_ = td;
  write_data(8);
  const std::string base = model("ref-llama-spm-q8_0.gguf");
  auto r = run_ondo("finetune -m " + base + " --data " + path("d.jsonl") + " --format alpaca --out " +
                    path("a.gguf") + " --targets all --rank 4 --alpha 8 --mlp-alpha 4 --lr 1e-2 --warmup 2 "
                    "--batch 2 --max-steps 30 --dropout 0 -t 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("step 30/30 | loss"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ETA"), std::string::npos) << r.err;
  auto f = gguf::GgufFile::open(path("a.gguf"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ((*f)->get_string("general.type").value(), "adapter");
  EXPECT_EQ((*f)->get_string("adapter.type").value(), "lora");
  EXPECT_EQ((*f)->get_string("general.architecture").value(), "llama");
  EXPECT_DOUBLE_EQ((*f)->get_float("adapter.lora.alpha").value(), 8.0);
  const gguf::TensorInfo* a = (*f)->find_tensor("blk.0.attn_q.weight.lora_a");
  const gguf::TensorInfo* b = (*f)->find_tensor("blk.0.ffn_down.weight.lora_b");
  ASSERT_TRUE(a && b);
  auto bf = gguf::GgufFile::open(base);
  ASSERT_TRUE(bf.ok());
  const int64_t n_embd = (*bf)->find_tensor("blk.0.attn_q.weight")->shape[0];
  EXPECT_EQ(a->shape, (std::vector<int64_t>{n_embd, 4}));
  EXPECT_EQ(b->shape, (std::vector<int64_t>{4, n_embd}));

  auto c = run_ondo("finetune compare -m " + base + " --adapter " + path("a.gguf") + " --chat -p 'Name a color' -n 8 -t 1");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const size_t base_at = c.out.find("--- base ---"), tuned_at = c.out.find("--- tuned ---");
  ASSERT_NE(base_at, std::string::npos);
  ASSERT_NE(tuned_at, std::string::npos);
  const std::string base_out = c.out.substr(base_at, tuned_at - base_at), tuned_out = c.out.substr(tuned_at);
  EXPECT_NE(tuned_out.find("blue sky"), std::string::npos) << c.out;
  EXPECT_EQ(base_out.find("blue sky"), std::string::npos) << c.out;

  auto m = run_ondo("lora merge " + base + " " + path("a.gguf") + ":1.0 " + path("merged.gguf") + " -t 1");
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.err.find("re-quantized"), std::string::npos) << m.err;
  auto run = run_ondo("run -m " + path("merged.gguf") + " --chat -p 'Name a color' -n 8 --temp 0 -t 1");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("blue sky"), std::string::npos) << run.out;
}

TEST_F(FinetuneCli, KillNineThenResumeWritesTheSameAdapter) {
  ONDO_TESTDATA_OR_SKIP(td);
  td_ = td;
  write_data(12);
  const std::string common = "finetune -m " + model("ref-llama-spm-f32.gguf") + " --data " + path("d.jsonl") +
                             " --format alpaca --targets q,v,up --rank 4 --lr 5e-3 --warmup 3 --batch 2 "
                             "--max-steps 16 --dropout 0.1 --grad-accum 2 --checkpoint-every 2 --seed 11 -t 1";
  auto whole = run_ondo(common + " --out " + path("whole.gguf") + " --checkpoint " + path("whole.ckpt"));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  // the same run, killed with SIGKILL once its first checkpoint exists
  const std::string bin = (ondo::testing::binary_dir() / "ondo").string();
  const std::string cmd = "exec " + bin + " " + common + " --out " + path("resumed.gguf") + " --checkpoint " +
                          path("r.ckpt") + " 2>/dev/null";
  pid_t pid = 0;
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  for (int i = 0; i < 6000 && !std::filesystem::exists(path("r.ckpt")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFSIGNALED(st)) << "the run ended before it was killed";
  ASSERT_FALSE(std::filesystem::exists(path("resumed.gguf")));
  {
    auto ck = gguf::GgufFile::open(path("r.ckpt"));
    ASSERT_TRUE(ck.ok()) << ck.error().message;
    const int64_t step = (*ck)->get_int("ondo.lora.step").value();
    EXPECT_GT(step, 0);
    EXPECT_LT(step, 16);
  }
  auto res = run_ondo(common + " --out " + path("resumed.gguf") + " --checkpoint " + path("r.ckpt") + " --resume");
  ASSERT_EQ(res.exit_code, 0) << res.err;
  EXPECT_NE(res.err.find("(resumed)"), std::string::npos) << res.err;
  EXPECT_TRUE(ondo::testing::read_file(path("whole.gguf")) == ondo::testing::read_file(path("resumed.gguf")));
}

TEST_F(FinetuneCli, BadDataIsRejectedWithItsLine) {
  ONDO_TESTDATA_OR_SKIP(td);
  td_ = td;
  {
    std::ofstream f(path("bad.jsonl"));
    f << R"({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]})" << "\n";
    f << R"({"messages": [{"role": "user", "content": "hi"}]})" << "\n";
  }
  auto r = run_ondo("finetune -m " + model("ref-llama-spm-f32.gguf") + " --data " + path("bad.jsonl") + " --out " +
                    path("a.gguf") + " -t 1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad.jsonl: line 2: no assistant message"), std::string::npos) << r.err;
  auto t = run_ondo("finetune -m " + model("ref-llama-spm-f32.gguf") + " --data " + path("bad.jsonl") + " --out " +
                    path("a.gguf") + " --targets q,zz -t 1");
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("unknown LoRA target 'zz'"), std::string::npos) << t.err;
  auto h = run_ondo("finetune --help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--attn-rank"), std::string::npos) << h.out;
}

}  // namespace
}  // namespace ondo::train::lora
