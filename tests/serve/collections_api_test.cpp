// The collections family's bodies: vector store creation, attaching a file, search requests
// (field paths of every error), list paging, and the objects' OpenAI shapes.
#include "ondo/serve/collections_api.h"

#include <gtest/gtest.h>

namespace ondo::serve {
namespace {

// The error of parsing `body` with `parse`: "field|message".
template <typename F>
std::string error_of(F parse, const std::string& body) {
  auto r = parse(body);
  if (r.ok()) return "ok";
  return r.error().field + "|" + r.error().message;
}

TEST(CollectionsApi, CreateVectorStore) {
  auto r = parse_create_vector_store(
      R"({"name":"docs","file_ids":["file-1","file-2"],"metadata":{"team":"a"},"embedding_model":"bge",
          "chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":300,"chunk_overlap_tokens":150}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "docs");
  EXPECT_EQ(r->file_ids, (std::vector<std::string>{"file-1", "file-2"}));
  EXPECT_EQ(r->metadata, R"({"team":"a"})");
  EXPECT_EQ(r->embedding_model, "bge");
  ASSERT_TRUE(r->chunking);
  EXPECT_EQ(r->chunking->type, "static");
  EXPECT_EQ(r->chunking->max_tokens, 300);
  EXPECT_EQ(r->chunking->overlap_tokens, 150);
  auto plain = parse_create_vector_store("{}");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->chunking);
  auto parse = [](const std::string& b) { return parse_create_vector_store(b); };
  EXPECT_EQ(error_of(parse, "[]"), "|request body: expected a JSON object");
  EXPECT_EQ(error_of(parse, R"({"nmae":"x"})"), "nmae|nmae: unknown field");
  EXPECT_EQ(error_of(parse, R"({"file_ids":["a",3]})"), "file_ids[1]|file_ids[1]: expected a string");
  EXPECT_EQ(error_of(parse, R"({"chunking_strategy":{"type":"fancy"}})"),
            "chunking_strategy.type|chunking_strategy.type: unknown strategy 'fancy' (expected \"auto\" or \"static\")");
  EXPECT_EQ(error_of(parse, R"({"chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":800}}})"),
            "chunking_strategy.static.chunk_overlap_tokens|chunking_strategy.static.chunk_overlap_tokens: missing");
  EXPECT_NE(error_of(parse, R"({"chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":800,"chunk_overlap_tokens":401}}})")
                .rfind("chunking_strategy.static.chunk_overlap_tokens|", 0),
            std::string::npos);
  EXPECT_EQ(error_of(parse, R"({"metadata":{"a":1}})"), "metadata.a|metadata.a: expected a string");
  EXPECT_EQ(error_of(parse, R"({"expires_after":{"anchor":"last_active_at","days":1}})"),
            "expires_after|expires_after: vector stores do not expire in ondo");
}

TEST(CollectionsApi, AttachFile) {
  auto r = parse_attach_file(R"({"file_id":"file-1","attributes":{"kind":"manual","year":2024,"pinned":true}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->attributes, R"({"kind":"manual","year":2024,"pinned":true})");
  auto parse = [](const std::string& b) { return parse_attach_file(b); };
  EXPECT_EQ(error_of(parse, "{}"), "file_id|file_id: missing");
  EXPECT_EQ(error_of(parse, R"({"file_id":"f","attributes":{"k":[1]}})"),
            "attributes.k|attributes.k: expected a string, number or boolean");
  EXPECT_EQ(error_of(parse, R"({"file_id":"f","attributes":[]})"), "attributes|attributes: expected an object");
  std::string many = R"({"file_id":"f","attributes":{)";
  for (int i = 0; i < 17; ++i) many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":1";
  EXPECT_EQ(error_of(parse, many + "}}"), "attributes|attributes: more than 16 keys (seen 17)");
  EXPECT_EQ(error_of(parse, R"({"file_id":"f","attributes":{"k":")" + std::string(513, 'x') + "\"}}"),
            "attributes.k|attributes.k: value longer than 512 bytes");
}

TEST(CollectionsApi, SearchRequest) {
  auto r = parse_search_request(R"({"query":["cold","milk"],"max_num_results":5,"rewrite_query":true,
      "filters":{"type":"eq","key":"kind","value":"manual"},
      "ranking_options":{"ranker":"hybrid","score_threshold":0.25,"hybrid":{"dense_weight":0.5,"lexical_weight":2}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->queries, (std::vector<std::string>{"cold", "milk"}));
  EXPECT_EQ(r->max_num_results, 5);
  ASSERT_TRUE(r->filters);
  EXPECT_EQ((*r->filters)["key"], "kind");
  EXPECT_EQ(r->ranker, "hybrid");
  EXPECT_DOUBLE_EQ(r->score_threshold, 0.25);
  ASSERT_TRUE(r->hybrid);
  EXPECT_DOUBLE_EQ(r->hybrid->dense, 0.5);
  EXPECT_DOUBLE_EQ(r->hybrid->lexical, 2);
  auto parse = [](const std::string& b) { return parse_search_request(b); };
  EXPECT_EQ(error_of(parse, "{}"), "query|query: missing");
  EXPECT_EQ(error_of(parse, R"({"query":"  "})"), "query|query: is empty");
  EXPECT_EQ(error_of(parse, R"({"query":[]})"), "query|query: expected a string or a non-empty array of strings");
  EXPECT_NE(error_of(parse, R"({"query":"x","max_num_results":0})").rfind("max_num_results|", 0), std::string::npos);
  EXPECT_NE(error_of(parse, R"({"query":"x","max_num_results":51})").rfind("max_num_results|", 0), std::string::npos);
  EXPECT_EQ(error_of(parse, R"({"query":"x","ranking_options":{"ranker":"best"}})"),
            "ranking_options.ranker|ranking_options.ranker: unknown ranker 'best' (expected auto, none, default-2024-11-15, "
            "dense, lexical or hybrid)");
  EXPECT_EQ(error_of(parse, R"({"query":"x","ranking_options":{"score_threshold":2}})"),
            "ranking_options.score_threshold|ranking_options.score_threshold: expected a number from 0 to 1");
  EXPECT_EQ(error_of(parse, R"({"query":"x","ranking_options":{"hybrid":{"dense_weight":0,"lexical_weight":0}}})"),
            "ranking_options.hybrid|ranking_options.hybrid: both weights are 0");
  EXPECT_EQ(error_of(parse, R"({"query":"x","ranking_options":{"boost":1}})"), "ranking_options.boost|ranking_options.boost: unknown field");
}

TEST(CollectionsApi, PagingOrdersAndCuts) {
  std::vector<nlohmann::ordered_json> items;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back("id" + std::to_string(i));
    items.push_back({{"id", ids.back()}});
  }
  auto page = parse_page("2", "", "", "");
  ASSERT_TRUE(page.ok());
  auto j = page_json(items, ids, *page);  // newest first by default
  EXPECT_EQ(j["data"].size(), 2u);
  EXPECT_EQ(j["first_id"], "id4");
  EXPECT_EQ(j["last_id"], "id3");
  EXPECT_EQ(j["has_more"], true);
  auto next = page_json(items, ids, *parse_page("2", "desc", "id3", ""));
  EXPECT_EQ(next["first_id"], "id2");
  auto asc = page_json(items, ids, *parse_page("10", "asc", "id2", ""));
  EXPECT_EQ(asc["data"].size(), 2u);
  EXPECT_EQ(asc["first_id"], "id3");
  EXPECT_EQ(asc["has_more"], false);
  EXPECT_EQ(parse_page("0", "", "", "").error().field, "limit");
  EXPECT_EQ(parse_page("101", "", "", "").error().field, "limit");
  EXPECT_EQ(parse_page("x", "", "", "").error().field, "limit");
  EXPECT_EQ(parse_page("", "up", "", "").error().field, "order");
}

TEST(CollectionsApi, ObjectShapes) {
  const auto f = file_json({"file-1", "a.pdf", "assistants", 42, 7});
  EXPECT_EQ(f.dump(), R"({"id":"file-1","object":"file","bytes":42,"created_at":7,"expires_at":null,"filename":"a.pdf",)"
                      R"("purpose":"assistants","status":"processed","status_details":null})");
  store::VectorStoreFileRecord vf;
  vf.vector_store_id = "vs_1";
  vf.file_id = "file-1";
  vf.status = store::kFileFailed;
  vf.last_error_code = "invalid_file";
  vf.last_error_message = "a.pdf: the PDF is encrypted";
  const auto j = vector_store_file_json(vf, FileProgress{3, 10});
  EXPECT_EQ(j["object"], "vector_store.file");
  EXPECT_EQ(j["last_error"]["code"], "invalid_file");
  EXPECT_EQ(j["progress"]["chunks_total"], 10);
  store::FileCounts counts;
  counts.in_progress = 1;
  counts.total = 1;
  store::VectorStoreRecord v;
  v.id = "vs_1";
  const auto vj = vector_store_json(v, counts);
  EXPECT_EQ(vj["status"], "in_progress");
  EXPECT_EQ(vj["file_counts"]["total"], 1);
  EXPECT_TRUE(new_collection_id("file-").rfind("file-", 0) == 0);
  EXPECT_EQ(new_collection_id("vs_").size(), 3u + 24u);
  EXPECT_NE(new_collection_id("vs_"), new_collection_id("vs_"));
  EXPECT_TRUE(known_file_purpose("fine-tune"));
  EXPECT_FALSE(known_file_purpose("training"));
}

}  // namespace
}  // namespace ondo::serve
