// Replays the GGUF fuzz corpus and every checked-in crash regression through the reader
// (each must parse or fail cleanly with the file named), and holds the generator of the seed
// corpus (a disabled test, run by hand: gguf_unit_tests --gtest_also_run_disabled_tests
// --gtest_filter=FuzzCorpus.DISABLED_WriteSeeds). Layer: gguf tests.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"
#include "support/testdata.h"

namespace ondo::gguf {
namespace {

namespace fs = std::filesystem;

const fs::path kFuzzDir = fs::path(ONDO_SOURCE_DIR) / "fuzz";

// Parses every file in `dir`; returns how many there were.
int replay_dir(const fs::path& dir) {
  int n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string bytes = testing::read_file(e.path());
    const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.data()),
                                        bytes.size());
    auto f = GgufFile::from_memory(span, e.path().filename().string());
    if (!f.ok()) {
      EXPECT_EQ(f.error().message.rfind(e.path().filename().string() + ": ", 0), 0u)
          << f.error().message;
    } else {
      for (const KeyValue& kv : (*f)->metadata()) EXPECT_EQ((*f)->find(kv.key), &kv.value);
    }
    ++n;
  }
  return n;
}

TEST(FuzzCorpus, SeedsParseOrFailCleanly) {
  EXPECT_GE(replay_dir(kFuzzDir / "corpus" / "gguf_reader"), 5);
}

TEST(FuzzCorpus, RegressionsFailCleanly) {
  EXPECT_GE(replay_dir(kFuzzDir / "regressions" / "gguf_reader"), 3);
}

TEST(FuzzCorpus, SeedsIncludeValidFiles) {
  int valid = 0;
  for (const auto& e : fs::directory_iterator(kFuzzDir / "corpus" / "gguf_reader")) {
    const std::string bytes = testing::read_file(e.path());
    const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.data()),
                                        bytes.size());
    valid += GgufFile::from_memory(span, "seed").ok();
  }
  EXPECT_GE(valid, 4);
}

// ---- seed generation (the disabled test below; see the file comment) ----

void save(const std::string& name, const std::vector<uint8_t>& bytes) {
  const fs::path dir = kFuzzDir / "corpus" / "gguf_reader";
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

std::vector<uint8_t> every_type_file() {
  Writer w;
  w.set_string(keys::kArchitecture, "llama");
  w.set_u8("u8", 1);
  w.set_i8("i8", -1);
  w.set_u16("u16", 2);
  w.set_i16("i16", -2);
  w.set_u32("llama.block_count", 2);
  w.set_i32("i32", -3);
  w.set_u64("u64", 4);
  w.set_i64("i64", -4);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f64("f64", 0.25);
  w.set_bool("b", true);
  const std::vector<std::string> toks = {"<unk>", "<s>", "a", "bc"};
  w.set_array(keys::kTokTokens, std::span<const std::string>(toks));
  const std::vector<float> scores = {0, 0, -1, -2};
  w.set_array<float>(keys::kTokScores, scores);
  std::vector<MetaValue> inner = {MetaValue::strings(std::span<const std::string>(toks)),
                                  MetaValue::numbers<float>(scores)};
  w.set("nested", *MetaValue::array(ValueType::Array, inner));
  const std::vector<uint8_t> q(34, 7), f(32, 1), h(16, 2);
  EXPECT_TRUE(w.add_tensor("blk.0.attn_q.weight", core::DType::Q8_0, {32}, q).ok());
  EXPECT_TRUE(w.add_tensor("output_norm.weight", core::DType::F32, {8}, f).ok());
  EXPECT_TRUE(w.add_tensor("h", core::DType::F16, {4, 2}, h).ok());
  return *w.to_bytes();
}

TEST(FuzzCorpus, DISABLED_WriteSeeds) {
  std::vector<uint8_t> all = every_type_file();
  save("every_type_v3.gguf", all);
  all[4] = 2;  // the same file as GGUF v2 (same layout: 64-bit counts)
  save("every_type_v2.gguf", all);

  Writer empty;
  save("empty.gguf", *empty.to_bytes());

  Writer aligned;
  ASSERT_TRUE(aligned.set_alignment(64).ok());
  const std::vector<uint8_t> q40(18 * 2, 3), q4k(144, 5);
  ASSERT_TRUE(aligned.add_tensor("a", core::DType::Q4_0, {32, 2}, q40).ok());
  ASSERT_TRUE(aligned.add_tensor("b", core::DType::Q4_K, {256}, q4k).ok());
  save("aligned64.gguf", *aligned.to_bytes());

  ONDO_TESTDATA_OR_SKIP(testdata);
  auto stories = GgufFile::open(testdata / "models" / "stories260K.gguf");
  ASSERT_TRUE(stories.ok());
  Writer meta;  // real llama.cpp metadata (vocab included), with tiny tensors
  meta.copy_metadata(**stories);
  const std::vector<uint8_t> small(4 * 4, 0);
  for (const TensorInfo& t : (*stories)->tensors()) {
    if (t.name.rfind("blk.0.", 0) == 0 || t.name.find('.') == t.name.rfind('.')) {
      ASSERT_TRUE(meta.add_tensor(t.name, core::DType::F32, {4}, small).ok());
    }
  }
  save("stories260K_meta.gguf", *meta.to_bytes());
}

}  // namespace
}  // namespace ondo::gguf
