// `ondo info` run as a user runs it: the built binary on testdata models, a missing file and a
// non-GGUF file. Layer: cli tests (needs the `ondo` target built in the same build dir).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "support/run_command.h"

namespace ondo::cli {
namespace {

using InfoRun = testing::MergedRun;

InfoRun run_info(const std::string& args) { return testing::run_ondo_merged("info " + args); }

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(InfoCli, DescribesAMixedQuantModel) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const InfoRun r = run_info((dir / "models" / "ref-llama-spm-q4_k_m.gguf").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(has(r.out, "gguf version:  3")) << r.out;
  EXPECT_TRUE(has(r.out, "architecture:  llama")) << r.out;
  EXPECT_TRUE(has(r.out, "llama.block_count = 2")) << r.out;
  EXPECT_TRUE(has(r.out, "llama.attention.layer_norm_rms_epsilon = 1e-05")) << r.out;
  EXPECT_TRUE(has(r.out, "vocab 512 tokens")) << r.out;
  EXPECT_TRUE(has(r.out, "tensors:       21")) << r.out;
  EXPECT_TRUE(has(r.out, "Q4_K: ")) << r.out;
  EXPECT_TRUE(has(r.out, "Q6_K: ")) << r.out;
  EXPECT_TRUE(has(r.out, "F32: ")) << r.out;
  EXPECT_TRUE(has(r.out, "file type:     15 (MOSTLY_Q4_K_M)")) << r.out;
  EXPECT_TRUE(has(r.out, "file size:     1143072 bytes")) << r.out;
}

TEST(InfoCli, ListsTensors) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const InfoRun r = run_info("--tensors " + (dir / "models" / "stories260K.gguf").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(has(r.out, "tensor types:  F32: 48")) << r.out;
  EXPECT_TRUE(has(r.out, "blk.0.ffn_down.weight")) << r.out;
  EXPECT_TRUE(has(r.out, "[172 x 64] 44032 bytes")) << r.out;
}

TEST(InfoCli, MissingAndBadFilesAreClearErrors) {
  const InfoRun missing = run_info("/nonexistent/model.gguf");
  EXPECT_EQ(missing.status, 1);
  EXPECT_TRUE(has(missing.out, "ondo info: /nonexistent/model.gguf: cannot open")) << missing.out;
  const std::string not_gguf = (std::filesystem::path(ONDO_SOURCE_DIR) / "CMakeLists.txt").string();
  const InfoRun bad = run_info(not_gguf);
  EXPECT_EQ(bad.status, 1);
  EXPECT_TRUE(has(bad.out, "not a GGUF file")) << bad.out;
  const InfoRun none = run_info("");
  EXPECT_EQ(none.status, 2);
  EXPECT_TRUE(has(none.out, "usage: ondo info")) << none.out;
}

}  // namespace
}  // namespace ondo::cli
