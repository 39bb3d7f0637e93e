// compute_imatrix (train/imatrix.h): the sums equal ones computed by hand from the activation
// taps of the same chunks (the inputs of each matmul, as --dump-activations writes them), the
// counts are the tokens seen, cancel stops the run, and the file round-trips. Layer: train (tests).
#include "ondo/train/imatrix.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

#include "ondo/model/model.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace ondo::train {
namespace {

namespace mq = model::quantize;

class ImatrixTest : public testing::TempDirTest {
 protected:
  std::string write_model(const ondo::testing::TinyModelSpec& spec) {
    const std::vector<uint8_t> bytes = ondo::testing::tiny_model_bytes(spec);
    const std::string p = path("tiny.gguf");
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return p;
  }
};

// The expected sums: the model run again with a tap that keeps every activation, and the
// squares of each matmul's input summed per column by this test's own table.
std::map<std::string, std::vector<double>> sums_by_hand(const std::string& model_path,
                                                        const std::vector<std::vector<int32_t>>& chunks, int n_layer) {
  std::map<std::string, std::vector<double>> act_sums;  // activation name -> per column sum of squares
  model::LoadOptions o;
  o.tap = [&](std::string_view name, std::span<const int64_t> shape, const float* data) {
    auto& s = act_sums[std::string(name)];
    s.resize(size_t(shape[1]), 0.0);
    for (int64_t r = 0; r < shape[0]; ++r) {
      for (int64_t c = 0; c < shape[1]; ++c) s[size_t(c)] += double(data[r * shape[1] + c]) * data[r * shape[1] + c];
    }
  };
  auto m = model::Model::load(model_path, o);
  EXPECT_TRUE(m.ok()) << m.error().message;
  core::ComputePool pool(2);
  auto runner = ChunkRunner::create(**m, pool, int32_t(chunks[0].size()));
  for (const auto& c : chunks) EXPECT_TRUE((*runner)->eval(c, false).ok());
  std::map<std::string, std::vector<double>> want;
  for (int l = 0; l < n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    for (const char* w : {"attn_q", "attn_k", "attn_v"}) want[b + w + ".weight"] = act_sums[b + "attn_norm"];
    want[b + "attn_output.weight"] = act_sums[b + "attn"];
    for (const char* w : {"ffn_gate", "ffn_up"}) want[b + w + ".weight"] = act_sums[b + "ffn_norm"];
    want[b + "ffn_down.weight"] = act_sums[b + "ffn_swiglu"];
  }
  return want;
}

TEST_F(ImatrixTest, SumsEqualTheSquaredTapsOfEachMatmulInput) {
  ondo::testing::TinyModelSpec spec;
  const std::string model = write_model(spec);
  ImatrixOptions o;
  o.model = model;
  o.source.random_chunks = 3;
  o.source.seed = 11;
  o.source.chunk = 20;
  core::ComputePool pool(2);
  int calls = 0;
  auto m = compute_imatrix(o, pool, [&](const ImatrixProgress& p) {
    ++calls;
    EXPECT_EQ(p.chunk, calls);
    EXPECT_EQ(p.n_chunks, 3);
    EXPECT_EQ(p.tokens, 20 * calls);
    return true;
  });
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(m->chunk_count, 3u);
  EXPECT_EQ(m->chunk_size, 20u);
  ASSERT_EQ(m->datasets.size(), 1u);

  auto tok = text::Tokenizer::from_gguf(*gguf::GgufFile::open(model).value());
  const auto chunks = make_chunks(o.source, **tok).value();
  const auto want = sums_by_hand(model, chunks, spec.n_layer);
  ASSERT_EQ(m->entries.size(), want.size());  // 7 weights per layer; no output.weight by default
  for (const auto& [name, sums] : want) {
    auto it = m->entries.find(name);
    ASSERT_NE(it, m->entries.end()) << name;
    const mq::ImatrixEntry& e = it->second;
    ASSERT_EQ(e.in_sum2.size(), sums.size()) << name;
    ASSERT_EQ(e.counts, std::vector<double>{60.0}) << name;
    for (size_t c = 0; c < sums.size(); ++c) {
      EXPECT_NEAR(e.in_sum2[c], sums[c], 1e-9 * std::max(1.0, sums[c])) << name << " column " << c;
    }
  }
  EXPECT_EQ(m->entries.count("output.weight"), 0u);
}

TEST_F(ImatrixTest, ProcessOutputAddsTheOutputMatrixWithEveryToken) {
  ondo::testing::TinyModelSpec spec;
  ImatrixOptions o;
  o.model = write_model(spec);
  o.source.random_chunks = 2;
  o.source.chunk = 16;
  o.process_output = true;
  core::ComputePool pool(1);
  auto m = compute_imatrix(o, pool);
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto it = m->entries.find("output.weight");
  ASSERT_NE(it, m->entries.end());
  EXPECT_EQ(it->second.n_in, spec.n_embd);
  EXPECT_EQ(it->second.counts, std::vector<double>{32.0});
}

TEST_F(ImatrixTest, CancelStopsAfterTheCurrentChunk) {
  ImatrixOptions o;
  o.model = write_model({});
  o.source.random_chunks = 5;
  o.source.chunk = 8;
  core::ComputePool pool(1);
  int calls = 0;
  auto m = compute_imatrix(o, pool, [&](const ImatrixProgress&) { return ++calls < 2; });
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::Cancelled);
  EXPECT_EQ(calls, 2);
  EXPECT_NE(m.error().message.find("2 of 5"), std::string::npos) << m.error().message;
}

TEST_F(ImatrixTest, TextShorterThanOneChunkIsAClearError) {
  ImatrixOptions o;
  o.model = write_model({});
  o.source.text_file = path("calib.txt");
  std::ofstream(o.source.text_file) << "a3 b4";
  o.source.chunk = 512;
  core::ComputePool pool(1);
  auto m = compute_imatrix(o, pool);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(m.error().message.find("fewer than one chunk of 512"), std::string::npos) << m.error().message;

  o.source.text_file = path("missing.txt");
  m = compute_imatrix(o, pool);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::NotFound);
}

TEST_F(ImatrixTest, WrittenFileReadsBackWithTheSameSums) {
  ImatrixOptions o;
  o.model = write_model({});
  o.source.random_chunks = 2;
  o.source.chunk = 16;
  o.dataset = "calib.txt";
  core::ComputePool pool(1);
  auto m = compute_imatrix(o, pool);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_TRUE(mq::write_imatrix(*m, path("im.gguf")).ok());
  auto back = mq::read_imatrix(path("im.gguf"));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->datasets, std::vector<std::string>{"calib.txt"});
  EXPECT_EQ(back->chunk_count, 2u);
  EXPECT_EQ(back->chunk_size, 16u);
  ASSERT_EQ(back->entries.size(), m->entries.size());
  for (const auto& [name, e] : m->entries) {
    const mq::ImatrixEntry& b = back->entries.at(name);
    ASSERT_EQ(b.in_sum2.size(), e.in_sum2.size());
    for (size_t i = 0; i < e.in_sum2.size(); ++i) EXPECT_EQ(b.in_sum2[i], double(float(e.in_sum2[i])));
    EXPECT_EQ(b.counts, e.counts);
  }
}

}  // namespace
}  // namespace ondo::train
