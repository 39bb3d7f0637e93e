// The `rag` field of chat completions and the sources text (serve/routes/rag_chat.h).
#include "ondo/serve/routes/rag_chat.h"
#include "ondo/serve/routes/responses.h"

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
      {R"({"rag":{"vector_store_ids":["a"],"ranking_options":{"ranker":"x"}}})", "rag.ranking_options.ranker"},
      {R"({"rag":{"vector_store_ids":["a"],"ranking_options":{"hybrid_search":{"embedding_weight":-1}}}})",
       "rag.ranking_options.hybrid_search.embedding_weight"},
      {R"({"rag":{"vector_store_ids":["a"],"ranking_options":{"ranker":"lexical","hybrid_search":{"text_weight":1}}}})",
       "rag.ranking_options.hybrid"},
  };
  for (const Case& c : cases) {
    auto r = parse_rag_field(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body << ": " << r.error().message;
  }
}

TEST(RagField, FileSearchToolShape) {
  const auto tool = nlohmann::ordered_json::parse(R"({"type":"file_search","vector_store_ids":["vs_a"],"max_num_results":4,
    "ranking_options":{"ranker":"auto","score_threshold":0.25,"hybrid_search":{"embedding_weight":2,"text_weight":0.5}}})");
  auto r = parse_rag_object(tool, "tools[2]", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->field, "tools[2]");
  EXPECT_EQ(r->max_num_results, 4);
  EXPECT_EQ(r->score_threshold, 0.25);
  ASSERT_TRUE(r->hybrid.has_value());
  EXPECT_EQ(r->hybrid->dense, 2);
  EXPECT_EQ(r->hybrid->lexical, 0.5);
  auto typed = parse_rag_object(tool, "rag", false);  // "type" belongs to the tool only
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().field, "rag.type");
  auto bad = parse_rag_object(nlohmann::ordered_json::parse(R"({"type":"file_search","vector_store_ids":"vs"})"), "tools[0]", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "tools[0].vector_store_ids");
}

TEST(RagSources, QueryIsTheLastUserText) {
  const auto m = nlohmann::ordered_json::parse(R"([{"role":"user","content":"first"},{"role":"assistant","content":"a"},
    {"role":"user","content":"second"},{"role":"user","content":"  "}])");
  EXPECT_EQ(rag_query(m), "second");
  EXPECT_EQ(rag_query(nlohmann::ordered_json::parse(R"([{"role":"system","content":"s"}])")), "");
}

TEST(FileCitations, OnePerFileAtItsFirstMarker) {
  std::vector<Citation> cites = {{1, "file-a", "a.txt", 7, 0.9, "alpha"},
                                 {2, "file-b", "b.md", 9, 0.5, "beta"},
                                 {3, "file-a", "a.txt", 8, 0.4, "gamma"}};
  const std::string text = "Beta holds [2]; alpha [3] and [1].";
  const auto a = file_citation_annotations(text, cites);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]["type"], "file_citation");
  EXPECT_EQ(a[0]["file_id"], "file-a");
  EXPECT_EQ(a[0]["filename"], "a.txt");
  EXPECT_EQ(a[0]["index"], text.find("[3]"));
  EXPECT_EQ(a[1]["file_id"], "file-b");
  EXPECT_EQ(a[1]["index"], text.find("[2]"));
  const auto uncited = file_citation_annotations("no markers", cites);
  ASSERT_EQ(uncited.size(), 2u);
  EXPECT_EQ(uncited[0]["index"], 10);
  EXPECT_TRUE(file_citation_annotations("x", {}).empty());
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
