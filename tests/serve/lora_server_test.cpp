// LoRA adapters through `ondo serve` (--lora, the "lora" field, /v1/adapters), driven by the
// official openai npm client (node/lora_client.mjs) on ref-llama-spm-f32 with the reference
// adapters of ONDO_TESTDATA/models/lora: mixed-adapter batches answer as each request alone.
#include <gtest/gtest.h>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

TEST(LoraServe, MixedAdapterBatchesEqualSoloAnswersWithTheOpenAIClient) {
  std::string why;
  auto dir = testdata_dir(&why);
  if (!dir || !std::filesystem::exists(*dir / "models" / "lora" / "ref-llama-spm-lora-attn.gguf")) {
    if (testdata_required()) FAIL() << "LoRA test data missing: " << why;
    GTEST_SKIP() << "LoRA test data not found (" << why << ")";
  }
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
  if (!std::filesystem::exists(modules / "openai")) GTEST_SKIP() << "openai missing (run scripts/setup)";
  const auto lora = *dir / "models" / "lora";
  ServeProcess server;
  ASSERT_TRUE(server.start({"-m", (*dir / "models" / "ref-llama-spm-f32.gguf").string() + "=base", "-t", "2",
                            "--parallel", "4", "--ctx", "256", "--lora",
                            "attn=" + (lora / "ref-llama-spm-lora-attn.gguf").string(), "--lora",
                            "mlp@base=" + (lora / "ref-llama-spm-lora-mlp.gguf").string() + ":1"}))
      << server.log();
  int rc = 0;
  const std::string out =
      run_node("lora_client.mjs", server.base_url() + "/v1 base " + (lora / "ref-llama-spm-lora-attn-f16.gguf").string(), &rc);
  EXPECT_EQ(rc, 0) << out << "\n" << server.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
  EXPECT_EQ(server.stop(), 0) << server.log();
}

TEST(LoraServe, RefusesABadAdapterAtStartNamingIt) {
  std::string why;
  auto dir = testdata_dir(&why);
  if (!dir || !std::filesystem::exists(*dir / "models" / "lora" / "ref-llama-spm-lora-attn.gguf")) {
    GTEST_SKIP() << "LoRA test data not found (" << why << ")";
  }
  // an adapter on a model of another shape: stories260K is llama too, but 64 wide
  if (!std::filesystem::exists(*dir / "models" / "stories260K.gguf")) GTEST_SKIP() << "stories260K.gguf missing";
  ServeProcess server;
  EXPECT_FALSE(server.start({"-m", (*dir / "models" / "stories260K.gguf").string() + "=tiny", "--lora",
                             "attn=" + (*dir / "models" / "lora" / "ref-llama-spm-lora-attn.gguf").string()}));
  EXPECT_NE(server.log().find("--lora attn: "), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("ref-llama-spm-lora-attn.gguf: tensor 'blk.0.attn_"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find(".lora_a' has shape [256, 8], expected [64, 8]"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace ondo::testing
