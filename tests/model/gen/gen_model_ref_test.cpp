// gen-model against testdata: the Llama 3.1 rope factors equal the rope_freqs tensor llama.cpp's
// converter wrote into ref-llama3-bpe (factor 8, head dim 8, base 500000), and the real shapes
// take their vocabularies from testdata/tokenizer. Layer: model tests (reference label).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "ondo/gguf/reader.h"
#include "ondo/model/gen/gen_model.h"
#include "support/testdata.h"

namespace ondo::model::gen {
namespace {

TEST(GenModelRef, Llama3RopeFactorsMatchTheConverter) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto f = gguf::GgufFile::open(dir / "models" / "ref-llama3-bpe-f32-embq8_0.gguf");
  ASSERT_TRUE(f.ok()) << f.error().message;
  const gguf::TensorInfo* t = (*f)->find_tensor("rope_freqs.weight");
  ASSERT_NE(t, nullptr);
  const auto want = std::span(reinterpret_cast<const float*>(t->data), size_t(t->n_elements()));
  const auto got = llama3_rope_factors(8, 500000.0f, {8.0f, 1.0f, 4.0f, 8192});
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_FLOAT_EQ(got[i], want[i]) << i;
}

TEST(GenModelRef, ShapesFitTheirVocabularies) {
  ONDO_TESTDATA_OR_SKIP(dir);
  for (const ModelShape& s : model_shapes()) {
    if (s.vocab_file.empty()) continue;
    auto f = gguf::GgufFile::open(dir / s.vocab_file);
    ASSERT_TRUE(f.ok()) << f.error().message;
    const gguf::Value* tokens = (*f)->find("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    EXPECT_EQ(tokens->size(), uint64_t(s.n_vocab)) << s.name;
  }
}

}  // namespace
}  // namespace ondo::model::gen
