// POST /v1/responses: the Responses request translated into a ChatRequest
// (responses_request.h), prepared like a chat completion (prepare_chat) and written by the
// Responses wire format. GET and DELETE /v1/responses/{id}: this server stores no responses,
// and says so. Layer: serve. No model code runs here.
#include "ondo/serve/routes/responses.h"

#include "ondo/serve/responses_request.h"
#include "ondo/serve/routes/rag_chat.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

Error not_stored(const httplib::Request& req) {
  const std::string id = req.matches.size() > 1 ? req.matches[1].str().substr(0, 200) : "";
  return make_error(ErrorCode::NotFound,
                    "response '" + id + "': not found (responses are not stored on this server: each POST /v1/responses "
                                        "is answered and forgotten)");
}

}  // namespace

void handle_create_response(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_responses_request(req.body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  const std::string model = parsed->chat.gen.model;
  std::optional<FileSearchOutput> search;
  if (parsed->file_search) {  // the same retrieval as the chat `rag` field
    auto rag = parse_rag_object(*parsed->file_search, parsed->file_search_field, true);
    if (!rag.ok()) return send_error(res, rag.error());
    auto found = add_rag_sources(state, *rag, parsed->chat.messages, "input");
    if (!found.ok()) return send_error(res, found.error());
    search = FileSearchOutput{{found->query}, std::move(found->cites), parsed->include_file_search_results};
  }
  auto p = prepare_chat(state, std::move(parsed->chat));
  if (!p.ok()) return send_error(res, rename_chat_error(parsed->renames, p.error()));
  respond_generation(state, std::move(*p), res, responses_wire(model, parsed->echo, std::move(search)));
}

void handle_get_response(ServerState&, const httplib::Request& req, httplib::Response& res) {
  send_error(res, not_stored(req));
}

void handle_delete_response(ServerState&, const httplib::Request& req, httplib::Response& res) {
  send_error(res, not_stored(req));
}

}  // namespace ondo::serve
