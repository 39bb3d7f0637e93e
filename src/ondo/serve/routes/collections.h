// The collections family: /v1/files (upload, list, retrieve, delete, content) and
// /v1/vector_stores (create, list, retrieve, delete; its files; search) in OpenAI's shapes.
// Layer: serve (internal to it). The rows are in route_table.cpp's "Files and vector stores"
// block; docs/api.md "Files and vector stores" describes them. Every handler answers 503 when
// the server has no store (start it with --data-dir or --db).
#pragma once

#include <httplib.h>

#include <string>

#include "ondo/serve/collections.h"
#include "ondo/serve/collections_api.h"

namespace ondo::serve {

class ServerState;

void handle_create_file(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_list_files(ServerState& state, const httplib::Request& req, httplib::Response& res);
// GET /v1/files/{id} and /v1/files/{id}/content.
void handle_get_file(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_delete_file(ServerState& state, const httplib::Request& req, httplib::Response& res);

void handle_create_vector_store(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_list_vector_stores(ServerState& state, const httplib::Request& req, httplib::Response& res);
// The routes under /v1/vector_stores/{id}: GET {id}, {id}/files, {id}/files/{file_id};
// POST {id}/files, {id}/search; DELETE {id}, {id}/files/{file_id}.
void handle_vector_store_get(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_vector_store_post(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_vector_store_delete(ServerState& state, const httplib::Request& req, httplib::Response& res);

// The library query for a search request on store `v`: the queries joined, filters parsed,
// the ranker's mode and weights, and the query embedding when the store has vectors. Shared by
// /v1/vector_stores/{id}/search, the chat `rag` field and the Responses file_search tool.
// Errors name the request field under `prefix` ("" for the search body, "rag",
// "tools[0]"): InvalidArgument for a bad filter or weights with a non-hybrid ranker; the
// embedder's errors.
Result<rag::CollectionQuery> search_query(Collections& c, const store::VectorStoreRecord& v, const SearchRequest& r,
                                          const std::string& prefix);

}  // namespace ondo::serve
