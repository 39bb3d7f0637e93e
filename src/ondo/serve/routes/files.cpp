// /v1/files: multipart upload (file, purpose), list (purpose, limit, order, after), retrieve,
// delete (with the file's chunks in every vector store) and /content. The bytes go to the
// store (its data directory or PostgreSQL); a fine-tune file is checked line by line first.
// Layer: serve.
#include <ctime>

#include "ondo/jobs/fine_tune.h"
#include "ondo/serve/collections.h"
#include "ondo/serve/collections_api.h"
#include "ondo/serve/routes/collections.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/train/lora/lora_data.h"

namespace ondo::serve {

Result<Collections*> collections_of(ServerState& state) {
  if (!state.collections()) {
    return make_error(ErrorCode::Unavailable, "files and vector stores need a store: start the server with --data-dir or --db");
  }
  return state.collections();
}

namespace {

constexpr ErrorCode kBad = ErrorCode::InvalidArgument;

Result<nlohmann::ordered_json> create_file(ServerState& state, const httplib::Request& req) {
  ONDO_ASSIGN_OR_RETURN(Collections * c, collections_of(state));
  if (!req.is_multipart_form_data()) {
    return make_error(kBad, "request body: expected multipart/form-data with the parts 'file' and 'purpose'");
  }
  if (!req.has_file("file") || req.get_file_value("file").filename.empty()) {
    return field_error(kBad, "file", "missing (a file part with a filename)");
  }
  if (!req.has_file("purpose")) return field_error(kBad, "purpose", "missing");
  const httplib::MultipartFormData file = req.get_file_value("file");
  const std::string purpose = req.get_file_value("purpose").content;
  if (!known_file_purpose(purpose)) {
    return field_error(kBad, "purpose", "unknown purpose '" + purpose.substr(0, 64) +
                                            "' (expected assistants, batch, fine-tune, vision, user_data or evals)");
  }
  const size_t limit = state.options().max_file_bytes;
  if (file.content.size() > limit) {
    return field_error(ErrorCode::TooLarge, "file", "'" + file.filename.substr(0, 200) + "' is " + std::to_string(file.content.size()) +
                                                        " bytes, more than the server's limit of " + std::to_string(limit) +
                                                        " bytes (--max-file-size)");
  }
  std::string name = file.filename;
  if (const size_t slash = name.find_last_of("/\\"); slash != std::string::npos) name = name.substr(slash + 1);
  if (name.empty() || name.size() > 512) return field_error(kBad, "file", "the filename must be 1 to 512 bytes");
  if (purpose == "fine-tune") {  // a bad line fails here, not an hour into a fine-tuning job
    auto n = train::lora::validate_training_file(file.content, jobs::guess_training_format(file.content));
    if (!n.ok()) {
      return field_error(kBad, "file", "'" + name + "': " + n.error().message +
                                           " (fine-tuning takes OpenAI chat JSONL, Alpaca JSONL or plain text)");
    }
  }
  store::FileRecord f{new_collection_id("file-"), name, purpose, int64_t(file.content.size()), int64_t(std::time(nullptr))};
  ONDO_TRY(c->store().insert_file(f, file.content));
  return file_json(f);
}

// The id of /v1/files/{id}, and whether the path ends in /content.
std::pair<std::string, bool> file_path(const std::string& path) {
  std::string rest = path.substr(std::string_view("/v1/files/").size());
  const std::string suffix = "/content";
  if (rest.size() > suffix.size() && rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return {rest.substr(0, rest.size() - suffix.size()), true};
  }
  return {rest, false};
}

Error no_file(const std::string& id) { return make_error(ErrorCode::NotFound, "no file '" + id.substr(0, 200) + "'"); }

}  // namespace

void handle_create_file(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto body = create_file(state, req);
  if (!body.ok()) return send_error(res, body.error());
  send_json(res, 200, *body);
}

void handle_list_files(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto c = collections_of(state);
  if (!c.ok()) return send_error(res, c.error());
  auto page = parse_page(req.get_param_value("limit"), req.get_param_value("order"), req.get_param_value("after"),
                         req.get_param_value("before"));
  if (!page.ok()) return send_error(res, page.error());
  if (!req.has_param("limit")) page->limit = 100;  // OpenAI's files list pages by 10000; ours by 100
  auto files = (*c)->store().list_files(req.get_param_value("purpose"));
  if (!files.ok()) return send_error(res, files.error());
  std::vector<nlohmann::ordered_json> items;
  std::vector<std::string> ids;
  for (const auto& f : *files) {
    items.push_back(file_json(f));
    ids.push_back(f.id);
  }
  send_json(res, 200, page_json(items, ids, *page));
}

void handle_get_file(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto c = collections_of(state);
  if (!c.ok()) return send_error(res, c.error());
  const auto [id, content] = file_path(req.path);
  auto f = (*c)->store().find_file(id);
  if (!f.ok()) return send_error(res, f.error());
  if (!*f) return send_error(res, no_file(id));
  if (!content) return send_json(res, 200, file_json(**f));
  auto bytes = (*c)->store().read_file_content(id);
  if (!bytes.ok()) return send_error(res, bytes.error());
  res.status = 200;
  std::string safe = (*f)->filename;
  for (char& ch : safe) {
    if (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) ch = '_';
  }
  res.set_header("Content-Disposition", "attachment; filename=\"" + safe + "\"");
  res.set_content(std::move(*bytes), "application/octet-stream");
}

void handle_delete_file(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto c = collections_of(state);
  if (!c.ok()) return send_error(res, c.error());
  const auto [id, content] = file_path(req.path);
  if (content) return send_error(res, make_error(ErrorCode::NotFound, "DELETE /v1/files/{id}/content: no such route"));
  Status st = (*c)->store().delete_file(id);
  if (!st.ok()) return send_error(res, st.error().code == ErrorCode::NotFound ? no_file(id) : st.error());
  (*c)->indexes().invalidate_all();  // its chunks left whichever vector stores held them
  send_json(res, 200, {{"id", id}, {"object", "file"}, {"deleted", true}});
}

}  // namespace ondo::serve
