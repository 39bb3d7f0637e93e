// The two-engine store fixture: a test parametrized by "sqlite" or "postgres" gets a fresh store
// of that engine in store_ (SQLite in a temporary data directory, PostgreSQL as a new database
// of one throwaway PostgreSQL 15 per test process, tests/support/postgres_server.h). The
// PostgreSQL cases skip, saying why, when its binaries are missing.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "ondo/store/store.h"
#include "support/postgres_server.h"

namespace ondo::store::testing_support {

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    if (pg_ || !pg_skip_.empty()) return;
    auto s = ondo::testing::PostgresServer::start();
    if (s.ok()) pg_ = s->release();  // stopped at exit by StopPostgres below
    else pg_skip_ = s.error().message;
  }

  void SetUp() override {
    static std::atomic<int> counter{0};
    const int n = counter++;
    if (GetParam() == "postgres") {
      if (!pg_) GTEST_SKIP() << "PostgreSQL tests skipped: " << pg_skip_;
      auto url = pg_->create_database("e" + std::to_string(n));
      ASSERT_TRUE(url.ok()) << url.error().message;
      options_.db_url = *url;
    } else {
      options_.data_dir =
          std::filesystem::temp_directory_path() / ("ondo-store-" + std::to_string(::getpid()) + "-" + std::to_string(n));
      std::filesystem::remove_all(options_.data_dir);
    }
    reopen();
  }

  // Closes the store and opens the same database again.
  void reopen() {
    store_.reset();
    auto s = open_store(options_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }

  void TearDown() override {
    store_.reset();
    if (options_.db_url.empty() && !options_.data_dir.empty()) std::filesystem::remove_all(options_.data_dir);
  }

  StoreOptions options_;
  std::unique_ptr<Store> store_;

 private:
  friend class StopPostgres;
  static inline ondo::testing::PostgresServer* pg_ = nullptr;
  static inline std::string pg_skip_;
};

class StopPostgres : public ::testing::Environment {
 public:
  void TearDown() override {
    delete EngineTest::pg_;
    EngineTest::pg_ = nullptr;
  }
};
inline const auto* const kStopPostgres = ::testing::AddGlobalTestEnvironment(new StopPostgres);

}  // namespace ondo::store::testing_support
