// Data-file cases for the Jinja interpreter, one file per feature family under cases/:
// whitespace control, expressions and printing, statements, filters/tests/methods, errors.
// Each case is {name, template, vars?, expected | error}; expectations are jinja2 3.1's
// output in the Hugging Face environment. Layer: text tests (unit label).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "ondo/text/chat_template/chat_template.h"
#include "support/testdata.h"

namespace ondo::text {
namespace {

using nlohmann::ordered_json;

void run_case_file(const std::string& file) {
  const auto path = std::filesystem::path(ONDO_SOURCE_DIR) / "tests/text/chat_template/cases" / file;
  const std::string text = testing::read_file(path);
  ASSERT_FALSE(text.empty()) << path;
  const ordered_json cases = ordered_json::parse(text);
  ASSERT_GT(cases.size(), 0u);
  for (const auto& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(file + ": " + name);
    ChatTemplateInputs in;
    in.date_string = "2026-01-15";
    if (c.contains("vars")) in.extra_context = c.at("vars");
    auto tmpl = ChatTemplate::parse(c.at("template").get<std::string>(), name);
    Result<std::string> out = tmpl.ok() ? tmpl->render(in) : Result<std::string>(tmpl.error());
    if (c.contains("error")) {
      const std::string want = c.at("error").get<std::string>();
      ASSERT_FALSE(out.ok()) << "rendered: " << *out;
      EXPECT_NE(out.error().message.find(want), std::string::npos) << out.error().message;
    } else {
      ASSERT_TRUE(out.ok()) << out.error().message;
      EXPECT_EQ(*out, c.at("expected").get<std::string>());
    }
  }
}

TEST(ChatTemplateCases, Whitespace) { run_case_file("whitespace.json"); }
TEST(ChatTemplateCases, Expressions) { run_case_file("expressions.json"); }
TEST(ChatTemplateCases, Statements) { run_case_file("statements.json"); }
TEST(ChatTemplateCases, Filters) { run_case_file("filters.json"); }
TEST(ChatTemplateCases, Errors) { run_case_file("errors.json"); }

}  // namespace
}  // namespace ondo::text
