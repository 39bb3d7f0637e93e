// Dataset rows: every input form and check parses; every bad row is an error naming its
// line and what is wrong.
#include <gtest/gtest.h>

#include "ondo/eval/dataset.h"

namespace ondo::eval {
namespace {

std::string error_of(const std::string& text) {
  auto d = parse_dataset(text, "d.jsonl");
  EXPECT_FALSE(d.ok()) << "accepted: " << text;
  return d.ok() ? "" : d.error().message;
}

TEST(EvalDataset, ParsesEveryInputForm) {
  auto d = parse_dataset(
      "{\"id\":\"a\",\"prompt\":\"hi\",\"expected\":\"yo\"}\n"
      "\n"
      "{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"u\"}],\"checks\":{\"json\":true}}\r\n"
      "{\"id\":7,\"input\":{\"lang\":\"en\"},\"expected\":{\"k\":1},\"meta\":{\"x\":1}}\n",
      "d.jsonl");
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->rows.size(), 3u);
  EXPECT_EQ(d->rows[0].id, "a");
  EXPECT_EQ(*d->rows[0].prompt, "hi");
  EXPECT_TRUE(d->rows[0].checks.exact);
  EXPECT_FALSE(d->rows[0].checks.json);
  EXPECT_EQ(d->rows[1].id, "line 3");
  EXPECT_EQ(d->rows[1].line, 3u);
  EXPECT_EQ(d->rows[1].messages.size(), 2u);
  EXPECT_EQ(d->rows[2].id, "7");
  EXPECT_TRUE(d->rows[2].checks.json && d->rows[2].checks.exact && d->rows[2].checks.fields);
  EXPECT_EQ(d->rows[2].input["lang"], "en");
}

TEST(EvalDataset, ABadRowNamesItsLine) {
  const std::string ok = "{\"prompt\":\"p\"}\n";
  EXPECT_EQ(error_of(ok + "{\"prompt\":\"p\"\n"), "d.jsonl: line 2: not valid JSON");
  EXPECT_EQ(error_of(ok + ok + "[1]\n"), "d.jsonl: line 3: a row must be a JSON object (seen array)");
  EXPECT_NE(error_of(ok + "{\"prompt\":\"p\",\"expect\":\"x\"}").find("line 2: unknown key 'expect'"), std::string::npos);
  EXPECT_NE(error_of("{\"id\":\"x\"}").find("line 1: give exactly one of messages, prompt or input (seen 0)"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"input\":{}}").find("(seen 2)"), std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":3}").find("line 1: prompt must be a string"), std::string::npos);
  EXPECT_NE(error_of("{\"messages\":[{\"role\":\"user\"}]}").find("messages[0].content must be a string"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"checks\":{\"exactt\":true}}").find("checks.exactt: unknown check"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"checks\":{\"exact\":true}}").find("need an \"expected\" value"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"expected\":\"x\",\"checks\":{\"fields\":true}}").find("expected object"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"checks\":{\"regex\":\"(\"}}").find("line 1: checks.regex: regex '('"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"checks\":{\"expr\":\"output ==\"}}").find("checks.expr.score: not a valid expression"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"checks\":{\"expr\":\"1) }}{{ (2\"}}").find("without template delimiters (seen '{{')"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"expected\":{\"a\":\"x\"},\"checks\":{\"numeric\":{\"pointer\":\"/a\"}}}")
                .find("checks.numeric: expected/a must be a number"),
            std::string::npos);
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"expected\":1,\"checks\":{\"numeric\":-1}}").find("tolerance must be 0 or more"),
            std::string::npos);
  EXPECT_NE(error_of(ok + "{\"id\":\"line 1\",\"prompt\":\"p\"}").find("line 2: id 'line 1' is also the id of line 1"),
            std::string::npos);
  EXPECT_EQ(error_of("\n  \n"), "d.jsonl: the dataset has no rows");
}

TEST(EvalDataset, AnUnsupportedSchemaFailsClosedAtLoad) {
  const std::string e = error_of("{\"prompt\":\"p\",\"schema\":{\"type\":\"object\",\"patternProperties\":{\"^a\":{}}}}");
  EXPECT_NE(e.find("line 1:"), std::string::npos) << e;
  EXPECT_NE(e.find("patternProperties"), std::string::npos) << e;
  EXPECT_NE(error_of("{\"prompt\":\"p\",\"schema\":true}").find("schema must be a JSON schema object"), std::string::npos);
}

TEST(EvalDataset, AMissingFileIsNotFound) {
  auto d = load_dataset("/nonexistent/eval.jsonl");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::NotFound);
  EXPECT_EQ(d.error().message, "/nonexistent/eval.jsonl: cannot open the dataset file");
}

}  // namespace
}  // namespace ondo::eval
