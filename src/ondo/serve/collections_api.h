// Bodies of the collections family (docs/api.md "Files and vector stores"): /v1/files and
// /v1/vector_stores in OpenAI's shapes. Parsing validates everything that does not need the
// store and names the JSON field at fault; the object builders are pure. Layer: serve.
// Never throws on any body bytes.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/store/collections.h"

namespace ondo::serve {

// A fresh id: `prefix` + 24 random hex digits ("file-", "vs_").
std::string new_collection_id(std::string_view prefix);

// OpenAI's purposes for an uploaded file.
bool known_file_purpose(std::string_view purpose);

struct ChunkingChoice {
  std::string type = "auto";  // "auto" or "static"
  int32_t max_tokens = 800;
  int32_t overlap_tokens = 400;
};

struct CreateVectorStoreRequest {
  std::string name;
  std::vector<std::string> file_ids;
  std::optional<ChunkingChoice> chunking;  // none: auto
  std::string metadata = "{}";             // JSON object of strings (<= 16 keys)
  std::string embedding_model;             // ondo extension; empty: the first served embedding model
};

struct AttachFileRequest {
  std::string file_id;
  std::string attributes = "{}";  // JSON object: <= 16 keys, string (<= 512), number or boolean values
  std::optional<ChunkingChoice> chunking;  // none: the vector store's
};

struct HybridWeights {
  double dense = 1.0;
  double lexical = 1.0;
};

struct SearchRequest {
  std::vector<std::string> queries;           // "query": a string or an array of strings, joined
  int32_t max_num_results = 10;               // 1..50
  std::optional<nlohmann::json> filters;      // OpenAI's comparison / compound filter, as given
  std::string ranker = "auto";                // "auto", "none", "default-2024-11-15", or ondo's "dense", "lexical", "hybrid"
  double score_threshold = 0;                 // 0..1
  std::optional<HybridWeights> hybrid;        // ondo extension ranking_options.hybrid
};

// Errors: InvalidArgument naming the field ("chunking_strategy.static.max_chunk_size_tokens").
Result<CreateVectorStoreRequest> parse_create_vector_store(std::string_view body);
Result<AttachFileRequest> parse_attach_file(std::string_view body);
Result<SearchRequest> parse_search_request(std::string_view body);
Result<std::optional<ChunkingChoice>> parse_chunking(const nlohmann::ordered_json& v, std::string_view field);
// ranking_options (search and file_search tools): ranker, score_threshold, and the hybrid
// weights as ondo's "hybrid" {dense_weight, lexical_weight} or OpenAI's "hybrid_search"
// {embedding_weight, text_weight}. Errors name `field` and the member at fault.
Status parse_ranking_options(const nlohmann::ordered_json& o, const std::string& field, std::string& ranker,
                             double& score_threshold, std::optional<HybridWeights>& hybrid);
Result<std::string> parse_attributes(const nlohmann::ordered_json& v, std::string_view field);

// OpenAI's list paging over items already in created order: "limit" (1..100, default 20),
// "order" ("desc" default, or "asc"), "after" / "before" (an item id).
struct Page {
  int32_t limit = 20;
  bool descending = true;
  std::string after;
  std::string before;
};
// Errors: InvalidArgument naming the query parameter.
Result<Page> parse_page(const std::string& limit, const std::string& order, const std::string& after,
                        const std::string& before);
// {"object":"list","data":[...],"first_id","last_id","has_more"} of `items` (ids in `ids`,
// oldest first) after ordering and paging.
nlohmann::ordered_json page_json(const std::vector<nlohmann::ordered_json>& items, const std::vector<std::string>& ids,
                                 const Page& page);

nlohmann::ordered_json file_json(const store::FileRecord& f);
nlohmann::ordered_json vector_store_json(const store::VectorStoreRecord& v, const store::FileCounts& counts);
struct FileProgress {
  int64_t chunks_done = 0;
  int64_t chunks_total = 0;
};
nlohmann::ordered_json vector_store_file_json(const store::VectorStoreFileRecord& f, std::optional<FileProgress> progress);

}  // namespace ondo::serve
