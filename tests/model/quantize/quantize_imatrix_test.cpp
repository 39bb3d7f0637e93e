// ondo quantize with an importance matrix (QuantizeOptions::imatrix): tensors the imatrix
// names are quantized with weights, every other byte is what the plain path writes, the file
// carries llama.cpp's quantize.imatrix.* keys, and an entry of the wrong size is an error
// naming the tensor. Layer: model (tests).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>

#include "ondo/gguf/reader.h"
#include "ondo/model/quantize/quantize.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace ondo::model::quantize {
namespace {

class QuantizeImatrixTest : public ondo::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ondo::testing::TinyModelSpec spec;  // rows of 256 and 512: the K types fit
    spec.n_embd = 256;
    spec.n_ff = 512;
    spec.n_head = 4;
    spec.n_head_kv = 2;
    spec.n_layer = 2;
    const auto bytes = ondo::testing::tiny_model_bytes(spec);
    std::ofstream(path("f32.gguf"), std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }

  Result<QuantizeReport> run(const std::string& out, const Imatrix* im) {
    QuantizeOptions o;
    o.input = path("f32.gguf");
    o.output = path(out);
    o.preset = find_preset("Q4_K_M");
    o.imatrix = im;
    o.imatrix_file = "im.gguf";
    core::ComputePool pool(2);
    return quantize_model(o, pool);
  }

  // Importance for every blk.* matmul weight: log-normal per column.
  Imatrix imatrix_for_blocks() {
    Imatrix m;
    m.datasets = {"calib.txt"};
    m.chunk_count = 4;
    auto f = gguf::GgufFile::open(path("f32.gguf")).value();
    std::mt19937 rng(3);
    std::normal_distribution<double> g(0, 1.5);
    for (const gguf::TensorInfo& t : f->tensors()) {
      if (t.shape.size() != 2 || std::string_view(t.name).substr(0, 4) != "blk.") continue;
      ImatrixEntry e;
      e.n_in = t.shape[0];
      for (int64_t i = 0; i < e.n_in; ++i) e.in_sum2.push_back(100 * std::exp(g(rng)));
      e.counts = {100};
      m.entries.emplace(std::string(t.name), e);
    }
    return m;
  }
};

bool same_bytes(const gguf::TensorInfo& a, const gguf::TensorInfo& b) {
  return a.nbytes == b.nbytes && std::memcmp(a.data, b.data, size_t(a.nbytes)) == 0;
}

TEST_F(QuantizeImatrixTest, ImatrixWithoutMatchingEntriesChangesNoTensor) {
  ASSERT_TRUE(run("plain.gguf", nullptr).ok());
  Imatrix unrelated;
  unrelated.entries["blk.9.nothing.weight"] = {4, {1, 1, 1, 1}, {1}};
  auto rep = run("none.gguf", &unrelated);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->n_weighted, 0u);
  auto a = gguf::GgufFile::open(path("plain.gguf")).value();
  auto b = gguf::GgufFile::open(path("none.gguf")).value();
  ASSERT_EQ(a->tensors().size(), b->tensors().size());
  for (size_t i = 0; i < a->tensors().size(); ++i) EXPECT_TRUE(same_bytes(a->tensors()[i], b->tensors()[i])) << a->tensors()[i].name;
  EXPECT_EQ(a->find("quantize.imatrix.file"), nullptr);
  EXPECT_EQ(b->get_string("quantize.imatrix.file").value(), "im.gguf");
  EXPECT_EQ(b->get_int("quantize.imatrix.entries_count").value(), 1);
}

TEST_F(QuantizeImatrixTest, NamedTensorsAreWeightedAndTheRestIsUnchanged) {
  ASSERT_TRUE(run("plain.gguf", nullptr).ok());
  const Imatrix im = imatrix_for_blocks();
  auto rep = run("weighted.gguf", &im);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->n_weighted, im.entries.size());  // every blk matmul goes to a K type here
  auto a = gguf::GgufFile::open(path("plain.gguf")).value();
  auto b = gguf::GgufFile::open(path("weighted.gguf")).value();
  ASSERT_EQ(a->tensors().size(), b->tensors().size());
  for (size_t i = 0; i < a->tensors().size(); ++i) {
    const gguf::TensorInfo& ta = a->tensors()[i];
    const gguf::TensorInfo& tb = b->tensors()[i];
    EXPECT_EQ(ta.name, tb.name);
    EXPECT_EQ(ta.type, tb.type) << ta.name;
    if (im.entries.count(std::string(ta.name))) {
      EXPECT_FALSE(same_bytes(ta, tb)) << ta.name << " was not re-quantized with weights";
    } else {
      EXPECT_TRUE(same_bytes(ta, tb)) << ta.name;
    }
  }
  EXPECT_EQ(b->get_string("quantize.imatrix.dataset").value(), "calib.txt");
  EXPECT_EQ(b->get_int("quantize.imatrix.chunks_count").value(), 4);
}

TEST_F(QuantizeImatrixTest, EntryOfTheWrongSizeIsAnErrorNamingTheTensor) {
  Imatrix im = imatrix_for_blocks();
  im.entries["blk.1.ffn_down.weight"].n_in = 256;
  im.entries["blk.1.ffn_down.weight"].in_sum2.resize(256);
  auto rep = run("bad.gguf", &im);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(rep.error().message.find("imatrix entry 'blk.1.ffn_down.weight' has 256 x 1 values, but the tensor's rows have 512"),
            std::string::npos)
      << rep.error().message;
  EXPECT_FALSE(std::filesystem::exists(path("bad.gguf")));
}

}  // namespace
}  // namespace ondo::model::quantize
