// `ondo template` and `ondo chat` driven as a user drives them.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_command.h"

namespace ondo {
namespace {

TEST(TemplateCli, RendersAReferenceCaseByteForByte) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const auto tdir = dir / "templates";
  auto convs = nlohmann::json::parse(testing::read_file(tdir / "conversations.json"));
  const nlohmann::json* single = nullptr;
  for (const auto& c : convs) {
    if (c.at("name") == "system_multi_turn") single = &c;
  }
  ASSERT_NE(single, nullptr);
  const std::string msgs = ::testing::TempDir() + "ondo_tmpl_msgs.json";
  std::ofstream(msgs) << single->at("messages").dump();
  const auto r = testing::run_ondo("template --template " + (tdir / "Qwen-Qwen2.5-7B-Instruct.jinja").string() +
                                   " --messages " + msgs +
                                   (single->at("add_generation_prompt").get<bool>() ? " --add-generation-prompt" : "") +
                                   " --date 2026-01-15");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, testing::read_file(tdir / "Qwen-Qwen2.5-7B-Instruct.system_multi_turn.txt"));
}

TEST(TemplateCli, TemplateErrorsAreReported) {
  const std::string t = ::testing::TempDir() + "ondo_bad.jinja";
  std::ofstream(t) << "{{ raise_exception('no system role here') }}";
  const std::string msgs = ::testing::TempDir() + "ondo_tmpl_msgs2.json";
  std::ofstream(msgs) << R"([{"role": "user", "content": "hi"}])";
  const auto r = testing::run_ondo("template --template " + t + " --messages " + msgs);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no system role here"), std::string::npos) << r.err;
}

TEST(ChatCli, AnswersEachTurnAndHonoursResetAndExit) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string input = ::testing::TempDir() + "ondo_chat_input.txt";
  std::ofstream(input) << "Hello\nTell me a story\n/reset\nAgain\n/exit\nnever read\n";
  const auto r = testing::run_ondo("chat -m " + (dir / "models" / "stories260K.gguf").string() +
                                   " -n 12 --temp 0 -c 128 -t 1", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // three answers, one line each (the reply is followed by a newline)
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
  EXPECT_NE(r.err.find("history cleared"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("using chatml"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ondo
