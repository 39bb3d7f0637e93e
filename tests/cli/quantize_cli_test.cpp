// `ondo quantize` and `ondo gen-model` run as a user runs them: a generated tiny model quantized
// to Q8_0 and read back by `ondo info`, and the clear errors (unknown type, quantized input,
// missing file, bad shape). Layer: cli tests (needs the `ondo` target of the same build dir).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace ondo::cli {
namespace {

namespace fs = std::filesystem;

using CmdRun = testing::MergedRun;

CmdRun ondo(const std::string& args) { return testing::run_ondo_merged(args); }

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

using QuantizeCli = testing::TempDirTest;

TEST_F(QuantizeCli, GeneratedModelQuantizesAndInfoShowsTheMix) {
  const CmdRun g = ondo("gen-model --shape tiny --type f32 --seed 5 -t 2 --out " + path("tiny.gguf"));
  ASSERT_EQ(g.status, 0) << g.out;
  const CmdRun q = ondo("quantize " + path("tiny.gguf") + " " + path("tiny-q8.gguf") + " q8_0 -t 2");
  ASSERT_EQ(q.status, 0) << q.out;
  EXPECT_TRUE(has(q.out, "blk.1.ffn_down.weight")) << q.out;
  EXPECT_TRUE(has(q.out, "F32 -> Q8_0")) << q.out;
  EXPECT_TRUE(has(q.out, "(Q8_0, file type 7)")) << q.out;
  const CmdRun info = ondo("info " + path("tiny-q8.gguf"));
  ASSERT_EQ(info.status, 0) << info.out;
  // 2 layers x 7 matrices + token_embd + output; 2 x 2 norms + output_norm + rope_freqs stay F32
  EXPECT_TRUE(has(info.out, "F32: 6")) << info.out;
  EXPECT_TRUE(has(info.out, "Q8_0: 16")) << info.out;
  EXPECT_TRUE(has(info.out, "file type:     7 (MOSTLY_Q8_0)")) << info.out;
}

TEST_F(QuantizeCli, ClearErrors) {
  const CmdRun unknown = ondo("quantize in.gguf " + path("o.gguf") + " Q4_K");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_TRUE(has(unknown.out, "ondo quantize: unknown type 'Q4_K' (expected one of Q8_0, Q4_0")) << unknown.out;
  const CmdRun missing = ondo("quantize /nonexistent/in.gguf " + path("o.gguf") + " Q4_0");
  EXPECT_EQ(missing.status, 1);
  EXPECT_TRUE(has(missing.out, "ondo quantize: /nonexistent/in.gguf: cannot open")) << missing.out;
  EXPECT_FALSE(fs::exists(path("o.gguf")));
  const CmdRun args = ondo("quantize only-one.gguf");
  EXPECT_EQ(args.status, 2);
  EXPECT_TRUE(has(args.out, "expected IN.gguf OUT.gguf TYPE")) << args.out;

  ASSERT_EQ(ondo("gen-model --shape tiny --seed 1 --out " + path("t.gguf")).status, 0);
  ASSERT_EQ(ondo("quantize " + path("t.gguf") + " " + path("t4.gguf") + " Q4_0").status, 0);
  const CmdRun requant = ondo("quantize " + path("t4.gguf") + " " + path("t5.gguf") + " Q5_0");
  EXPECT_EQ(requant.status, 1);
  EXPECT_TRUE(has(requant.out, "is Q4_0, expected F32, F16 or BF16")) << requant.out;

  const CmdRun shape = ondo("gen-model --shape llama-9b --out " + path("x.gguf"));
  EXPECT_EQ(shape.status, 2);
  EXPECT_TRUE(has(shape.out, "unknown shape 'llama-9b' (expected one of llama-3.2-1b")) << shape.out;
  const CmdRun type = ondo("gen-model --shape tiny --type q4_0 --out " + path("x.gguf"));
  EXPECT_EQ(type.status, 2);
  EXPECT_TRUE(has(type.out, "--type must be f16, f32 or bf16")) << type.out;
}

}  // namespace
}  // namespace ondo::cli
