// Env: the POSIX implementation's operations and errors, write_file_atomic under every
// injected fault, and the fault harness itself catching writers that are not durable.
// Layer: core tests.
#include "ondo/core/env.h"

#include <gtest/gtest.h>

#include <string>

#include "support/fault_env.h"
#include "support/temp_dir.h"

namespace ondo::core {
namespace {

using ondo::testing::check_atomic_write;
using ondo::testing::Fault;
using ondo::testing::FaultEnv;
using ondo::testing::read_file_bytes;

class EnvTest : public ondo::testing::TempDirTest {};

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status write_text(Env& env, const std::filesystem::path& path, const std::string& text) {
  return write_file_atomic(env, path, [&](WritableFile& f) -> Status {
    // Several appends, so that faults can tear the file between them.
    for (size_t i = 0; i < text.size(); i += 7) ONDO_TRY(f.append(bytes(text.substr(i, 7))));
    return ok_status();
  });
}

TEST_F(EnvTest, PosixOperations) {
  Env& env = Env::posix();
  const auto a = dir_ / "a.bin";
  auto f = env.open(a, OpenMode::CreateNew);
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_TRUE((*f)->append(bytes("hello")).ok());
  ASSERT_TRUE((*f)->sync().ok());
  ASSERT_TRUE((*f)->close().ok());
  EXPECT_TRUE((*f)->close().ok());  // a second close does nothing

  auto again = env.open(a, OpenMode::CreateNew);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("a.bin: create failed"), std::string::npos) << again.error().message;

  auto app = env.open(a, OpenMode::Append);
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE((*app)->append(bytes(" world")).ok());
  ASSERT_TRUE((*app)->close().ok());
  EXPECT_EQ(read_file_bytes(a), "hello world");

  ASSERT_TRUE(env.rename(a, dir_ / "b.bin").ok());
  ASSERT_TRUE(env.sync_dir(dir_).ok());
  auto names = env.list(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"b.bin"});
  auto space = env.free_space(dir_);
  ASSERT_TRUE(space.ok());
  EXPECT_GT(*space, 0u);
  ASSERT_TRUE(env.remove(dir_ / "b.bin").ok());
  const Status gone = env.remove(dir_ / "b.bin");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
  EXPECT_NE(gone.error().message.find("b.bin: remove failed"), std::string::npos);
  EXPECT_FALSE(env.list(dir_ / "missing").ok());
  EXPECT_EQ(parent_dir("x.gguf"), ".");
}

TEST_F(EnvTest, AtomicWriteReplacesAndLeavesNoTemporaryFile) {
  const auto p = dir_ / "f.txt";
  ASSERT_TRUE(write_text(Env::posix(), p, "old contents").ok());
  ASSERT_TRUE(write_text(Env::posix(), p, "new contents").ok());
  EXPECT_EQ(read_file_bytes(p), "new contents");
  EXPECT_EQ(*Env::posix().list(dir_), std::vector<std::string>{"f.txt"});
}

TEST_F(EnvTest, BodyErrorKeepsOldFile) {
  const auto p = dir_ / "f.txt";
  ASSERT_TRUE(write_text(Env::posix(), p, "old").ok());
  const Status st = write_file_atomic(Env::posix(), p, [](WritableFile& f) -> Status {
    ONDO_TRY(f.append(bytes("partial")));
    return Status(make_error(ErrorCode::InvalidArgument, "tensor 'x': bad"));
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "tensor 'x': bad");
  EXPECT_EQ(read_file_bytes(p), "old");
  EXPECT_EQ(*Env::posix().list(dir_), std::vector<std::string>{"f.txt"});
}

TEST_F(EnvTest, AtomicWriteSurvivesEveryFault) {
  const std::string next(100, 'n');
  const auto p = dir_ / "f.txt";
  auto write = [&](Env& env) { return write_text(env, p, next); };
  EXPECT_EQ(check_atomic_write(p, std::string(50, 'o'), next, write), std::vector<std::string>{});
  EXPECT_EQ(check_atomic_write(p, std::nullopt, next, write), std::vector<std::string>{});
}

TEST_F(EnvTest, FaultEnvCountsAndInjects) {
  FaultEnv env;
  env.arm(1, Fault::ShortWrite);
  auto f = env.open(dir_ / "x", OpenMode::CreateNew);  // op 0
  ASSERT_TRUE(f.ok());
  const Status st = (*f)->append(bytes("abcdefgh"));  // op 1: half written, then an error
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("x: write failed (injected short write)"), std::string::npos);
  ASSERT_TRUE((*f)->close().ok());  // op 2
  EXPECT_EQ(read_file_bytes(dir_ / "x"), "abcd");
  EXPECT_EQ(env.ops(), 3u);
  env.crash_now();  // nothing was synced: the file loses its bytes
  EXPECT_EQ(read_file_bytes(dir_ / "x"), "");
  EXPECT_FALSE(env.list(dir_).ok());  // everything fails after a crash
}

// The harness must catch writers that are not crash-safe; otherwise it proves nothing.
TEST_F(EnvTest, HarnessCatchesAWriteInPlace) {
  const auto p = dir_ / "f.txt";
  auto in_place = [&](Env& env) -> Status {
    ONDO_ASSIGN_OR_RETURN(auto f, env.open(p, OpenMode::Truncate));
    for (int i = 0; i < 4; ++i) ONDO_TRY(f->append(bytes("new!")));
    ONDO_TRY(f->sync());
    return f->close();
  };
  EXPECT_FALSE(check_atomic_write(p, "old", "new!new!new!new!", in_place).empty());
}

TEST_F(EnvTest, HarnessCatchesARenameBeforeFsync) {
  const auto p = dir_ / "f.txt";
  auto no_fsync = [&](Env& env) -> Status {
    ONDO_ASSIGN_OR_RETURN(auto f, env.open(dir_ / "tmp", OpenMode::CreateNew));
    ONDO_TRY(f->append(bytes("new contents")));
    ONDO_TRY(f->close());
    ONDO_TRY(env.rename(dir_ / "tmp", p));
    return env.sync_dir(dir_);
  };
  const auto problems = check_atomic_write(p, "old", "new contents", no_fsync);
  // A crash once the rename is durable leaves the final name with bytes that never reached
  // the disk (here: right after the write returns).
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("did not leave the new file durably"), std::string::npos) << problems[0];
}

TEST_F(EnvTest, HarnessCatchesAMissingDirectoryFsync) {
  const auto p = dir_ / "f.txt";
  auto no_dir_sync = [&](Env& env) -> Status {
    ONDO_ASSIGN_OR_RETURN(auto f, env.open(dir_ / "tmp", OpenMode::CreateNew));
    ONDO_TRY(f->append(bytes("new contents")));
    ONDO_TRY(f->sync());
    ONDO_TRY(f->close());
    return env.rename(dir_ / "tmp", p);
  };
  const auto problems = check_atomic_write(p, "old", "new contents", no_dir_sync);
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("did not leave the new file durably"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace ondo::core
