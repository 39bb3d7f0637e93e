// The OpenAI Responses API family: POST /v1/responses (stateless), and GET / DELETE
// /v1/responses/{id}, which answer that responses are not stored on this server.
// Layer: serve (internal to it). The rows are in route_table.cpp's "OpenAI Responses API"
// block; docs/api.md describes what is supported.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ondo/serve/routes/rag_chat.h"
#include "ondo/serve/routes/wire.h"

namespace ondo::serve {

class ServerState;

void handle_create_response(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_get_response(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_delete_response(ServerState& state, const httplib::Request& req, httplib::Response& res);

// The Responses wire format for one request: the Response object ("resp_..." with message and
// function_call output items, status completed or incomplete, usage) as the blocking body, or
// the event stream (response.created ... response.completed / response.incomplete, "event:"
// lines with typed data carrying sequence_number). `echo` holds the request fields the
// object repeats (ResponsesRequest::echo); `model` is the alias asked for. Both the body and
// the stream's last event carry the object built by one builder, the place a store would
// save it.
//
// With `file_search` (the request's file_search tool ran before generation), the output
// starts with a file_search_call item (id "fs_...", status completed, queries, and results
// only when include_results), and the message's output_text carries one file_citation
// annotation per cited file (file_citation_annotations); a stream emits the item with
// response.file_search_call.in_progress / searching / completed, and each annotation with
// response.output_text.annotation.added before response.output_text.done.
struct FileSearchOutput {
  std::vector<std::string> queries;
  std::vector<Citation> cites;
  bool include_results = false;
};
std::unique_ptr<WireFormat> responses_wire(const std::string& model, const nlohmann::ordered_json& echo,
                                           std::optional<FileSearchOutput> file_search = std::nullopt);

// OpenAI file_citation annotations for `text` answered from `cites`: one per distinct file, in
// the order the files were first cited, {type, file_id, filename, index}; index is the
// character (byte) offset in `text` of the first "[n]" marker naming one of the file's
// sources, or the end of the text when the answer cites none of them by number.
nlohmann::ordered_json file_citation_annotations(const std::string& text, const std::vector<Citation>& cites);

}  // namespace ondo::serve
