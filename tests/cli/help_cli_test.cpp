// Every subcommand's --help and `ondo --version`, run as a user runs them: the built binary.
// Each option the help lists is fed back to the parser to show that help and parsing read the
// same table. Layer: cli tests (needs the `ondo` target built in the same build dir).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.h"

namespace ondo::cli {
namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::vector<std::string> kCommands = {"info",     "logits",   "run",   "chat",  "bench",
                                            "tokenize", "detokenize", "template", "quantize",
                                            "serve",    "train",    "tokenizer train", "gen-model", "eval"};

struct Row {
  std::string name;  // the first spelling, e.g. "-m"
  bool takes_value;
};

// The option rows of a help text: lines "  -x, --long VALUE   help".
std::vector<Row> option_rows(const std::string& help) {
  std::vector<Row> rows;
  std::istringstream in(help);
  std::string line;
  bool in_options = false;
  const std::regex row(R"(^  (-[-a-zA-Z]+)((?:, --[-a-z]+)*)( [A-Z][^ ]*| [a-z0-9]+\|[^ ]+)?(  |$).*)");
  while (std::getline(in, line)) {
    if (line == "options:") { in_options = true; continue; }
    if (line == "example:") break;
    std::smatch m;
    if (in_options && std::regex_match(line, m, row)) rows.push_back({m[1].str(), m[3].matched});
  }
  return rows;
}

TEST(HelpCli, EveryCommandPrintsUsageOptionsDefaultsAndAnExample) {
  for (const std::string& cmd : kCommands) {
    SCOPED_TRACE(cmd);
    for (const char* flag : {"--help", "-h"}) {
      const auto r = testing::run_ondo(cmd + " " + flag);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out.rfind("usage: ondo " + cmd, 0), 0u) << r.out;
      EXPECT_TRUE(has(r.out, "\noptions:\n")) << r.out;
      EXPECT_TRUE(has(r.out, "  -h, --help")) << r.out;
      EXPECT_TRUE(has(r.out, "\nexample:\n  ondo " + cmd)) << r.out;
      EXPECT_TRUE(r.err.empty()) << r.err;
    }
  }
}

TEST(HelpCli, EveryListedOptionIsOneTheParserAccepts) {
  size_t checked = 0;
  for (const std::string& cmd : kCommands) {
    const auto help = testing::run_ondo(cmd + " --help");
    const std::vector<Row> rows = option_rows(help.out);
    EXPECT_FALSE(rows.empty()) << cmd << ":\n" << help.out;
    for (const Row& row : rows) {
      if (row.name == "-h") continue;
      SCOPED_TRACE(cmd + " " + row.name);
      // --help after the option: the parser must know the option to reach it.
      const auto r = testing::run_ondo(cmd + " " + row.name + (row.takes_value ? " 1" : "") + " --help");
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out, help.out);
      ++checked;
    }
    const auto bad = testing::run_ondo(cmd + " --no-such-option");
    EXPECT_EQ(bad.exit_code, 2) << cmd;
    EXPECT_TRUE(has(bad.err, "unknown option '--no-such-option'")) << bad.err;
  }
  EXPECT_GT(checked, 60u);
}

TEST(HelpCli, DefaultsShownAreTheOnesUsed) {
  const auto run = testing::run_ondo("run --help");
  EXPECT_TRUE(has(run.out, "-n, --n-predict N")) << run.out;
  EXPECT_TRUE(has(run.out, "(default: 128)")) << run.out;
  EXPECT_TRUE(has(run.out, "--temp T")) << run.out;
  EXPECT_TRUE(has(run.out, "(default: 0.8)")) << run.out;
  const auto serve = testing::run_ondo("serve --help");
  EXPECT_TRUE(has(serve.out, "--port PORT")) << serve.out;
  EXPECT_TRUE(has(serve.out, "(default: 8080)")) << serve.out;
  const auto train = testing::run_ondo("train --help");
  EXPECT_TRUE(has(train.out, "--warmup N")) << train.out;
  EXPECT_TRUE(has(train.out, "(default: 100)")) << train.out;
}

TEST(HelpCli, TopLevelHelpListsEveryCommand) {
  const auto r = testing::run_ondo("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const std::string& cmd : kCommands) {
    EXPECT_TRUE(has(r.err, "  " + cmd.substr(0, cmd.find(' ')) + " ")) << cmd << "\n" << r.err;
  }
  EXPECT_TRUE(has(r.err, "--version")) << r.err;
}

TEST(VersionCli, PrintsTheProjectVersionFromCMake) {
  std::ifstream cmake(std::string(ONDO_SOURCE_DIR) + "/CMakeLists.txt");
  std::stringstream ss;
  ss << cmake.rdbuf();
  std::smatch m;
  const std::string text = ss.str();
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(project\(ondo VERSION ([0-9]+\.[0-9]+\.[0-9]+))")));
  const auto r = testing::run_ondo("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("ondo " + m[1].str(), 0), 0u) << r.out;
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(ondo [0-9.]+( \(git [0-9a-f]+\))?\n)"))) << r.out;
}

}  // namespace
}  // namespace ondo::cli
