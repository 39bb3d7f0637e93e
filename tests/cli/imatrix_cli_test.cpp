// `ondo imatrix`, `ondo quantize --imatrix` and `ondo perplexity` run as a user runs them on a
// generated tiny model, and their clear errors. Layer: cli tests (needs the `ondo` target).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace ondo::cli {
namespace {

using CmdRun = testing::MergedRun;

CmdRun ondo(const std::string& args) { return testing::run_ondo_merged(args); }

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

using ImatrixCli = testing::TempDirTest;

TEST_F(ImatrixCli, ImatrixThenWeightedQuantizeThenPerplexity) {
  ASSERT_EQ(ondo("gen-model --shape tiny --type f32 --seed 5 -t 2 --out " + path("tiny.gguf")).status, 0);
  const CmdRun im = ondo("imatrix -m " + path("tiny.gguf") + " --random-chunks 2 --chunk 16 -t 2 -o " + path("im.gguf"));
  ASSERT_EQ(im.status, 0) << im.out;
  EXPECT_TRUE(has(im.out, "entries from 2 chunks of 16 tokens")) << im.out;
  const CmdRun q = ondo("quantize --imatrix " + path("im.gguf") + " " + path("tiny.gguf") + " " + path("q.gguf") + " Q4_0 -t 2");
  ASSERT_EQ(q.status, 0) << q.out;
  EXPECT_TRUE(has(q.out, "F32 -> Q4_0  (imatrix)")) << q.out;
  EXPECT_TRUE(has(q.out, "tensors quantized with importance weights")) << q.out;

  {
    std::ofstream text(path("text.txt"));
    for (int i = 0; i < 100; ++i) text << "Once upon a time there was a little cat. ";
  }
  const CmdRun p = ondo("perplexity -m " + path("q.gguf") + " --kl-base " + path("tiny.gguf") + " -f " + path("text.txt") +
                        " --chunk 16 --chunks 2 -t 2");
  ASSERT_EQ(p.status, 0) << p.out;
  EXPECT_TRUE(has(p.out, "\"kld_mean\": ")) << p.out;
  EXPECT_TRUE(has(p.out, "\"scored\": 14")) << p.out;  // 2 chunks x positions 8..14
}

TEST_F(ImatrixCli, ClearErrors) {
  ASSERT_EQ(ondo("gen-model --shape tiny --seed 1 --out " + path("t.gguf")).status, 0);
  const CmdRun both = ondo("imatrix -m " + path("t.gguf") + " -f x.txt --random-chunks 2");
  EXPECT_EQ(both.status, 2);
  EXPECT_TRUE(has(both.out, "give exactly one of -f FILE and --random-chunks N")) << both.out;
  const CmdRun chunk = ondo("imatrix -m " + path("t.gguf") + " --random-chunks 2 --chunk 1");
  EXPECT_EQ(chunk.status, 2);
  EXPECT_TRUE(has(chunk.out, "--chunk 1 (expected 2..1048576)")) << chunk.out;
  // a model file is not an importance matrix
  const CmdRun notim = ondo("quantize --imatrix " + path("t.gguf") + " " + path("t.gguf") + " " + path("o.gguf") + " Q4_0");
  EXPECT_EQ(notim.status, 1);
  EXPECT_TRUE(has(notim.out, "ondo quantize: " + path("t.gguf") + ": ")) << notim.out;
  EXPECT_FALSE(std::filesystem::exists(path("o.gguf")));
  std::ofstream(path("junk.dat")) << "not an imatrix at all";
  const CmdRun junk = ondo("quantize --imatrix " + path("junk.dat") + " " + path("t.gguf") + " " + path("o.gguf") + " Q4_0");
  EXPECT_EQ(junk.status, 1);
  EXPECT_TRUE(has(junk.out, "junk.dat: legacy imatrix")) << junk.out;
  const CmdRun noText = ondo("perplexity -m " + path("t.gguf"));
  EXPECT_EQ(noText.status, 2);
  EXPECT_TRUE(has(noText.out, "no text given (use -f FILE)")) << noText.out;
}

}  // namespace
}  // namespace ondo::cli
