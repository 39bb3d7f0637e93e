// The SQLite engine under file-system faults (support/fault_env.h through the Env VFS):
// failed writes, torn writes and crashes at every operation of opening the store and
// writing a key. Invariants: the database always opens again; a write that returned ok is
// there after a crash; and its data directory is private.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ondo/store/store.h"
#include "support/fault_env.h"

namespace ondo::store {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ondo-sqlite-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ApiKey key(const std::string& id) {
    ApiKey k;
    k.id = id;
    k.hash = "h-" + id;
    k.created_at = 42;
    k.models = {"m"};
    return k;
  }

  fs::path dir_;
};

TEST_F(SqliteStoreTest, CreatesAPrivateDataDirectory) {
  auto s = open_sqlite_store(dir_ / "nested", core::Env::posix());
  ASSERT_FALSE(s.ok());  // the parent is missing: named, not created
  EXPECT_NE(s.error().message.find("cannot create the data directory"), std::string::npos) << s.error().message;
  auto t = open_sqlite_store(dir_, core::Env::posix());
  ASSERT_TRUE(t.ok()) << t.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(fs::exists(dir_ / "ondo.db"));
}

TEST_F(SqliteStoreTest, SecondOpenInOneProcessIsRefused) {
  auto a = open_sqlite_store(dir_, core::Env::posix());
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto b = open_sqlite_store(dir_, core::Env::posix());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("already open in this process"), std::string::npos);
  a->reset();
  EXPECT_TRUE(open_sqlite_store(dir_, core::Env::posix()).ok());
}

TEST_F(SqliteStoreTest, AnInjectedFailureIsReportedNamingTheFile) {
  {
    auto s = open_sqlite_store(dir_, core::Env::posix());
    ASSERT_TRUE(s.ok());
  }
  testing::FaultEnv env;
  auto s = open_sqlite_store(dir_, env);
  ASSERT_TRUE(s.ok()) << s.error().message;
  env.arm(env.ops(), testing::Fault::Fail);  // the insert's first write
  Status st = (*s)->insert_api_key(key("k1"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::InvalidFile);
  EXPECT_NE(st.error().message.find("injected failure"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("ondo.db"), std::string::npos) << st.error().message;
  // The connection recovers: the next write goes through.
  EXPECT_TRUE((*s)->insert_api_key(key("k2")).ok());
}

// Opens (with migrations) and writes one key through `env`; returns whether the write was
// acknowledged.
bool open_and_write(const fs::path& dir, core::Env& env, const ApiKey& k) {
  auto s = open_sqlite_store(dir, env);
  if (!s.ok()) return false;
  return (*s)->insert_api_key(k).ok();
}

TEST_F(SqliteStoreTest, EveryFaultAtEveryOperationKeepsAcknowledgedWrites) {
  size_t n_ops = 0;
  {
    testing::FaultEnv probe;
    ASSERT_TRUE(open_and_write(dir_, probe, key("kprobe")));
    n_ops = probe.ops();
  }
  ASSERT_GT(n_ops, 5u);
  for (testing::Fault fault : {testing::Fault::Fail, testing::Fault::ShortWrite, testing::Fault::Crash}) {
    for (size_t op = 0; op < n_ops + 2; ++op) {
      SCOPED_TRACE("fault " + std::to_string(int(fault)) + " at op " + std::to_string(op));
      fs::remove_all(dir_);
      testing::FaultEnv env;
      env.arm(op, fault);
      bool acked = false;
      {
        auto s = open_sqlite_store(dir_, env);
        if (s.ok()) {
          acked = (*s)->insert_api_key(key("k1")).ok();
          if (acked) env.crash_now();  // power loss right after the answer
        }
      }
      auto again = open_sqlite_store(dir_, core::Env::posix());
      ASSERT_TRUE(again.ok()) << again.error().message;
      auto found = (*again)->find_api_key("k1");
      ASSERT_TRUE(found.ok()) << found.error().message;
      if (acked) {
        ASSERT_TRUE(found->has_value()) << "an acknowledged write was lost";
        EXPECT_EQ(**found, key("k1"));
      }
      EXPECT_TRUE((*again)->insert_api_key(key("k2")).ok());
    }
  }
}

}  // namespace
}  // namespace ondo::store
