// /v1/vector_stores: create (embedding model, chunking strategy, file_ids), list, retrieve,
// delete; its files (attach with attributes and queue for ingestion, list, retrieve, detach);
// search (dense, lexical or hybrid, with filters; the plan that ran in "search_plan").
// Layer: serve.
#include <ctime>
#include <map>

#include "ondo/rag/filter.h"
#include "ondo/serve/collections.h"
#include "ondo/serve/collections_api.h"
#include "ondo/serve/routes/collections.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {

Result<Collections*> collections_of(ServerState& state);  // files.cpp

namespace {

using ojson = nlohmann::ordered_json;
constexpr std::string_view kPrefix = "/v1/vector_stores/";

int64_t now_s() { return int64_t(std::time(nullptr)); }

// The segments of the path after /v1/vector_stores/: {id}, {id}/files, {id}/files/{file}, ...
std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::string rest = path.substr(kPrefix.size());
  size_t start = 0;
  while (start <= rest.size()) {
    size_t slash = rest.find('/', start);
    if (slash == std::string::npos) slash = rest.size();
    out.push_back(rest.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

Error no_route(const httplib::Request& req) {
  return make_error(ErrorCode::NotFound, req.method + " " + req.path.substr(0, 200) + ": no such route");
}

Result<store::VectorStoreRecord> find_store(Collections& c, const std::string& id) {
  ONDO_ASSIGN_OR_RETURN(auto v, c.store().find_vector_store(id));
  if (!v) return make_error(ErrorCode::NotFound, "no vector store '" + id.substr(0, 200) + "'");
  return std::move(*v);
}

Result<ojson> store_json(Collections& c, const store::VectorStoreRecord& v) {
  ONDO_ASSIGN_OR_RETURN(store::FileCounts counts, c.store().vector_store_file_counts(v.id));
  return vector_store_json(v, counts);
}

ojson file_row_json(Collections& c, const store::VectorStoreFileRecord& f) {
  std::optional<FileProgress> p;
  auto g = c.ingestor().progress(f.vector_store_id, f.file_id);
  if (!g) return vector_store_file_json(f, p);
  p = FileProgress{g->chunks_done, g->chunks_total};
  // The store flips the row to completed a moment before the ingestor has put its chunks into
  // the in-memory dense index; until the ingestor lets go of the file, a client that searches
  // on "completed" could miss them, so the file still reads in_progress.
  store::VectorStoreFileRecord shown = f;
  if (shown.status == store::kFileCompleted) shown.status = store::kFileInProgress;
  return vector_store_file_json(shown, p);
}

// Attaches `file_id` in_progress and queues it. Errors: NotFound (field `field`), InvalidArgument
// when attached, Overloaded when the queue is full (the row is removed again).
Result<store::VectorStoreFileRecord> attach(Collections& c, const store::VectorStoreRecord& v, const std::string& file_id,
                                            const std::string& attributes, const std::optional<ChunkingChoice>& chunking,
                                            const std::string& field) {
  ONDO_ASSIGN_OR_RETURN(auto file, c.store().find_file(file_id));
  if (!file) return field_error(ErrorCode::NotFound, field, "no file '" + file_id.substr(0, 200) + "'");
  store::VectorStoreFileRecord f;
  f.vector_store_id = v.id;
  f.file_id = file_id;
  f.created_at = now_s();
  f.attributes = attributes;
  f.chunking_type = chunking ? chunking->type : v.chunking_type;
  f.max_chunk_size_tokens = chunking ? chunking->max_tokens : v.max_chunk_size_tokens;
  f.chunk_overlap_tokens = chunking ? chunking->overlap_tokens : v.chunk_overlap_tokens;
  Status st = c.store().insert_vector_store_file(f);
  if (!st.ok()) {
    if (st.error().code == ErrorCode::InvalidArgument) {
      return field_error(ErrorCode::InvalidArgument, field, "file '" + file_id + "' is already in vector store '" + v.id + "'");
    }
    return st.error();
  }
  Status queued = c.ingestor().enqueue(v.id, file_id);
  if (!queued.ok()) {
    (void)c.store().delete_vector_store_file(v.id, file_id);
    return queued.error();
  }
  return f;
}

Result<ojson> create_store(Collections& c, const std::string& body) {
  ONDO_ASSIGN_OR_RETURN(CreateVectorStoreRequest r, parse_create_vector_store(body));
  if (r.embedding_model.empty()) {
    ONDO_ASSIGN_OR_RETURN(r.embedding_model, c.default_embedding_model());
  } else {
    ONDO_TRY(c.check_embedding_model(r.embedding_model));
  }
  for (size_t i = 0; i < r.file_ids.size(); ++i) {  // all files exist, or nothing is created
    ONDO_ASSIGN_OR_RETURN(auto f, c.store().find_file(r.file_ids[i]));
    if (!f) return field_error(ErrorCode::NotFound, "file_ids[" + std::to_string(i) + "]", "no file '" + r.file_ids[i].substr(0, 200) + "'");
  }
  store::VectorStoreRecord v;
  v.id = new_collection_id("vs_");
  v.name = r.name;
  v.created_at = now_s();
  v.embedding_model = r.embedding_model;
  const ChunkingChoice chunking = r.chunking.value_or(ChunkingChoice{});
  v.chunking_type = chunking.type;
  v.max_chunk_size_tokens = chunking.max_tokens;
  v.chunk_overlap_tokens = chunking.overlap_tokens;
  v.metadata = r.metadata;
  ONDO_TRY(c.store().insert_vector_store(v));
  for (size_t i = 0; i < r.file_ids.size(); ++i) {
    auto a = attach(c, v, r.file_ids[i], "{}", std::nullopt, "file_ids[" + std::to_string(i) + "]");
    if (!a.ok() && a.error().code != ErrorCode::InvalidArgument) return a.error();  // a repeated id is attached once
  }
  return store_json(c, v);
}

Result<ojson> search(Collections& c, const store::VectorStoreRecord& v, const std::string& body) {
  ONDO_ASSIGN_OR_RETURN(SearchRequest r, parse_search_request(body));
  ONDO_ASSIGN_OR_RETURN(rag::CollectionQuery q, search_query(c, v, r, ""));
  ONDO_ASSIGN_OR_RETURN(rag::CollectionResult found, c.indexes().search(v, q));
  std::map<std::string, std::string> names;
  ojson data = ojson::array();
  for (const rag::CollectionHit& h : found.hits) {
    if (!names.count(h.chunk.file_id)) {
      auto f = c.store().find_file(h.chunk.file_id);
      names[h.chunk.file_id] = f.ok() && *f ? (*f)->filename : "";
    }
    data.push_back({{"file_id", h.chunk.file_id},
                    {"filename", names[h.chunk.file_id]},
                    {"score", h.score},
                    {"attributes", ojson::parse(h.chunk.attributes, nullptr, false)},
                    {"content", ojson::array({{{"type", "text"}, {"text", h.chunk.text}}})}});
  }
  ojson plan = {{"mode", found.mode}, {"matching", found.matching}, {"total", found.total}, {"index", found.index_note}};
  if (!found.dense_plan.empty()) plan["dense"] = {{"plan", found.dense_plan}, {"reason", found.dense_reason}};
  if (!found.lexical_reason.empty()) plan["lexical"] = {{"reason", found.lexical_reason}};
  return ojson{{"object", "vector_store.search_results.page"},
               {"search_query", r.queries},
               {"data", data},
               {"has_more", false},
               {"next_page", nullptr},
               {"search_plan", plan}};
}

Result<ojson> list_files(Collections& c, const store::VectorStoreRecord& v, const httplib::Request& req) {
  ONDO_ASSIGN_OR_RETURN(Page page, parse_page(req.get_param_value("limit"), req.get_param_value("order"),
                                              req.get_param_value("after"), req.get_param_value("before")));
  const std::string status = req.get_param_value("filter");
  if (!status.empty() && status != "in_progress" && status != "completed" && status != "failed" && status != "cancelled") {
    return field_error(ErrorCode::InvalidArgument, "filter", "expected in_progress, completed, failed or cancelled");
  }
  ONDO_ASSIGN_OR_RETURN(auto rows, c.store().list_vector_store_files(v.id, status));
  std::vector<ojson> items;
  std::vector<std::string> ids;
  for (const auto& f : rows) {
    items.push_back(file_row_json(c, f));
    ids.push_back(f.file_id);
  }
  return page_json(items, ids, page);
}

Result<ojson> get(Collections& c, const httplib::Request& req) {
  const std::vector<std::string> s = segments(req.path);
  ONDO_ASSIGN_OR_RETURN(store::VectorStoreRecord v, find_store(c, s[0]));
  if (s.size() == 1) return store_json(c, v);
  if (s.size() == 2 && s[1] == "files") return list_files(c, v, req);
  if (s.size() == 3 && s[1] == "files") {
    ONDO_ASSIGN_OR_RETURN(auto f, c.store().find_vector_store_file(v.id, s[2]));
    if (!f) return make_error(ErrorCode::NotFound, "no file '" + s[2].substr(0, 200) + "' in vector store '" + v.id + "'");
    return file_row_json(c, *f);
  }
  return no_route(req);
}

Result<ojson> post(Collections& c, const httplib::Request& req) {
  const std::vector<std::string> s = segments(req.path);
  if (s.size() != 2 || (s[1] != "files" && s[1] != "search")) return no_route(req);
  ONDO_ASSIGN_OR_RETURN(store::VectorStoreRecord v, find_store(c, s[0]));
  if (s[1] == "search") return search(c, v, req.body);
  ONDO_ASSIGN_OR_RETURN(AttachFileRequest r, parse_attach_file(req.body));
  ONDO_ASSIGN_OR_RETURN(store::VectorStoreFileRecord f, attach(c, v, r.file_id, r.attributes, r.chunking, "file_id"));
  return file_row_json(c, f);
}

Result<ojson> remove(Collections& c, const httplib::Request& req) {
  const std::vector<std::string> s = segments(req.path);
  if (s.size() == 1) {
    Status st = c.store().delete_vector_store(s[0]);
    if (!st.ok()) return st.error().code == ErrorCode::NotFound ? find_store(c, s[0]).error() : st.error();
    c.indexes().invalidate(s[0]);
    return ojson{{"id", s[0]}, {"object", "vector_store.deleted"}, {"deleted", true}};
  }
  if (s.size() != 3 || s[1] != "files") return no_route(req);
  ONDO_ASSIGN_OR_RETURN(store::VectorStoreRecord v, find_store(c, s[0]));
  Status st = c.store().delete_vector_store_file(v.id, s[2]);
  if (!st.ok()) {
    if (st.error().code == ErrorCode::NotFound) {
      return make_error(ErrorCode::NotFound, "no file '" + s[2].substr(0, 200) + "' in vector store '" + v.id + "'");
    }
    return st.error();
  }
  c.indexes().invalidate(v.id);
  return ojson{{"id", s[2]}, {"object", "vector_store.file.deleted"}, {"deleted", true}};
}

using Action = Result<ojson> (*)(Collections&, const httplib::Request&);

void answer(ServerState& state, const httplib::Request& req, httplib::Response& res, Action action) {
  InFlight guard(state);
  auto c = collections_of(state);
  if (!c.ok()) return send_error(res, c.error());
  auto body = action(**c, req);
  if (!body.ok()) return send_error(res, body.error());
  // The official clients' createAndPoll / uploadAndPoll wait this long between polls.
  if (body->value("object", "") == "vector_store.file" && body->value("status", "") == store::kFileInProgress) {
    res.set_header("openai-poll-after-ms", "200");
  }
  send_json(res, 200, *body);
}

}  // namespace

void handle_create_vector_store(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  answer(state, req, res, [](Collections& c, const httplib::Request& r) { return create_store(c, r.body); });
}

void handle_list_vector_stores(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  answer(state, req, res, [](Collections& c, const httplib::Request& r) -> Result<ojson> {
    ONDO_ASSIGN_OR_RETURN(Page page, parse_page(r.get_param_value("limit"), r.get_param_value("order"),
                                                r.get_param_value("after"), r.get_param_value("before")));
    ONDO_ASSIGN_OR_RETURN(auto stores, c.store().list_vector_stores());
    std::vector<ojson> items;
    std::vector<std::string> ids;
    for (const auto& v : stores) {
      ONDO_ASSIGN_OR_RETURN(ojson j, store_json(c, v));
      items.push_back(std::move(j));
      ids.push_back(v.id);
    }
    return page_json(items, ids, page);
  });
}

void handle_vector_store_get(ServerState& state, const httplib::Request& req, httplib::Response& res) { answer(state, req, res, get); }
void handle_vector_store_post(ServerState& state, const httplib::Request& req, httplib::Response& res) { answer(state, req, res, post); }
void handle_vector_store_delete(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  answer(state, req, res, remove);
}

Result<rag::CollectionQuery> search_query(Collections& c, const store::VectorStoreRecord& v, const SearchRequest& r,
                                          const std::string& prefix) {
  const auto path = [&](const char* f) { return prefix.empty() ? std::string(f) : prefix + "." + f; };
  rag::CollectionQuery q;
  for (const std::string& s : r.queries) q.text += (q.text.empty() ? "" : " ") + s;
  q.k = size_t(r.max_num_results);
  q.score_threshold = r.score_threshold;
  if (r.filters) {
    ONDO_ASSIGN_OR_RETURN(q.filter, rag::parse_filter(*r.filters, path("filters")));
  }
  const std::string& rk = r.ranker;
  q.mode = rk == "none" || rk == "dense" ? rag::SearchMode::Dense : rk == "lexical" ? rag::SearchMode::Lexical : rag::SearchMode::Hybrid;
  if (r.hybrid) {
    if (q.mode != rag::SearchMode::Hybrid) {
      return field_error(ErrorCode::InvalidArgument, path("ranking_options.hybrid"),
                         "weights need ranker auto, default-2024-11-15 or hybrid (seen '" + rk + "')");
    }
    q.dense_weight = r.hybrid->dense;
    q.lexical_weight = r.hybrid->lexical;
  }
  if (q.mode != rag::SearchMode::Lexical && v.dimensions > 0) {
    ONDO_ASSIGN_OR_RETURN(q.vector, c.embed_query(v.embedding_model, q.text));
  }
  return q;
}

}  // namespace ondo::serve
