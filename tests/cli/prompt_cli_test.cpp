// `ondo prompt ...` as a user runs it: create, version (file and inline), label (one version
// and a weighted split), list, show, diff and render on a data directory, and errors that say
// what is wrong with a non-zero exit.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <fstream>

#include "support/run_command.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;

class PromptCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ondo-prompt-cli-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  CommandResult ondo(const std::string& args) { return run_ondo("prompt " + args + " --data-dir " + dir_.string()); }
  fs::path dir_;
};

TEST_F(PromptCli, CreateVersionLabelShowDiffRender) {
  ASSERT_EQ(ondo("create greet --description hello").exit_code, 0);
  const fs::path v1 = dir_ / "v1.json";
  std::ofstream(v1) << R"({"system": "You are {{ who }}.", "variables": {"who": {"type": "string", "default": "kind"}, "n": "integer"},
                          "messages": [{"role": "user", "content": "{{ n + 1 }}"}]})";
  CommandResult a = ondo("version greet --file " + v1.string());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["version"], 1);
  CommandResult b = ondo(R"(version greet --json '{"system": "You are {{ who }}!", "variables": {"who": "string"}}')");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(b.out)["version"], 2);
  ASSERT_EQ(ondo("label greet production 1").exit_code, 0);
  CommandResult split = ondo("label greet canary 1:90,2:10");
  ASSERT_EQ(split.exit_code, 0) << split.err;
  EXPECT_EQ(nlohmann::json::parse(split.out)["versions"][1]["weight"], 10);

  CommandResult list = ondo("list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto listed = nlohmann::json::parse(list.out);
  EXPECT_EQ(listed["data"][0]["latest_version"], 2);
  EXPECT_EQ(listed["data"][0]["labels"]["production"][0]["version"], 1);
  CommandResult show = ondo("show greet 2");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(nlohmann::json::parse(show.out)["system"], "You are {{ who }}!");

  CommandResult diff = ondo("diff greet 1 2");
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("\n-     You are {{ who }}.\n"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("\n+     You are {{ who }}!\n"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("\n-     n: integer\n"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("\n  params:\n"), std::string::npos) << diff.out;  // unchanged lines stay

  CommandResult render = ondo(R"(render greet --vars '{"n": 41}')");
  ASSERT_EQ(render.exit_code, 0) << render.err;
  const auto r = nlohmann::json::parse(render.out);
  EXPECT_EQ(r["ref"], "greet@1");
  EXPECT_EQ(r["messages"][0]["content"], "You are kind.");
  EXPECT_EQ(r["messages"][1]["content"], "42");
  CommandResult v2 = ondo("render greet --version 2 --var who=bold");
  ASSERT_EQ(v2.exit_code, 0) << v2.err;
  EXPECT_EQ(nlohmann::json::parse(v2.out)["messages"][0]["content"], "You are bold!");
}

TEST_F(PromptCli, ErrorsSayWhatIsWrong) {
  ASSERT_EQ(ondo("create greet").exit_code, 0);
  CommandResult dup = ondo("create greet");
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_NE(dup.err.find("'greet' exists"), std::string::npos) << dup.err;
  CommandResult typed = ondo(R"(version greet --json '{"system": "x", "variables": {"a": "float"}}')");
  EXPECT_NE(typed.exit_code, 0);
  EXPECT_NE(typed.err.find("variables.a.type"), std::string::npos) << typed.err;
  CommandResult label = ondo("label greet production 3");
  EXPECT_NE(label.exit_code, 0);
  EXPECT_NE(label.err.find("no version 3"), std::string::npos) << label.err;
  ASSERT_EQ(ondo(R"(version greet --json '{"system": "{{ a }}", "variables": {"a": "integer"}}')").exit_code, 0);
  CommandResult missing = ondo("render greet");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("variables.a: missing"), std::string::npos) << missing.err;
  CommandResult wrong = ondo("render greet --var a=x");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("expected integer (seen string)"), std::string::npos) << wrong.err;
  CommandResult action = ondo("delete greet");
  EXPECT_NE(action.exit_code, 0);
  EXPECT_NE(action.err.find("expected an action"), std::string::npos) << action.err;
  CommandResult help = run_ondo("prompt --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("prompt create NAME"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace ondo::testing
