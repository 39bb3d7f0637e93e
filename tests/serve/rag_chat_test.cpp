// The `rag` field of chat completions and the sources text (serve/routes/rag_chat.h).
#include "ondo/serve/routes/rag_chat.h"

#include <gtest/gtest.h>

namespace ondo::serve {
namespace {

TEST(RagField, AbsentIsNull) {
  auto r = parse_rag_field(R"({"model":"m","messages":[]})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(RagField, ParsesStoresCountAndFilters) {
  auto r = parse_rag_field(R"({"rag":{"vector_store_ids":["vs_a","vs_b"],"max_num_results":3,
                               "filters":{"type":"eq","key":"kind","value":"x"}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->vector_store_ids, (std::vector<std::string>{"vs_a", "vs_b"}));
  EXPECT_EQ((*r)->max_num_results, 3);
  EXPECT_TRUE((*r)->filters.has_value());
}

TEST(RagField, ErrorsNameTheField) {
  struct Case {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"rag":[]})", "rag"},
      {R"({"rag":{}})", "rag.vector_store_ids"},
      {R"({"rag":{"vector_store_ids":[]}})", "rag.vector_store_ids"},
      {R"({"rag":{"vector_store_ids":["a",1]}})", "rag.vector_store_ids[1]"},
      {R"({"rag":{"vector_store_ids":["a"],"max_num_results":0}})", "rag.max_num_results"},
      {R"({"rag":{"vector_store_ids":["a"],"max_num_results":51}})", "rag.max_num_results"},
      {R"({"rag":{"vector_store_ids":["a"],"top_k":2}})", "rag.top_k"},
      {R"({"rag":{"vector_store_ids":["a"],"filters":{"type":"eq","value":1}}})", "rag.filters.key"},
  };
  for (const Case& c : cases) {
    auto r = parse_rag_field(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body << ": " << r.error().message;
  }
}

TEST(RagSources, NumberedBlockAndJson) {
  std::vector<Citation> cites = {{1, "file-a", "a.txt", 7, 0.9, "alpha"}, {2, "file-b", "b.md", 9, 0.5, "beta"}};
  EXPECT_EQ(sources_block(cites), "[1] a.txt:\nalpha\n\n[2] b.md:\nbeta\n\n");
  EXPECT_NE(sources_message(cites).find("Answer from these sources"), std::string::npos);
  EXPECT_NE(sources_message({}).find("no source matched"), std::string::npos);
  const auto j = citations_json(cites);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["index"], 2);
  EXPECT_EQ(j[1]["file_id"], "file-b");
  EXPECT_EQ(j[1]["filename"], "b.md");
  EXPECT_EQ(j[1]["chunk"], 9);
  EXPECT_EQ(j[1]["text"], "beta");
}

}  // namespace
}  // namespace ondo::serve
