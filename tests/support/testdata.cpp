// Test-data location helpers. Test support only.
#include "support/testdata.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ondo::testing {

bool testdata_required() {
  const char* env = std::getenv("ONDO_TESTDATA");
  return env != nullptr && env[0] != '\0';
}

std::optional<std::filesystem::path> testdata_dir(std::string* why) {
  const char* env = std::getenv("ONDO_TESTDATA");
  std::filesystem::path dir = (env && env[0]) ? std::filesystem::path(env)
                                              : std::filesystem::path(ONDO_DEFAULT_TESTDATA);
  std::error_code ec;
  if (std::filesystem::is_directory(dir / "models", ec)) return dir;
  if (why) {
    *why = "reference test data not found at " + dir.string() +
           " (set ONDO_TESTDATA to the shared/testdata folder)";
  }
  return std::nullopt;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path binary_dir() { return ONDO_BINARY_DIR; }

}  // namespace ondo::testing
