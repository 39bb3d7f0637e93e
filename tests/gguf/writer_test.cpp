// Writer round trips: write -> read -> equal, for every value type, nested and empty
// arrays, alignment, tensors of several dtypes, and the atomic file write. Layer: gguf tests.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"

namespace ondo::gguf {
namespace {

namespace fs = std::filesystem;

// A parsed file together with the bytes it borrows (from_memory does not copy them).
struct Reread {
  std::vector<uint8_t> bytes;
  std::unique_ptr<GgufFile> file;
  explicit operator bool() const { return file != nullptr; }
  const GgufFile* operator->() const { return file.get(); }
  const GgufFile& operator*() const { return *file; }
};

Reread reread(std::vector<uint8_t> bytes) {
  Reread r{std::move(bytes), nullptr};
  auto f = GgufFile::from_memory(r.bytes, "mem.gguf");
  EXPECT_TRUE(f.ok()) << f.error().message;
  if (f.ok()) r.file = std::move(f).value();
  return r;
}

TEST(Writer, EveryScalarTypeRoundTrips) {
  Writer w;
  w.set_u8("u8", 250);
  w.set_i8("i8", -120);
  w.set_u16("u16", 65000);
  w.set_i16("i16", -32000);
  w.set_u32("u32", 4000000000u);
  w.set_i32("i32", -2000000000);
  w.set_u64("u64", std::numeric_limits<uint64_t>::max());
  w.set_i64("i64", std::numeric_limits<int64_t>::min());
  w.set_f32("f32", 1.5e-5f);
  w.set_f64("f64", -3.25e100);
  w.set_bool("t", true);
  w.set_bool("f", false);
  w.set_string("s", "héllo\n\0x");
  w.set_string("empty", "");
  auto bytes = w.to_bytes();
  ASSERT_TRUE(bytes.ok());
  auto f = reread(*bytes);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->find("u8")->type(), ValueType::UInt8);
  EXPECT_EQ(*f->get_uint("u8"), 250u);
  EXPECT_EQ(f->find("i8")->type(), ValueType::Int8);
  EXPECT_EQ(*f->get_int("i8"), -120);
  EXPECT_EQ(*f->get_uint("u16"), 65000u);
  EXPECT_EQ(*f->get_int("i16"), -32000);
  EXPECT_EQ(*f->get_uint("u32"), 4000000000u);
  EXPECT_EQ(*f->get_int("i32"), -2000000000);
  EXPECT_EQ(*f->get_uint("u64"), std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(f->get_int("u64").ok());  // does not fit int64
  EXPECT_EQ(*f->get_int("i64"), std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(f->get_uint("i8").ok());  // negative
  EXPECT_EQ(f->find("f32")->type(), ValueType::Float32);
  EXPECT_EQ(float(*f->get_float("f32")), 1.5e-5f);
  EXPECT_EQ(*f->get_float("f64"), -3.25e100);
  EXPECT_TRUE(*f->get_bool("t"));
  EXPECT_FALSE(*f->get_bool("f"));
  EXPECT_EQ(*f->get_string("s"), "héllo\n");  // a string_view literal stops at the NUL
  EXPECT_EQ(*f->get_string("empty"), "");
  // Insertion order is kept.
  std::vector<std::string> order;
  for (const KeyValue& kv : f->metadata()) order.emplace_back(kv.key);
  EXPECT_EQ(order, w.keys());
  EXPECT_EQ(order.front(), "u8");
  EXPECT_EQ(order.back(), "empty");
}

TEST(Writer, ReplacingAKeyKeepsItsPosition) {
  Writer w;
  w.set_u32("a", 1);
  w.set_string("b", "x");
  w.set_u32("c", 3);
  w.set_string("a", "now a string");
  EXPECT_EQ(w.keys(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(w.remove("b"));
  EXPECT_FALSE(w.remove("b"));
  auto f = reread(*w.to_bytes());
  ASSERT_TRUE(f);
  ASSERT_EQ(f->metadata().size(), 2u);
  EXPECT_EQ(*f->get_string("a"), "now a string");
  EXPECT_EQ(f->find("b"), nullptr);
}

TEST(Writer, NumericArraysRoundTrip) {
  Writer w;
  const std::vector<int32_t> i32 = {1, -2, 3, std::numeric_limits<int32_t>::min()};
  const std::vector<float> f32 = {0.5f, -1.25f, 3e8f};
  const std::vector<uint8_t> u8 = {0, 255, 7};
  const std::vector<double> f64 = {1e-300, 2.0};
  const std::vector<uint64_t> u64 = {};
  w.set_array<int32_t>("i32", i32);
  w.set_array<float>("f32", f32);
  w.set_array<uint8_t>("u8", u8);
  w.set_array<double>("f64", f64);
  w.set_array<uint64_t>("empty", u64);
  w.set("bools", MetaValue::bools({true, false, true}));
  auto f = reread(*w.to_bytes());
  ASSERT_TRUE(f);
  EXPECT_EQ(f->find("i32")->elem_type(), ValueType::Int32);
  EXPECT_EQ(*f->find("i32")->to_ints(), (std::vector<int64_t>{1, -2, 3, -2147483648LL}));
  EXPECT_EQ(*f->find("f32")->to_floats(), f32);
  EXPECT_EQ(*f->find("u8")->to_ints(), (std::vector<int64_t>{0, 255, 7}));
  EXPECT_EQ(*f->find("f64")->at(0).as_float(), 1e-300);
  EXPECT_FALSE(f->find("f64")->to_ints().ok());
  const Value* e = f->find("empty");
  EXPECT_EQ(e->type(), ValueType::Array);
  EXPECT_EQ(e->elem_type(), ValueType::UInt64);
  EXPECT_EQ(e->size(), 0u);
  EXPECT_TRUE(e->to_ints()->empty());
  EXPECT_EQ(*f->find("bools")->to_ints(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(*f->find("bools")->at(1).as_bool(), false);
}

TEST(Writer, StringArraysRoundTrip) {
  Writer w;
  std::vector<std::string> tokens;
  for (int i = 0; i < 1000; ++i) tokens.push_back("tok" + std::to_string(i * 7));
  tokens.push_back("");
  w.set_array("tokens", std::span<const std::string>(tokens));
  w.set_array("none", std::span<const std::string>());
  auto f = reread(*w.to_bytes());
  ASSERT_TRUE(f);
  const Value* v = f->find("tokens");
  ASSERT_EQ(v->size(), tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) EXPECT_EQ(*v->at(i).as_string(), tokens[i]);
  auto all = v->to_strings();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[999], "tok6993");
  EXPECT_FALSE(v->to_floats().ok());
  EXPECT_EQ(f->find("none")->elem_type(), ValueType::String);
  EXPECT_TRUE(f->find("none")->to_strings()->empty());
}

TEST(Writer, NestedArraysRoundTrip) {
  const std::vector<int16_t> a = {1, 2};
  const std::vector<int16_t> b = {};
  const std::vector<std::string> s = {"x", "yz"};
  std::vector<MetaValue> inner = {MetaValue::numbers<int16_t>(a), MetaValue::numbers<int16_t>(b),
                                  MetaValue::strings(std::span<const std::string>(s))};
  auto mid = MetaValue::array(ValueType::Array, inner);
  ASSERT_TRUE(mid.ok());
  std::vector<MetaValue> outer = {*mid, *mid};
  auto top = MetaValue::array(ValueType::Array, outer);
  ASSERT_TRUE(top.ok());
  Writer w;
  w.set("nested", *top);
  auto f = reread(*w.to_bytes());
  ASSERT_TRUE(f);
  const Value* v = f->find("nested");
  ASSERT_EQ(v->size(), 2u);
  const Value m = v->at(1);
  ASSERT_EQ(m.elem_type(), ValueType::Array);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(*m.at(0).to_ints(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(m.at(1).size(), 0u);
  EXPECT_EQ(m.at(1).elem_type(), ValueType::Int16);
  EXPECT_EQ(*m.at(2).at(1).as_string(), "yz");

  // Mixed item types are rejected.
  std::vector<MetaValue> mixed = {MetaValue::u8(1), MetaValue::string("x")};
  auto bad = MetaValue::array(ValueType::UInt8, mixed);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("item 1 has type string"), std::string::npos);
}

std::vector<uint8_t> f32_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(Writer, TensorsRoundTripWithAlignment) {
  for (const uint64_t alignment : {1u, 32u, 64u, 4096u}) {
    Writer w;
    ASSERT_TRUE(w.set_alignment(alignment).ok());
    w.set_string(keys::kArchitecture, "test");
    const std::vector<uint8_t> a = f32_bytes({1, 2, 3, 4, 5, 6});
    std::vector<uint8_t> q(34 * 2);  // 2 Q8_0 blocks
    for (size_t i = 0; i < q.size(); ++i) q[i] = uint8_t(i * 3);
    ASSERT_TRUE(w.add_tensor("a", core::DType::F32, {3, 2}, a).ok());
    ASSERT_TRUE(w.add_tensor_owned("q", core::DType::Q8_0, {32, 1, 2}, q).ok());
    ASSERT_TRUE(w.add_tensor_fill("g", core::DType::I8, {5}, [](std::span<uint8_t> d) {
                  for (size_t i = 0; i < d.size(); ++i) d[i] = uint8_t(100 + i);
                  return ok_status();
                }).ok());
    auto f = reread(*w.to_bytes());
    ASSERT_TRUE(f);
    EXPECT_EQ(f->alignment(), alignment);
    EXPECT_EQ(f->data_offset() % alignment, 0u);
    ASSERT_EQ(f->tensors().size(), 3u);
    const TensorInfo& ta = f->tensors()[0];
    EXPECT_EQ(ta.name, "a");
    EXPECT_EQ(ta.shape, (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(std::vector<uint8_t>(ta.data, ta.data + ta.nbytes), a);
    const TensorInfo* tq = f->find_tensor("q");
    EXPECT_EQ(tq->type, core::DType::Q8_0);
    EXPECT_EQ(tq->offset % alignment, 0u);
    EXPECT_EQ(std::vector<uint8_t>(tq->data, tq->data + tq->nbytes), q);
    const TensorInfo* tg = f->find_tensor("g");
    EXPECT_EQ(tg->nbytes, 5u);
    EXPECT_EQ(tg->data[4], 104);
  }
}

TEST(Writer, RejectsBadTensors) {
  Writer w;
  const std::vector<uint8_t> four(4);
  EXPECT_EQ(w.add_tensor("", core::DType::F32, {1}, four).error().code, ErrorCode::InvalidArgument);
  EXPECT_FALSE(w.add_tensor("x", core::DType::F32, {}, four).ok());
  EXPECT_FALSE(w.add_tensor("x", core::DType::F32, {1, 1, 1, 1, 1}, four).ok());
  EXPECT_FALSE(w.add_tensor("x", core::DType::F32, {0}, {}).ok());
  EXPECT_FALSE(w.add_tensor("x", core::DType::F32, {-1}, four).ok());
  EXPECT_FALSE(w.add_tensor("x", core::DType::Q8_0, {16}, four).ok());  // half a block
  auto size = w.add_tensor("x", core::DType::F32, {2}, four);
  ASSERT_FALSE(size.ok());
  EXPECT_NE(size.error().message.find("data has 4 bytes (expected 8"), std::string::npos);
  ASSERT_TRUE(w.add_tensor("x", core::DType::F32, {1}, four).ok());
  auto dup = w.add_tensor("x", core::DType::F32, {1}, four);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("added twice"), std::string::npos);
  EXPECT_FALSE(w.set_alignment(0).ok());
  EXPECT_FALSE(w.set_alignment(48).ok());
  EXPECT_EQ(w.tensor_count(), 1u);
  w.set_string(keys::kAlignment, "32");  // a wrong type is caught when writing
  EXPECT_FALSE(w.to_bytes().ok());
}

TEST(Writer, CopiesMetadataWithAFilter) {
  Writer src;
  src.set_string("general.architecture", "llama");
  src.set_u32("llama.block_count", 5);
  src.set_string("tokenizer.ggml.model", "llama");
  std::vector<MetaValue> inner = {MetaValue::u8(1)};
  src.set("nest", MetaValue::array(ValueType::Array,
                                   std::vector<MetaValue>{*MetaValue::array(ValueType::UInt8,
                                                                            inner)}).value());
  auto bytes = src.to_bytes();
  auto f = reread(*bytes);
  ASSERT_TRUE(f);
  Writer all;
  all.copy_metadata(*f);
  EXPECT_EQ(*all.to_bytes(), *bytes);  // byte-identical copy
  Writer some;
  some.copy_metadata(*f, [](std::string_view k) { return k.rfind("llama.", 0) == 0; });
  EXPECT_EQ(some.keys(), (std::vector<std::string>{"llama.block_count"}));
}

TEST(Writer, WritesAtomicallyToDisk) {
  const fs::path dir = fs::temp_directory_path() / ("ondo_writer_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / "out.gguf";
  Writer w;
  w.set_string(keys::kArchitecture, "test");
  const std::vector<uint8_t> a = f32_bytes({1, 2, 3, 4});
  ASSERT_TRUE(w.add_tensor("a", core::DType::F32, {4}, a).ok());
  ASSERT_TRUE(w.write(path).ok());
  auto f = GgufFile::open(path);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(*(*f)->get_string(keys::kArchitecture), "test");
  EXPECT_EQ(fs::file_size(path), w.to_bytes()->size());

  // A failing fill leaves the old file in place and no temporary behind.
  Writer bad;
  ASSERT_TRUE(bad.add_tensor_fill("t", core::DType::F32, {1}, [](std::span<uint8_t>) {
                   return Status(make_error(ErrorCode::Internal, "boom"));
                 }).ok());
  auto st = bad.write(path);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("tensor 't': boom"), std::string::npos);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  EXPECT_TRUE(GgufFile::open(path).ok());
  auto missing_dir = w.write(dir / "no" / "such" / "out.gguf");
  EXPECT_EQ(missing_dir.error().code, ErrorCode::InvalidFile);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ondo::gguf
