// The GGUF writer through the fault-injecting Env: a failed call, a short write or a crash at
// any operation leaves the final path holding the old complete file or the new one, never a
// torn file; errors name the file and the operation. Layer: gguf tests.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"
#include "support/fault_env.h"
#include "support/temp_dir.h"

namespace ondo::gguf {
namespace {

using ondo::testing::check_atomic_write;
using ondo::testing::Fault;
using ondo::testing::FaultEnv;

class WriterFault : public ondo::testing::TempDirTest {};

// A small model-like file: metadata plus three tensors of different types and sizes.
std::unique_ptr<Writer> make_writer(float seed) {
  auto w = std::make_unique<Writer>();
  w->set_string(keys::kArchitecture, "test");
  w->set_f32("test.seed", seed);
  std::vector<float> a(300);
  for (size_t i = 0; i < a.size(); ++i) a[i] = seed + float(i);
  std::vector<uint8_t> bytes(a.size() * 4);
  std::memcpy(bytes.data(), a.data(), bytes.size());
  EXPECT_TRUE(w->add_tensor_owned("a", core::DType::F32, {300}, bytes).ok());
  EXPECT_TRUE(w->add_tensor_owned("b", core::DType::F32, {10, 3}, std::vector<uint8_t>(120, 7)).ok());
  EXPECT_TRUE(w->add_tensor_fill("c", core::DType::F32, {5}, [](std::span<uint8_t> dst) {
                   std::fill(dst.begin(), dst.end(), uint8_t(1));
                   return ok_status();
                 }).ok());
  return w;
}

std::string bytes_of(const Writer& w) {
  auto b = w.to_bytes();
  EXPECT_TRUE(b.ok());
  return std::string(b->begin(), b->end());
}

TEST_F(WriterFault, EveryFaultLeavesOldOrNewFile) {
  const auto path = dir_ / "model.gguf";
  const auto old_w = make_writer(1.0f), new_w = make_writer(2.0f);
  const std::string old_bytes = bytes_of(*old_w), new_bytes = bytes_of(*new_w);
  ASSERT_NE(old_bytes, new_bytes);
  auto write = [&](core::Env& env) { return new_w->write(path, env); };
  EXPECT_EQ(check_atomic_write(path, old_bytes, new_bytes, write), std::vector<std::string>{});
  EXPECT_EQ(check_atomic_write(path, std::nullopt, new_bytes, write), std::vector<std::string>{});
}

TEST_F(WriterFault, ErrorsNameFileAndOperation) {
  const auto path = dir_ / "model.gguf";
  const auto w = make_writer(1.0f);
  FaultEnv probe;
  ASSERT_TRUE(w->write(path, probe).ok());
  const size_t n = probe.ops();  // create, appends..., fsync, close, rename, fsync directory
  ASSERT_GE(n, 6u);
  struct Case {
    size_t op;
    const char* text;
  };
  for (const Case c : {Case{0, "model.gguf.tmp-"}, Case{0, ": create failed"}, Case{1, ": write failed"},
                       Case{n - 4, ": fsync failed"}, Case{n - 3, ": close failed"},
                       Case{n - 2, "model.gguf: rename failed"}, Case{n - 1, ": fsync directory failed"}}) {
    FaultEnv env;
    env.arm(c.op, Fault::Fail);
    const Status st = w->write(path, env);
    ASSERT_FALSE(st.ok()) << "op " << c.op;
    EXPECT_NE(st.error().message.find(c.text), std::string::npos) << st.error().message;
  }
  // The file written without faults loads.
  ASSERT_TRUE(w->write(path).ok());
  auto f = GgufFile::open(path);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ((*f)->tensors().size(), 3u);
}

}  // namespace
}  // namespace ondo::gguf
