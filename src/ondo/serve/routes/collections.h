// The collections family: /v1/files (upload, list, retrieve, delete, content) and
// /v1/vector_stores (create, list, retrieve, delete; its files; search) in OpenAI's shapes.
// Layer: serve (internal to it). The rows are in route_table.cpp's "Files and vector stores"
// block; docs/api.md "Files and vector stores" describes them. Every handler answers 503 when
// the server has no store (start it with --data-dir or --db).
#pragma once

#include <httplib.h>

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

}  // namespace ondo::serve
