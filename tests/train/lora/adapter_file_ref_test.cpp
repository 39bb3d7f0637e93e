// The adapter writer against llama.cpp's reference adapters (testdata models/lora/): read
// each with gguf/reader, write it with write_adapter_file, and compare keys and tensors.
#include "ondo/train/lora/adapter_file.h"

#include <gtest/gtest.h>

#include <cstring>

#include "ondo/gguf/reader.h"
#include "support/temp_dir.h"
#include "support/testdata.h"

namespace ondo::train::lora {
namespace {

class AdapterFileRef : public testing::TempDirTest {};

TEST_F(AdapterFileRef, RoundTripsTheReferenceAdapters) {
  ONDO_TESTDATA_OR_SKIP(td);
  for (const char* name : {"ref-llama-spm-lora-attn.gguf", "ref-llama-spm-lora-attn-f16.gguf",
                           "ref-llama-spm-lora-mlp.gguf"}) {
    SCOPED_TRACE(name);
    const auto src = td / "models" / "lora" / name;
    auto a = read_adapter_file(src);
    ASSERT_TRUE(a.ok()) << a.error().message;
    const auto out = dir_ / name;
    ASSERT_TRUE(write_adapter_file(*a, out).ok());
    auto f0 = gguf::GgufFile::open(src);
    auto f1 = gguf::GgufFile::open(out);
    ASSERT_TRUE(f0.ok() && f1.ok());
    // every key of the reference, with the same value, and no extra keys
    for (const gguf::KeyValue& kv : (*f0)->metadata()) {
      if (kv.key == "general.alignment") continue;
      const gguf::Value* v = (*f1)->find(kv.key);
      ASSERT_NE(v, nullptr) << kv.key;
      EXPECT_EQ(v->type(), kv.value.type()) << kv.key;
      if (auto s = kv.value.as_string()) EXPECT_EQ(v->as_string(), s) << kv.key;
      if (auto d = kv.value.as_float()) EXPECT_EQ(v->as_float(), d) << kv.key;
    }
    for (const gguf::KeyValue& kv : (*f1)->metadata()) EXPECT_NE((*f0)->find(kv.key), nullptr) << kv.key;
    ASSERT_EQ((*f0)->tensors().size(), (*f1)->tensors().size());
    for (size_t i = 0; i < (*f0)->tensors().size(); ++i) {
      const gguf::TensorInfo& t0 = (*f0)->tensors()[i];
      const gguf::TensorInfo* t1 = (*f1)->find_tensor(t0.name);
      ASSERT_NE(t1, nullptr) << t0.name;
      EXPECT_EQ(t1->type, t0.type) << t0.name;
      EXPECT_EQ(t1->shape, t0.shape) << t0.name;
      ASSERT_EQ(t1->nbytes, t0.nbytes) << t0.name;
      EXPECT_EQ(std::memcmp(t1->data, t0.data, t0.nbytes), 0) << t0.name;
    }
    EXPECT_EQ((*f1)->get_string("general.type").value(), "adapter");
    EXPECT_EQ((*f1)->get_string("adapter.type").value(), "lora");
  }
}

TEST_F(AdapterFileRef, ReferenceShapesAreReadAsLlamaCppDefinesThem) {
  ONDO_TESTDATA_OR_SKIP(td);
  auto a = read_adapter_file(td / "models" / "lora" / "ref-llama-spm-lora-attn.gguf");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->architecture, "llama");
  EXPECT_FLOAT_EQ(a->alpha, 16.0f);
  ASSERT_FALSE(a->pairs.empty());
  for (const AdapterPair& p : a->pairs) EXPECT_EQ(p.rank, 8) << p.weight;
  auto m = read_adapter_file(td / "models" / "lora" / "ref-llama-spm-lora-mlp.gguf");
  ASSERT_TRUE(m.ok());
  EXPECT_FLOAT_EQ(m->alpha, 8.0f);
  for (const AdapterPair& p : m->pairs) EXPECT_EQ(p.rank, 4) << p.weight;
}

TEST_F(AdapterFileRef, RejectsAFileThatIsNotAnAdapter) {
  ONDO_TESTDATA_OR_SKIP(td);
  auto a = read_adapter_file(td / "models" / "ref-llama-spm-f32.gguf");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("ref-llama-spm-f32.gguf"), std::string::npos) << a.error().message;
}

}  // namespace
}  // namespace ondo::train::lora
