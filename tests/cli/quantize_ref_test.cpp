// `ondo quantize` on the testdata f32 model: `ondo info` shows the same tensor-type counts for
// ondo's Q3_K_M file as for llama.cpp's. Layer: cli tests (reference label; needs the `ondo`
// target of the same build dir).
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

using QuantizeCliRef = testing::TempDirTest;

TEST_F(QuantizeCliRef, QuantizedTestdataModelMatchesInfoOfLlamaCppsFile) {
  ONDO_TESTDATA_OR_SKIP(td);
  const std::string in = (td / "models" / "ref-llama-spm-f32.gguf").string();
  ASSERT_EQ(ondo("quantize " + in + " " + path("q3km.gguf") + " Q3_K_M -t 2").status, 0);
  const CmdRun mine = ondo("info " + path("q3km.gguf"));
  const CmdRun ref = ondo("info " + (td / "models" / "ref-llama-spm-q3_k_m.gguf").string());
  ASSERT_EQ(mine.status, 0);
  auto types = [](const std::string& s) { return s.substr(s.find("tensor types:"), s.find('\n', s.find("tensor types:")) - s.find("tensor types:")); };
  EXPECT_EQ(types(mine.out), types(ref.out));
}

}  // namespace
}  // namespace ondo::cli
