// Cited answers on /v1/chat/completions (issue 16.5): the extension field
// `rag: {vector_store_ids, max_num_results, filters}` searches the named vector stores with the
// last user message (hybrid search, as /v1/vector_stores/{id}/search does), puts the chunks into
// a system message of numbered sources, and the answer carries `citations`.
// Layer: serve. Runs on the HTTP thread (the query embedding is the only model work).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/serve/collections_api.h"
#include "ondo/serve/routes/wire.h"

namespace ondo::serve {

class ServerState;

struct Citation {
  int32_t index = 0;  // 1-based, as the sources are numbered in the prompt
  std::string file_id;
  std::string filename;
  int64_t chunk = 0;  // the chunk's id
  double score = 0;
  std::string text;
  std::string attributes = "{}";  // the chunk's attributes, JSON text
};

// What to retrieve: the chat `rag` field, or a Responses `file_search` tool. Errors name
// `field` ("rag", "tools[0]") and the member at fault.
struct RagRequest {
  std::string field = "rag";                  // the request field it came from, for errors
  std::vector<std::string> vector_store_ids;  // 1..16
  int32_t max_num_results = 5;                // 1..50
  std::optional<nlohmann::json> filters;
  std::string ranker = "auto";                // ranking_options, as the search route takes them
  double score_threshold = 0;
  std::optional<HybridWeights> hybrid;
};
// Null when the body has no `rag` field.
Result<std::optional<RagRequest>> parse_rag_field(std::string_view body);
// `r` (an object: vector_store_ids, max_num_results?, filters?, ranking_options?, and "type"
// when `tool`) as a RagRequest whose errors name `field`. InvalidArgument naming the member.
Result<RagRequest> parse_rag_object(const nlohmann::ordered_json& r, const std::string& field, bool tool);

// Searches the stores with `query` and returns the best max_num_results hits over all of them.
// Errors: NotFound naming "<field>.vector_store_ids[i]" for an unknown store; InvalidArgument
// for bad filters (the path, e.g. "rag.filters.filters[0].type"); Unavailable without a store.
Result<std::vector<Citation>> retrieve_citations(ServerState& state, const RagRequest& rag, const std::string& query);

// The text to search with: the last user message's content (chat messages as the chat parser
// leaves them). Empty when no user message has text.
std::string rag_query(const nlohmann::ordered_json& messages);
// Retrieves the sources for rag_query(messages) and puts the system text (rag_system_text)
// into the first system message, or a new one in front. Returns the query and the citations.
// Errors as retrieve_citations; InvalidArgument (field "messages", or `query_field`) when no
// user message has text to search with.
struct RagSources {
  std::string query;
  std::vector<Citation> cites;
};
Result<RagSources> add_rag_sources(ServerState& state, const RagRequest& rag, nlohmann::ordered_json& messages,
                                   const std::string& query_field);

// The registry prompt that replaces the default sources message when it exists.
inline constexpr const char* kRagPrompt = "rag.default";
// The numbered sources ("[1] filename:\ntext\n\n" each).
std::string sources_block(const std::vector<Citation>& cites);
// The default system message: an instruction to answer from the sources, then sources_block.
std::string sources_message(const std::vector<Citation>& cites);
// The system text for the sources: the latest version of the registry prompt "rag.default"
// rendered with the variables it declares of "sources" (sources_block) and "question" (the
// query), its rendered messages joined; sources_message() when there is no such prompt.
// Errors: the registry's render errors (field "rag.default...").
Result<std::string> rag_system_text(ServerState& state, const std::vector<Citation>& cites, const std::string& question);

nlohmann::ordered_json citations_json(const std::vector<Citation>& cites);

// `inner` (OpenAI's chat wire) with `citations` as a top-level field of the completion, and of
// the first chunk of a stream (and, with n > 1, the first chunk of every other choice).
std::unique_ptr<WireFormat> citing_wire(std::unique_ptr<WireFormat> inner, std::vector<Citation> cites);

}  // namespace ondo::serve
