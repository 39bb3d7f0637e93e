// Locating ../shared/testdata for tests. ONDO_TESTDATA overrides the default
// (../shared/testdata next to the repository). When the variable is set and the folder is
// missing, tests fail; when it is unset and the default is missing, they skip and say why.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace ondo::testing {

// The testdata folder, or nullopt (with `why` filled) when absent.
std::optional<std::filesystem::path> testdata_dir(std::string* why);
// Whether absence must fail rather than skip (ONDO_TESTDATA set explicitly).
bool testdata_required();
// Reads a whole file; empty string on failure.
std::string read_file(const std::filesystem::path& p);
// The directory of the build (where build/ondo lives).
std::filesystem::path binary_dir();

}  // namespace ondo::testing

// Declares `std::filesystem::path var` = the testdata folder, or skips/fails the test.
#define ONDO_TESTDATA_OR_SKIP(var)                                             \
  std::filesystem::path var;                                                   \
  do {                                                                         \
    std::string ondo_why_;                                                     \
    auto ondo_dir_ = ::ondo::testing::testdata_dir(&ondo_why_);                \
    if (!ondo_dir_) {                                                          \
      if (::ondo::testing::testdata_required()) FAIL() << ondo_why_;           \
      GTEST_SKIP() << ondo_why_;                                               \
    }                                                                          \
    var = *ondo_dir_;                                                          \
  } while (0)
