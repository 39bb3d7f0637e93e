// ondo quantize vs llama-quantize: the testdata f32 model quantized to every preset must have
// the per-tensor types of llama.cpp's file of that preset, the same tensor bytes (all of these
// quantizers are deterministic and mirror llama.cpp's), and logits close to the f32 model's.
// Layer: model tests (reference label: reads ../shared/testdata).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ondo/gguf/reader.h"
#include "ondo/model/model.h"
#include "ondo/model/quantize/quantize.h"
#include "support/testdata.h"

namespace ondo::model::quantize {
namespace {

namespace fs = std::filesystem;

// Bounds are about twice the errors measured (relative rms of the logits over 8 positions:
// F16 0.0007, BF16 0.006, Q8_0 0.018, Q6_K 0.045, Q5_* 0.085-0.093, Q4_* 0.16-0.19, Q3_K_M
// 0.30, Q2_K 0.54); unrelated logits would give about 1.4.
struct Case {
  std::string preset;
  double max_rel_rms;  // bound on rms(logit error) / rms(f32 logits)
};

// Logits of `tokens` (one batch, logits at every position).
std::vector<float> logits_of(const fs::path& path, const std::vector<int32_t>& tokens) {
  auto model = Model::load(path);
  EXPECT_TRUE(model.ok()) << model.error().message;
  if (!model.ok()) return {};
  const HParams& hp = (*model)->hparams();
  const int32_t n_ctx = 64;
  std::vector<float> k(size_t(hp.n_layer) * n_ctx * size_t(hp.kv_dim())), v(k.size());
  KvStore kv{hp.n_layer, 1, n_ctx, hp.kv_dim(), k.data(), v.data()};
  core::ThreadPool pool(2);
  ForwardScratch scratch(hp, n_ctx, n_ctx, pool.size());
  std::vector<BatchToken> batch;
  for (size_t i = 0; i < tokens.size(); ++i) batch.push_back({tokens[i], int32_t(i), 0, true});
  std::vector<float> out(tokens.size() * size_t(hp.n_vocab));
  auto st = (*model)->forward(batch, kv, scratch, pool, out.data());
  EXPECT_TRUE(st.ok()) << st.error().message;
  return out;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.preset; }

class QuantizeRef : public ::testing::TestWithParam<Case> {};

TEST_P(QuantizeRef, MatchesLlamaQuantize) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const Case c = GetParam();
  std::string lower = c.preset;
  for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  const fs::path in = dir / "models" / "ref-llama-spm-f32.gguf";
  const fs::path ref_path = dir / "models" / ("ref-llama-spm-" + lower + ".gguf");
  const fs::path out = fs::temp_directory_path() / ("ondo-quantize-ref-" + std::to_string(::getpid()) + "-" + lower + ".gguf");

  QuantizeOptions o;
  o.input = in;
  o.output = out;
  o.preset = find_preset(c.preset);
  ASSERT_NE(o.preset, nullptr);
  size_t reported = 0;
  o.on_tensor = [&](const TensorReport& r) { EXPECT_EQ(r.index, reported++); };
  core::ComputePool pool(2);
  auto rep = quantize_model(o, pool);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(reported, rep->n_tensors);

  auto mine = gguf::GgufFile::open(out);
  auto ref = gguf::GgufFile::open(ref_path);
  ASSERT_TRUE(mine.ok() && ref.ok());
  EXPECT_EQ(*(*mine)->get_uint("general.file_type"), *(*ref)->get_uint("general.file_type"));
  ASSERT_EQ((*mine)->tensors().size(), (*ref)->tensors().size());
  for (size_t i = 0; i < (*ref)->tensors().size(); ++i) {
    const gguf::TensorInfo& r = (*ref)->tensors()[i];
    const gguf::TensorInfo& m = (*mine)->tensors()[i];
    EXPECT_EQ(m.name, r.name) << "tensor order differs at " << i;
    EXPECT_EQ(core::dtype_name(m.type), core::dtype_name(r.type)) << r.name;
    ASSERT_EQ(m.nbytes, r.nbytes) << r.name;
    EXPECT_EQ(std::memcmp(m.data, r.data, size_t(r.nbytes)), 0) << r.name << ": bytes differ from llama-quantize's";
  }
  // The whole file, header and padding included, is what llama-quantize wrote.
  EXPECT_EQ(testing::read_file(out), testing::read_file(ref_path)) << "file bytes differ";

  const std::vector<int32_t> tokens = {1, 450, 37, 300, 12, 99, 200, 5};
  const std::vector<float> want = logits_of(in, tokens), got = logits_of(out, tokens);
  ASSERT_EQ(want.size(), got.size());
  double err = 0, norm = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    err += double(got[i] - want[i]) * double(got[i] - want[i]);
    norm += double(want[i]) * double(want[i]);
  }
  const double rel = std::sqrt(err / norm);
  EXPECT_LT(rel, c.max_rel_rms) << c.preset;
  EXPECT_GT(rel, 0.0) << c.preset << ": quantized logits equal the f32 ones exactly";
  std::printf("%s: relative rms logit error vs f32 %.5f\n", c.preset.c_str(), rel);
  fs::remove(out);
}

INSTANTIATE_TEST_SUITE_P(Presets, QuantizeRef,
                         ::testing::Values(Case{"F16", 0.005}, Case{"BF16", 0.02}, Case{"Q8_0", 0.04},
                                           Case{"Q6_K", 0.1}, Case{"Q5_1", 0.2}, Case{"Q5_0", 0.2},
                                           Case{"Q5_K_M", 0.2}, Case{"Q4_1", 0.35}, Case{"Q4_0", 0.35},
                                           Case{"Q4_K_M", 0.35}, Case{"Q3_K_M", 0.6}, Case{"Q2_K", 0.9}),
                         [](const auto& info) { return info.param.preset; });

}  // namespace
}  // namespace ondo::model::quantize
