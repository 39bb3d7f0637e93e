// Conformance: every real template in testdata/templates rendered for every conversation in
// conversations.json must equal jinja2's bytes (<model>.<case>.txt), or fail with the
// message jinja2 raised (<model>.<case>.error.txt). Layer: text tests (reference label).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ondo/text/chat_template/chat_template.h"
#include "support/testdata.h"

namespace ondo::text {
namespace {

using nlohmann::ordered_json;

ChatTemplateInputs inputs_for(const ordered_json& conv, const nlohmann::json& tmpl) {
  ChatTemplateInputs in;
  in.messages = conv.at("messages");
  in.tools = conv.contains("tools") ? conv.at("tools") : ordered_json();
  in.add_generation_prompt = conv.at("add_generation_prompt").get<bool>();
  if (tmpl.at("bos_token").is_string()) in.bos_token = tmpl.at("bos_token").get<std::string>();
  if (tmpl.at("eos_token").is_string()) in.eos_token = tmpl.at("eos_token").get<std::string>();
  in.date_string = "2026-01-15";
  return in;
}

TEST(ChatTemplateConformance, AllTemplatesAllCases) {
  ONDO_TESTDATA_OR_SKIP(root);
  const auto dir = root / "templates";
  const auto index = nlohmann::json::parse(testing::read_file(dir / "index.json"));
  const auto convs = ordered_json::parse(testing::read_file(dir / "conversations.json"));
  int checked = 0, passed = 0;
  for (const auto& tmpl : index.at("templates")) {
    const std::string file = tmpl.at("template_file").get<std::string>();
    const std::string stem = file.substr(0, file.size() - std::string(".jinja").size());
    const std::string source = testing::read_file(dir / file);
    ASSERT_FALSE(source.empty()) << file;
    auto parsed = ChatTemplate::parse(source, stem);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    for (const auto& conv : convs) {
      const std::string name = conv.at("name").get<std::string>();
      SCOPED_TRACE(stem + "." + name);
      ++checked;
      auto out = parsed->render(inputs_for(conv, tmpl));
      const auto expected_path = dir / (stem + "." + name + ".txt");
      const auto error_path = dir / (stem + "." + name + ".error.txt");
      if (std::filesystem::exists(error_path)) {
        std::string raised = testing::read_file(error_path);
        while (!raised.empty() && (raised.back() == '\n' || raised.back() == '\r')) raised.pop_back();
        const std::string message = raised.substr(raised.find(": ") + 2);
        ASSERT_FALSE(message.empty());
        if (out.ok()) {
          ADD_FAILURE() << "expected an error containing: " << message;
          continue;
        }
        EXPECT_NE(out.error().message.find(message), std::string::npos)
            << "got: " << out.error().message << "\nexpected to contain: " << message;
        if (out.error().message.find(message) != std::string::npos) ++passed;
        continue;
      }
      ASSERT_TRUE(std::filesystem::exists(expected_path)) << expected_path;
      const std::string expected = testing::read_file(expected_path);
      if (!out.ok()) {
        ADD_FAILURE() << "render failed: " << out.error().message;
        continue;
      }
      EXPECT_EQ(*out, expected);
      if (*out == expected) ++passed;
    }
  }
  EXPECT_EQ(checked, 72);
  std::printf("chat template conformance: %d of %d cases pass\n", passed, checked);
}

}  // namespace
}  // namespace ondo::text
