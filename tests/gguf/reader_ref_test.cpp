// Reference tests of the GGUF reader: opens every GGUF file of ../shared/testdata (made by
// llama.cpp) and checks values stated in testdata/README.md. Layer: gguf tests.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <string>

#include "ondo/core/dtype.h"
#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "support/testdata.h"

namespace ondo::gguf {
namespace {

namespace fs = std::filesystem;

// Checks invariants every valid file must satisfy.
void check_consistent(const GgufFile& f) {
  EXPECT_TRUE(f.version() == 2 || f.version() == 3) << f.name();
  EXPECT_EQ(f.data_offset() % f.alignment(), 0u) << f.name();
  std::set<std::string_view> names;
  for (const TensorInfo& t : f.tensors()) {
    EXPECT_TRUE(names.insert(t.name).second) << t.name;
    EXPECT_EQ(t.offset % f.alignment(), 0u) << t.name;
    ASSERT_NE(t.data, nullptr);
    const uint64_t start = f.data_offset() + t.offset;
    EXPECT_LE(start + t.nbytes, f.file_size()) << t.name;
    auto row = core::row_bytes(t.type, t.shape[0]);
    ASSERT_TRUE(row.ok());
    EXPECT_EQ(t.nbytes, *row * uint64_t(t.n_elements() / t.shape[0])) << t.name;
    EXPECT_EQ(f.find_tensor(t.name), &t);
  }
  for (const KeyValue& kv : f.metadata()) EXPECT_EQ(f.find(kv.key), &kv.value) << kv.key;
}

TEST(ReaderRef, OpensEveryTestdataFile) {
  ONDO_TESTDATA_OR_SKIP(dir);
  int opened = 0;
  for (const char* sub : {"models", "tokenizer"}) {
    for (const auto& e : fs::directory_iterator(dir / sub)) {
      if (e.path().extension() != ".gguf") continue;
      auto f = GgufFile::open(e.path());
      ASSERT_TRUE(f.ok()) << f.error().message;
      check_consistent(**f);
      auto arch = (*f)->get_string(keys::kArchitecture);
      EXPECT_TRUE(arch.ok()) << e.path();
      auto tokens = (*f)->find(keys::kTokTokens);
      ASSERT_NE(tokens, nullptr) << e.path();
      EXPECT_EQ(tokens->elem_type(), ValueType::String);
      EXPECT_GT(tokens->size(), 0u);
      ++opened;
    }
  }
  EXPECT_GE(opened, 20);
}

TEST(ReaderRef, Stories260K) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto r = GgufFile::open(dir / "models" / "stories260K.gguf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const GgufFile& f = **r;
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(*f.get_string(keys::kArchitecture), "llama");
  EXPECT_EQ(*f.get_uint("llama.block_count"), 5u);
  EXPECT_EQ(*f.get_uint("llama.embedding_length"), 64u);
  EXPECT_EQ(*f.get_uint("llama.feed_forward_length"), 172u);
  EXPECT_EQ(*f.get_uint("llama.attention.head_count"), 8u);
  EXPECT_EQ(*f.get_uint("llama.attention.head_count_kv"), 4u);
  EXPECT_EQ(*f.get_uint("llama.context_length"), 2048u);
  EXPECT_NEAR(*f.get_float("llama.attention.layer_norm_rms_epsilon"), 1e-5, 1e-9);
  EXPECT_EQ(f.find("llama.rope.freq_base"), nullptr);
  EXPECT_DOUBLE_EQ(*f.get_float_or("llama.rope.freq_base", 10000.0), 10000.0);
  EXPECT_NE(f.find(keys::kTokSepOld), nullptr);
  EXPECT_EQ(f.get_uint("no.such.key").error().code, ErrorCode::NotFound);
  auto wrong = f.get_uint(keys::kArchitecture);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("has type string"), std::string::npos);

  const Value* tokens = f.find(keys::kTokTokens);
  ASSERT_NE(tokens, nullptr);
  EXPECT_EQ(tokens->size(), 512u);
  auto strings = tokens->to_strings();
  ASSERT_TRUE(strings.ok());
  EXPECT_EQ((*strings)[0], *tokens->at(0).as_string());
  EXPECT_EQ((*strings)[511], *tokens->at(511).as_string());
  auto scores = f.find(keys::kTokScores)->to_floats();
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ(scores->size(), 512u);
  // testdata/README.md says "all scores 0", but the file holds 0 for the 3 special and
  // 256 byte tokens, then -rank for the merged pieces (checked independently with Python).
  for (size_t i = 0; i < 259; ++i) EXPECT_EQ((*scores)[i], 0.0f) << i;
  for (size_t i = 259; i < 512; ++i) EXPECT_EQ((*scores)[i], -float(i - 259)) << i;
  EXPECT_EQ(f.find(keys::kTokTypes)->to_ints()->size(), 512u);

  // token_embd, output_norm, output + 9 per layer x 5 layers.
  EXPECT_EQ(f.tensors().size(), 3u + 9u * 5u);
  const TensorInfo* emb = f.find_tensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->type, core::DType::F32);
  EXPECT_EQ(emb->shape, (std::vector<int64_t>{64, 512}));
  EXPECT_EQ(emb->nbytes, 64u * 512u * 4u);
  EXPECT_NE(f.find_tensor("output.weight"), nullptr);
  EXPECT_NE(f.find_tensor("blk.4.ffn_down.weight"), nullptr);
  EXPECT_EQ(f.find_tensor("blk.5.ffn_down.weight"), nullptr);
  EXPECT_EQ(f.find_tensor("blk.0.ffn_down.weight")->shape, (std::vector<int64_t>{172, 64}));
}

TEST(ReaderRef, MixedQuantTypes) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto r = GgufFile::open(dir / "models" / "ref-llama-spm-q4_k_m.gguf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::set<core::DType> types;
  for (const TensorInfo& t : (*r)->tensors()) types.insert(t.type);
  EXPECT_TRUE(types.count(core::DType::Q4_K));
  EXPECT_TRUE(types.count(core::DType::F32));
  EXPECT_GE(types.size(), 3u);
  EXPECT_EQ(*(*r)->get_uint("llama.block_count"), 2u);
  EXPECT_EQ(*(*r)->get_uint("llama.embedding_length"), 256u);
}

TEST(ReaderRef, LargeVocabularies) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto q = GgufFile::open(dir / "tokenizer" / "ggml-vocab-qwen2.gguf");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ((*q)->tensors().size(), 0u);
  EXPECT_EQ(*(*q)->get_string(keys::kTokModel), "gpt2");
  const Value* tokens = (*q)->find(keys::kTokTokens);
  ASSERT_NE(tokens, nullptr);
  EXPECT_EQ(tokens->size(), 151936u);
  const Value* merges = (*q)->find(keys::kTokMerges);
  ASSERT_NE(merges, nullptr);
  EXPECT_GT(merges->size(), 100000u);

  auto l = GgufFile::open(dir / "models" / "ref-llama3-bpe-f32-embq8_0.gguf");
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ((*l)->find(keys::kTokTokens)->size(), 128256u);
  EXPECT_EQ((*l)->find_tensor("token_embd.weight")->type, core::DType::Q8_0);
  EXPECT_EQ((*l)->find_tensor("output.weight"), nullptr);
  const TensorInfo* freqs = (*l)->find_tensor("rope_freqs.weight");
  ASSERT_NE(freqs, nullptr);
  ASSERT_EQ(freqs->n_elements(), 4);
  float v[4];
  std::memcpy(v, freqs->data, sizeof v);
  EXPECT_FLOAT_EQ(v[0], 1.0f);
  EXPECT_NEAR(v[2], 2.69453f, 1e-4);
  EXPECT_FLOAT_EQ(v[3], 8.0f);
}

TEST(ReaderRef, MissingFileIsNotFound) {
  auto r = GgufFile::open("/nonexistent/dir/model.gguf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("/nonexistent/dir/model.gguf"), std::string::npos);
}

}  // namespace
}  // namespace ondo::gguf
