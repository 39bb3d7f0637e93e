// llama.cpp's imatrix files (model/quantize/imatrix_file.h): a GGUF round trip, the legacy
// .dat format, importance() as llama-quantize derives it, and hostile files rejected with a
// message naming what is wrong. Layer: model (tests).
#include "ondo/model/quantize/imatrix_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "ondo/gguf/writer.h"

namespace ondo::model::quantize {
namespace {

Imatrix sample() {
  Imatrix m;
  m.datasets = {"calib.txt"};
  m.chunk_count = 3;
  m.chunk_size = 16;
  ImatrixEntry e;
  e.n_in = 4;
  e.in_sum2 = {4, 8, 0, 2};
  e.counts = {4};
  m.entries["blk.0.attn_q.weight"] = e;
  ImatrixEntry x;  // two stacked matrices, the second never used
  x.n_in = 2;
  x.in_sum2 = {3, 6, 0, 0};
  x.counts = {3, 0};
  m.entries["blk.0.ffn_down_exps.weight"] = x;
  return m;
}

std::string error_of(std::span<const uint8_t> bytes) {
  auto r = parse_imatrix(bytes, "im.gguf");
  return r.ok() ? std::string("(accepted)") : r.error().message;
}

std::vector<uint8_t> f32_bytes(std::vector<float> v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// A GGUF imatrix built by hand, changed by `edit` before writing.
std::vector<uint8_t> hand_made(const std::function<void(gguf::Writer&)>& edit) {
  gguf::Writer w;
  w.set_string("general.type", "imatrix");
  w.set_array("imatrix.datasets", std::span<const std::string>(std::vector<std::string>{"x"}));
  w.set_u32("imatrix.chunk_count", 1);
  w.set_u32("imatrix.chunk_size", 8);
  edit(w);
  return w.to_bytes().value();
}

TEST(ImatrixFile, GgufRoundTripKeepsEverything) {
  const Imatrix m = sample();
  auto bytes = imatrix_to_bytes(m);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  auto back = parse_imatrix(*bytes, "im.gguf");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FALSE(back->legacy);
  EXPECT_EQ(back->datasets, m.datasets);
  EXPECT_EQ(back->chunk_count, 3u);
  EXPECT_EQ(back->chunk_size, 16u);
  ASSERT_EQ(back->entries.size(), 2u);
  EXPECT_EQ(back->entries.at("blk.0.attn_q.weight").in_sum2, m.entries.at("blk.0.attn_q.weight").in_sum2);
  EXPECT_EQ(back->entries.at("blk.0.ffn_down_exps.weight").n_mat(), 2);
  // the layout llama.cpp writes: in_sum2 [n_in, n_mat], counts [1, n_mat], both F32
  auto f = gguf::GgufFile::from_memory(*bytes, "im.gguf");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->get_string("general.type").value(), "imatrix");
  const gguf::TensorInfo* s = (*f)->find_tensor("blk.0.ffn_down_exps.weight.in_sum2");
  const gguf::TensorInfo* c = (*f)->find_tensor("blk.0.ffn_down_exps.weight.counts");
  ASSERT_TRUE(s && c);
  EXPECT_EQ(s->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(c->shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(s->type, core::DType::F32);
}

TEST(ImatrixFile, ImportanceIsTheMeanSquareAndOneForUnusedMatrices) {
  const Imatrix m = sample();
  EXPECT_EQ(m.entries.at("blk.0.attn_q.weight").importance(), (std::vector<float>{1, 2, 0, 0.5f}));
  EXPECT_EQ(m.entries.at("blk.0.ffn_down_exps.weight").importance(), (std::vector<float>{1, 2, 1, 1}));
}

TEST(ImatrixFile, LegacyDatIsReadAsLlamaQuantizeReadsIt) {
  std::vector<uint8_t> b;
  auto i32 = [&](int32_t v) { b.insert(b.end(), reinterpret_cast<uint8_t*>(&v), reinterpret_cast<uint8_t*>(&v) + 4); };
  auto f32 = [&](float v) { b.insert(b.end(), reinterpret_cast<uint8_t*>(&v), reinterpret_cast<uint8_t*>(&v) + 4); };
  i32(1);
  const std::string name = "blk.1.ffn_up.weight";
  i32(int32_t(name.size()));
  b.insert(b.end(), name.begin(), name.end());
  i32(4);  // ncall
  i32(3);  // nval
  f32(8);
  f32(4);
  f32(0);
  i32(4);  // chunk count
  i32(9);
  for (char ch : std::string("wiki.text")) b.push_back(uint8_t(ch));
  auto m = parse_imatrix(b, "old.dat");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_TRUE(m->legacy);
  EXPECT_EQ(m->chunk_count, 4u);
  EXPECT_EQ(m->datasets, std::vector<std::string>{"wiki.text"});
  EXPECT_EQ(m->entries.at(name).importance(), (std::vector<float>{2, 1, 0}));  // stored / ncall

  // every truncation is an error naming where the file ends, never a crash
  for (size_t n = 0; n + 1 < b.size(); ++n) {
    if (n == b.size() - 17) continue;  // the trailer is optional: a file may end after its entries
    auto r = parse_imatrix(std::span<const uint8_t>(b.data(), n), "old.dat");
    EXPECT_FALSE(r.ok()) << "accepted a file cut at " << n;
    if (!r.ok()) EXPECT_EQ(r.error().message.rfind("old.dat: ", 0), 0u) << r.error().message;
  }
}

TEST(ImatrixFile, HostileFilesAreClearErrors) {
  const auto four = f32_bytes({1, 2, 3, 4});
  const auto one = f32_bytes({5});
  EXPECT_NE(error_of(hand_made([](gguf::Writer& w) { w.set_string("general.type", "model"); })).find("general.type is 'model'"),
            std::string::npos);
  EXPECT_NE(error_of(hand_made([](gguf::Writer&) {})).find("no importance matrix entries"), std::string::npos);
  EXPECT_NE(error_of(hand_made([&](gguf::Writer& w) {
              (void)w.add_tensor("a.weight.in_sum2", core::DType::F32, {4, 1}, four);
            })).find("entry 'a.weight' has in_sum2 but no counts"),
            std::string::npos);
  EXPECT_NE(error_of(hand_made([&](gguf::Writer& w) {
              (void)w.add_tensor("a.weight.counts", core::DType::F32, {1, 1}, one);
            })).find("counts but no in_sum2"),
            std::string::npos);
  EXPECT_NE(error_of(hand_made([&](gguf::Writer& w) {
              (void)w.add_tensor("a.weight.in_sum2", core::DType::F32, {2, 2}, four);
              (void)w.add_tensor("a.weight.counts", core::DType::F32, {1, 1}, one);
            })).find("counts has 1 values"),
            std::string::npos);
  const auto neg = f32_bytes({1, -2, 3, 4});
  EXPECT_NE(error_of(hand_made([&](gguf::Writer& w) {
              (void)w.add_tensor("a.weight.in_sum2", core::DType::F32, {4, 1}, neg);
              (void)w.add_tensor("a.weight.counts", core::DType::F32, {1, 1}, one);
            })).find("element 1 is -2"),
            std::string::npos);
  const auto nan = f32_bytes({1, 2, std::numeric_limits<float>::quiet_NaN(), 4});
  EXPECT_NE(error_of(hand_made([&](gguf::Writer& w) {
              (void)w.add_tensor("a.weight.in_sum2", core::DType::F32, {4, 1}, nan);
              (void)w.add_tensor("a.weight.counts", core::DType::F32, {1, 1}, one);
            })).find("expected a finite value"),
            std::string::npos);
  const std::vector<uint8_t> half(8, 0);
  EXPECT_NE(error_of(hand_made([&](gguf::Writer& w) {
              (void)w.add_tensor("a.weight.in_sum2", core::DType::F16, {4, 1}, half);
              (void)w.add_tensor("a.weight.counts", core::DType::F32, {1, 1}, one);
            })).find("is F16, expected F32"),
            std::string::npos);
  EXPECT_NE(error_of(hand_made([](gguf::Writer& w) { w.set_string("imatrix.datasets", "x"); })).find("imatrix.datasets"),
            std::string::npos);
  // a GGUF cut short is the reader's error, naming the file
  auto good = imatrix_to_bytes(sample()).value();
  EXPECT_EQ(error_of(std::span<const uint8_t>(good.data(), good.size() / 2)).rfind("im.gguf", 0), 0u);
  // legacy: absurd counts and lengths
  const std::vector<uint8_t> zero_entries(4, 0);
  EXPECT_NE(error_of(zero_entries).find("0 entries"), std::string::npos);
  std::vector<uint8_t> huge_name = {1, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f};
  EXPECT_NE(error_of(huge_name).find("name length"), std::string::npos);
  EXPECT_NE(error_of({}).find("ends inside the entry count"), std::string::npos);
}

TEST(ImatrixFile, WriterRejectsInconsistentEntries) {
  Imatrix m = sample();
  m.entries["bad"].n_in = 3;
  m.entries["bad"].in_sum2 = {1, 2};
  m.entries["bad"].counts = {1};
  auto r = imatrix_to_bytes(m);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("imatrix entry 'bad'"), std::string::npos);
}

}  // namespace
}  // namespace ondo::model::quantize
