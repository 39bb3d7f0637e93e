// Malformed GGUF files: each kind of fault must be an Error with the right code whose
// message names the file and the specific problem; truncation anywhere is an error, never
// a crash. Files are built byte by byte (Raw) or by the Writer. Layer: gguf tests.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"

namespace ondo::gguf {
namespace {

// Builds raw GGUF bytes field by field, so any field can hold any value.
struct Raw {
  std::vector<uint8_t> b;
  Raw& bytes(const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    b.insert(b.end(), c, c + n);
    return *this;
  }
  Raw& u8(uint8_t v) { return bytes(&v, 1); }
  Raw& u32(uint32_t v) { return bytes(&v, 4); }
  Raw& u64(uint64_t v) { return bytes(&v, 8); }
  Raw& str(std::string_view s) { return u64(s.size()).bytes(s.data(), s.size()); }
  Raw& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return bytes("GGUF", 4).u32(version).u64(n_tensors).u64(n_kv);
  }
  Raw& kv_u32(std::string_view key, uint32_t v) { return str(key).u32(4).u32(v); }
  Raw& kv_str(std::string_view key, std::string_view v) { return str(key).u32(8).str(v); }
  Raw& tensor(std::string_view name, std::vector<uint64_t> dims, uint32_t type, uint64_t off) {
    str(name).u32(uint32_t(dims.size()));
    for (const uint64_t d : dims) u64(d);
    return u32(type).u64(off);
  }
  Raw& pad(size_t alignment) {
    while (b.size() % alignment) b.push_back(0);
    return *this;
  }
  Raw& zeros(size_t n) {
    b.insert(b.end(), n, 0);
    return *this;
  }
};

constexpr const char* kName = "bad.gguf";

// Parses `bytes` and checks the error: code, "bad.gguf: " prefix, and each substring.
void expect_error(const std::vector<uint8_t>& bytes, ErrorCode code,
                  std::initializer_list<std::string_view> parts, const ReadOptions& opt = {}) {
  auto r = GgufFile::from_memory(bytes, kName, opt);
  ASSERT_FALSE(r.ok()) << "parsed a malformed file";
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_EQ(r.error().message.rfind(std::string(kName) + ": ", 0), 0u) << r.error().message;
  for (const std::string_view p : parts) {
    EXPECT_NE(r.error().message.find(p), std::string::npos)
        << "message '" << r.error().message << "' lacks '" << p << "'";
  }
}

// A valid one-tensor file, to check the cases below start from something that parses.
Raw one_tensor(uint32_t type, std::vector<uint64_t> dims, uint64_t data_bytes) {
  Raw r;
  r.header(1, 1).kv_str("general.architecture", "t").tensor("w", dims, type, 0).pad(32);
  return r.zeros(data_bytes);
}

TEST(ReaderMalformed, BaselineParses) {
  EXPECT_TRUE(GgufFile::from_memory(one_tensor(0, {4, 2}, 32).b, kName).ok());
}

TEST(ReaderMalformed, EmptyFile) {
  expect_error({}, ErrorCode::InvalidFile, {"truncated reading magic", "need 4 bytes, 0 left"});
}

TEST(ReaderMalformed, BadMagic) {
  Raw r;
  r.bytes("GGML", 4).u32(3).u64(0).u64(0);
  expect_error(r.b, ErrorCode::InvalidFile, {"not a GGUF file", "magic 'GGML'"});
}

TEST(ReaderMalformed, VersionOneIsUnsupported) {
  expect_error(Raw().header(0, 0, 1).b, ErrorCode::Unsupported, {"version 1 is not supported"});
}

TEST(ReaderMalformed, UnknownVersion) {
  expect_error(Raw().header(0, 0, 7).b, ErrorCode::Unsupported, {"version 7", "expected 2 or 3"});
}

TEST(ReaderMalformed, BigEndianFile) {
  expect_error(Raw().header(0, 0, 0x03000000u).b, ErrorCode::Unsupported, {"big-endian"});
}

TEST(ReaderMalformed, TruncatedHeader) {
  Raw r;
  r.bytes("GGUF", 4).u32(3).u32(0);
  expect_error(r.b, ErrorCode::InvalidFile, {"truncated reading tensor count", "offset 8"});
}

TEST(ReaderMalformed, AbsurdTensorCount) {
  expect_error(Raw().header(uint64_t(1) << 60, 0).b, ErrorCode::InvalidFile,
               {"tensor count 1152921504606846976 is impossible"});
  ReadOptions opt;
  opt.max_tensors = 2;
  Raw r;
  r.header(3, 0).zeros(4096);
  expect_error(r.b, ErrorCode::InvalidFile, {"tensor count 3", "limit 2"}, opt);
}

TEST(ReaderMalformed, AbsurdMetadataCount) {
  expect_error(Raw().header(0, ~uint64_t(0)).b, ErrorCode::InvalidFile,
               {"metadata count 18446744073709551615 is impossible"});
}

TEST(ReaderMalformed, KeyLongerThanFile) {
  Raw r;
  r.header(0, 1).u64(1000).bytes("abc", 3).zeros(20);
  expect_error(r.b, ErrorCode::InvalidFile, {"metadata key at offset 24", "length 1000", "past end"});
}

TEST(ReaderMalformed, StringOverTheLimit) {
  Raw r;
  r.header(0, 1).kv_str("k", std::string(100, 'x'));
  ReadOptions opt;
  opt.max_string = 64;
  expect_error(r.b, ErrorCode::InvalidFile, {"string value", "length 100", "limit 64"}, opt);
}

TEST(ReaderMalformed, EmptyKey) {
  Raw r;
  r.header(0, 1).kv_u32("", 1);
  expect_error(r.b, ErrorCode::InvalidFile, {"metadata key #0", "is empty"});
}

TEST(ReaderMalformed, DuplicateKey) {
  Raw r;
  r.header(0, 2).kv_u32("a.b", 1).kv_u32("a.b", 2);
  expect_error(r.b, ErrorCode::InvalidFile, {"metadata key 'a.b' appears twice"});
}

TEST(ReaderMalformed, UnknownValueType) {
  Raw r;
  r.header(0, 1).str("k").u32(13).u32(0);
  expect_error(r.b, ErrorCode::InvalidFile, {"metadata key 'k' has unknown value type 13"});
}

TEST(ReaderMalformed, UnknownArrayElementType) {
  Raw r;
  r.header(0, 1).str("arr").u32(9).u32(200).u64(1).u32(0);
  expect_error(r.b, ErrorCode::InvalidFile, {"'arr'", "unknown element type 200"});
}

TEST(ReaderMalformed, ArrayLongerThanFile) {
  Raw r;
  r.header(0, 1).str("arr").u32(9).u32(uint32_t(ValueType::Float32)).u64(1000).zeros(16);
  expect_error(r.b, ErrorCode::InvalidFile, {"'arr'", "array length 1000", "impossible"});
  Raw s;  // strings: 8 bytes each at least
  s.header(0, 1).str("toks").u32(9).u32(8).u64(uint64_t(1) << 40).zeros(64);
  expect_error(s.b, ErrorCode::InvalidFile, {"'toks'", "array length 1099511627776"});
}

TEST(ReaderMalformed, ArraysNestedTooDeep) {
  Raw r;
  r.header(0, 1).str("deep").u32(9);
  for (int i = 0; i < 10; ++i) r.u32(9).u64(1);  // array of array of ... (10 levels)
  r.u32(0).u64(0);
  expect_error(r.b, ErrorCode::InvalidFile, {"'deep'", "nested deeper than 8"});
}

TEST(ReaderMalformed, StringValuePastEnd) {
  Raw r;
  r.header(0, 1).str("name").u32(8).u64(50).bytes("short", 5);
  expect_error(r.b, ErrorCode::InvalidFile, {"string value", "length 50", "past end of file"});
}

TEST(ReaderMalformed, TruncatedScalarValue) {
  Raw r;
  r.header(0, 1).str("f").u32(uint32_t(ValueType::Float64)).u32(0);
  expect_error(r.b, ErrorCode::InvalidFile, {"'f'", "truncated reading a float64", "need 8"});
}

TEST(ReaderMalformed, AlignmentNotAPowerOfTwo) {
  Raw r;
  r.header(0, 1).kv_u32("general.alignment", 48);
  expect_error(r.b, ErrorCode::InvalidFile, {"general.alignment is 48", "power of two"});
  Raw z;
  z.header(0, 1).kv_u32("general.alignment", 0);
  expect_error(z.b, ErrorCode::InvalidFile, {"general.alignment is 0"});
}

TEST(ReaderMalformed, AlignmentOfWrongType) {
  Raw r;
  r.header(0, 1).kv_str("general.alignment", "32");
  expect_error(r.b, ErrorCode::InvalidFile, {"'general.alignment' has type string"});
}

TEST(ReaderMalformed, TensorWithEmptyName) {
  Raw r;
  r.header(1, 0).tensor("", {4}, 0, 0).pad(32).zeros(32);
  expect_error(r.b, ErrorCode::InvalidFile, {"tensor #0", "empty name"});
}

TEST(ReaderMalformed, ZeroOrTooManyDimensions) {
  expect_error(one_tensor(0, {}, 32).b, ErrorCode::InvalidFile,
               {"tensor 'w' has 0 dimensions (expected 1 to 4)"});
  expect_error(one_tensor(0, {1, 1, 1, 1, 1}, 32).b, ErrorCode::InvalidFile,
               {"tensor 'w' has 5 dimensions"});
}

TEST(ReaderMalformed, NonPositiveDimension) {
  expect_error(one_tensor(0, {4, ~uint64_t(0)}, 32).b, ErrorCode::InvalidFile,
               {"tensor 'w' has dimension 1 of -1"});
  expect_error(one_tensor(0, {0}, 32).b, ErrorCode::InvalidFile,
               {"tensor 'w' has dimension 0 of 0"});
}

TEST(ReaderMalformed, ElementCountOverflow) {
  expect_error(one_tensor(0, {uint64_t(1) << 32, uint64_t(1) << 32}, 32).b, ErrorCode::InvalidFile,
               {"tensor 'w'", "overflows 64 bits"});
  // One row whose byte size wraps 64 bits (found by the fuzzer: 2^62 F32 = 2^64 bytes).
  expect_error(one_tensor(0, {uint64_t(1) << 62}, 32).b, ErrorCode::InvalidFile,
               {"tensor 'w'", "byte size that overflows 64 bits"});
  // Elements fit int64 but bytes do not (F64: 8 bytes each).
  expect_error(one_tensor(28, {uint64_t(1) << 31, uint64_t(1) << 31}, 32).b,
               ErrorCode::InvalidFile, {"tensor 'w'", "byte size that overflows 64 bits"});
}

TEST(ReaderMalformed, UnknownTensorType) {
  expect_error(one_tensor(99, {4}, 32).b, ErrorCode::InvalidFile,
               {"tensor 'w' has unknown type id 99"});
}

TEST(ReaderMalformed, KnownButUnsupportedTensorType) {
  expect_error(one_tensor(16, {256}, 128).b, ErrorCode::Unsupported,
               {"tensor 'w'", "type IQ2_XXS (16) is not supported"});
}

TEST(ReaderMalformed, RowsNotWholeBlocks) {
  expect_error(one_tensor(8, {48, 2}, 128).b, ErrorCode::InvalidFile,
               {"tensor 'w'", "rows of 48 elements", "Q8_0 blocks of 32"});
}

TEST(ReaderMalformed, MisalignedTensorOffset) {
  Raw r;
  r.header(1, 0).tensor("w", {4}, 0, 16).pad(32).zeros(64);
  expect_error(r.b, ErrorCode::InvalidFile,
               {"tensor 'w' has offset 16", "not a multiple of the alignment 32"});
}

TEST(ReaderMalformed, TensorPastEndOfFile) {
  const Raw short_data = one_tensor(0, {4, 4}, 32);
  const std::string file_size = "file " + std::to_string(short_data.b.size()) + ")";
  expect_error(short_data.b, ErrorCode::InvalidFile,
               {"tensor 'w' ends past end of file", "size 64", file_size});
  Raw r;  // an offset near 2^64 must not wrap around
  r.header(1, 0).tensor("w", {4}, 0, ~uint64_t(31)).pad(32).zeros(32);
  expect_error(r.b, ErrorCode::InvalidFile, {"tensor 'w' ends past end of file"});
}

TEST(ReaderMalformed, DuplicateTensorName) {
  Raw r;
  r.header(2, 0).tensor("w", {8}, 0, 0).tensor("w", {8}, 0, 32).pad(32).zeros(64);
  expect_error(r.b, ErrorCode::InvalidFile, {"tensor 'w' appears twice", "tensor #1"});
}

TEST(ReaderMalformed, MissingFileAndDirectory) {
  auto missing = GgufFile::open("/nonexistent/x.gguf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(missing.error().message.rfind("/nonexistent/x.gguf: ", 0), 0u);
  auto dir = GgufFile::open(std::filesystem::temp_directory_path());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, ErrorCode::InvalidFile);
  EXPECT_NE(dir.error().message.find("not a regular file"), std::string::npos);
}

TEST(ReaderMalformed, EmptyFileOnDisk) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("ondo_empty_" + std::to_string(::getpid()) + ".gguf");
  { std::ofstream(path.string()); }
  auto r = GgufFile::open(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidFile);
  EXPECT_NE(r.error().message.find("truncated reading magic"), std::string::npos);
}

// A small file with every value type, nested arrays and two tensors whose data ends exactly
// at the end of the file (no trailing padding), so every strict prefix is malformed.
std::vector<uint8_t> small_valid_file() {
  Writer w;
  w.set_string(keys::kArchitecture, "llama");
  w.set_u8("u8", 1);
  w.set_i8("i8", -1);
  w.set_u16("u16", 2);
  w.set_i16("i16", -2);
  w.set_u32("u32", 3);
  w.set_i32("i32", -3);
  w.set_u64("u64", 4);
  w.set_i64("i64", -4);
  w.set_f32("f32", 0.5f);
  w.set_f64("f64", 0.25);
  w.set_bool("b", true);
  const std::vector<std::string> toks = {"a", "bc", ""};
  w.set_array("toks", std::span<const std::string>(toks));
  const std::vector<float> scores = {1, 2, 3};
  w.set_array<float>("scores", scores);
  std::vector<MetaValue> inner = {MetaValue::strings(std::span<const std::string>(toks)),
                                  MetaValue::numbers<float>(scores)};
  w.set("nested", *MetaValue::array(ValueType::Array, inner));
  const std::vector<uint8_t> q(34, 7);   // one Q8_0 block, padded to 64 by the writer
  const std::vector<uint8_t> f(32, 1);   // 8 F32 values: exactly one alignment unit
  EXPECT_TRUE(w.add_tensor("q", core::DType::Q8_0, {32}, q).ok());
  EXPECT_TRUE(w.add_tensor("f", core::DType::F32, {8}, f).ok());
  return *w.to_bytes();
}

TEST(ReaderMalformed, TruncationAtEveryOffsetIsAnError) {
  const std::vector<uint8_t> full = small_valid_file();
  auto ok = GgufFile::from_memory(full, kName);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  const TensorInfo& last = (*ok)->tensors().back();
  ASSERT_EQ((*ok)->data_offset() + last.offset + last.nbytes, full.size());
  for (size_t n = 0; n < full.size(); ++n) {
    // An exact-size heap copy, so a sanitizer build catches any read past the end.
    const std::vector<uint8_t> prefix(full.begin(), full.begin() + long(n));
    auto r = GgufFile::from_memory(prefix, kName);
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(r.error().code, ErrorCode::InvalidFile) << r.error().message;
    EXPECT_EQ(r.error().message.rfind("bad.gguf: ", 0), 0u) << r.error().message;
    const bool names_problem = r.error().message.find("truncated") != std::string::npos ||
                               r.error().message.find("past end") != std::string::npos ||
                               r.error().message.find("impossible") != std::string::npos;
    EXPECT_TRUE(names_problem) << n << ": " << r.error().message;
  }
}

}  // namespace
}  // namespace ondo::gguf
