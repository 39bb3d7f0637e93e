// Bodies of the collections family (see collections_api.h). Layer: serve.
#include "ondo/serve/collections_api.h"

#include <algorithm>
#include <sys/random.h>

#include <cmath>

#include "ondo/serve/json_limits.h"

namespace ondo::serve {
namespace {

using ojson = nlohmann::ordered_json;
constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
constexpr size_t kMaxAttributes = 16;  // OpenAI's limits on attributes and metadata
constexpr size_t kMaxKeyBytes = 64;
constexpr size_t kMaxValueBytes = 512;

Result<ojson> parse_object(std::string_view body) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(ojson j, parse_request_json(body, "", budget));
  if (!j.is_object()) return make_error(kBad, "request body: expected a JSON object");
  return j;
}

Status only_known(const ojson& body, std::initializer_list<const char*> known) {
  for (const auto& item : body.items()) {
    const std::string& k = item.key();  // a named reference: clang 14 cannot capture a structured binding
    if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; })) {
      return field_error(kBad, k.substr(0, 64), "unknown field");
    }
  }
  return ok_status();
}

Result<std::string> string_field(const ojson& v, std::string_view path) {
  if (!v.is_string()) return field_error(kBad, path, "expected a string");
  return v.get<std::string>();
}

Result<std::string> parse_metadata(const ojson& v, std::string_view field) {
  if (v.is_null()) return std::string("{}");
  if (!v.is_object()) return field_error(kBad, field, "expected an object of strings");
  if (v.size() > kMaxAttributes) return field_error(kBad, field, "more than 16 keys (seen " + std::to_string(v.size()) + ")");
  for (const auto& [k, val] : v.items()) {
    const std::string path = std::string(field) + "." + k.substr(0, 64);
    if (k.size() > kMaxKeyBytes) return field_error(kBad, path, "key longer than 64 bytes");
    if (!val.is_string()) return field_error(kBad, path, "expected a string");
    if (val.get<std::string>().size() > kMaxValueBytes) return field_error(kBad, path, "value longer than 512 bytes");
  }
  return v.dump();
}

}  // namespace

std::string new_collection_id(std::string_view prefix) {
  unsigned char bytes[12];
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t r = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (r > 0) got += size_t(r);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

bool known_file_purpose(std::string_view p) {
  return p == "assistants" || p == "batch" || p == "fine-tune" || p == "vision" || p == "user_data" || p == "evals";
}

Result<std::optional<ChunkingChoice>> parse_chunking(const ojson& v, std::string_view field) {
  if (v.is_null()) return std::optional<ChunkingChoice>();
  if (!v.is_object()) return field_error(kBad, field, "expected an object");
  const std::string f(field);
  if (!v.contains("type")) return field_error(kBad, f + ".type", "missing (expected \"auto\" or \"static\")");
  ONDO_ASSIGN_OR_RETURN(std::string type, string_field(v.at("type"), f + ".type"));
  ChunkingChoice c;
  if (type == "auto") {
    for (const auto& [k, x] : v.items()) {
      if (k != "type") return field_error(kBad, f + "." + k.substr(0, 64), "unknown field for the auto strategy");
    }
    return std::optional<ChunkingChoice>(c);
  }
  if (type != "static") return field_error(kBad, f + ".type", "unknown strategy '" + type.substr(0, 64) + "' (expected \"auto\" or \"static\")");
  for (const auto& [k, x] : v.items()) {
    if (k != "type" && k != "static") return field_error(kBad, f + "." + k.substr(0, 64), "unknown field");
  }
  if (!v.contains("static") || !v.at("static").is_object()) {
    return field_error(kBad, f + ".static", "expected an object with max_chunk_size_tokens and chunk_overlap_tokens");
  }
  const ojson& s = v.at("static");
  for (const char* name : {"max_chunk_size_tokens", "chunk_overlap_tokens"}) {
    if (!s.contains(name)) return field_error(kBad, f + ".static." + name, "missing");
  }
  for (const auto& [k, x] : s.items()) {
    if (k != "max_chunk_size_tokens" && k != "chunk_overlap_tokens") return field_error(kBad, f + ".static." + k.substr(0, 64), "unknown field");
  }
  c.type = "static";
  ONDO_ASSIGN_OR_RETURN(int64_t max, json_to_int(s.at("max_chunk_size_tokens"), 100, 4096, f + ".static.max_chunk_size_tokens"));
  ONDO_ASSIGN_OR_RETURN(int64_t overlap, json_to_int(s.at("chunk_overlap_tokens"), 0, max / 2, f + ".static.chunk_overlap_tokens"));
  c.max_tokens = int32_t(max);
  c.overlap_tokens = int32_t(overlap);
  return std::optional<ChunkingChoice>(c);
}

Result<std::string> parse_attributes(const ojson& v, std::string_view field) {
  if (v.is_null()) return std::string("{}");
  if (!v.is_object()) return field_error(kBad, field, "expected an object");
  if (v.size() > kMaxAttributes) return field_error(kBad, field, "more than 16 keys (seen " + std::to_string(v.size()) + ")");
  for (const auto& [k, val] : v.items()) {
    const std::string path = std::string(field) + "." + k.substr(0, 64);
    if (k.empty() || k.size() > kMaxKeyBytes) return field_error(kBad, path, "a key must be 1 to 64 bytes");
    if (val.is_string()) {
      if (val.get<std::string>().size() > kMaxValueBytes) return field_error(kBad, path, "value longer than 512 bytes");
    } else if (val.is_number()) {
      if (val.is_number_float() && !std::isfinite(val.get<double>())) return field_error(kBad, path, "not a finite number");
    } else if (!val.is_boolean()) {
      return field_error(kBad, path, "expected a string, number or boolean");
    }
  }
  return v.dump();
}

Result<CreateVectorStoreRequest> parse_create_vector_store(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(ojson j, parse_object(body));
  ONDO_TRY(only_known(j, {"name", "file_ids", "chunking_strategy", "metadata", "expires_after", "embedding_model"}));
  CreateVectorStoreRequest r;
  if (j.contains("name") && !j["name"].is_null()) {
    ONDO_ASSIGN_OR_RETURN(r.name, string_field(j["name"], "name"));
  }
  if (j.contains("file_ids")) {
    const ojson& ids = j["file_ids"];
    if (!ids.is_array()) return field_error(kBad, "file_ids", "expected an array of file ids");
    if (ids.size() > 500) return field_error(kBad, "file_ids", "more than 500 files");
    for (size_t i = 0; i < ids.size(); ++i) {
      ONDO_ASSIGN_OR_RETURN(std::string id, string_field(ids[i], "file_ids[" + std::to_string(i) + "]"));
      r.file_ids.push_back(std::move(id));
    }
  }
  if (j.contains("chunking_strategy")) {
    ONDO_ASSIGN_OR_RETURN(r.chunking, parse_chunking(j["chunking_strategy"], "chunking_strategy"));
  }
  if (j.contains("metadata")) {
    ONDO_ASSIGN_OR_RETURN(r.metadata, parse_metadata(j["metadata"], "metadata"));
  }
  if (j.contains("expires_after") && !j["expires_after"].is_null()) {
    return field_error(ErrorCode::Unsupported, "expires_after", "vector stores do not expire in ondo");
  }
  if (j.contains("embedding_model") && !j["embedding_model"].is_null()) {
    ONDO_ASSIGN_OR_RETURN(r.embedding_model, string_field(j["embedding_model"], "embedding_model"));
  }
  return r;
}

Result<AttachFileRequest> parse_attach_file(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(ojson j, parse_object(body));
  ONDO_TRY(only_known(j, {"file_id", "attributes", "chunking_strategy"}));
  AttachFileRequest r;
  if (!j.contains("file_id")) return field_error(kBad, "file_id", "missing");
  ONDO_ASSIGN_OR_RETURN(r.file_id, string_field(j["file_id"], "file_id"));
  if (j.contains("attributes")) {
    ONDO_ASSIGN_OR_RETURN(r.attributes, parse_attributes(j["attributes"], "attributes"));
  }
  if (j.contains("chunking_strategy")) {
    ONDO_ASSIGN_OR_RETURN(r.chunking, parse_chunking(j["chunking_strategy"], "chunking_strategy"));
  }
  return r;
}

Status parse_ranking_options(const ojson& o, const std::string& field, std::string& ranker, double& score_threshold,
                             std::optional<HybridWeights>& hybrid) {
  if (!o.is_object()) return field_error(kBad, field, "expected an object");
  if (Status st = only_known(o, {"ranker", "score_threshold", "hybrid", "hybrid_search"}); !st.ok()) return st.error().in_field(field);
  if (o.contains("ranker")) {
    ONDO_ASSIGN_OR_RETURN(ranker, string_field(o["ranker"], field + ".ranker"));
    static constexpr const char* kRankers[] = {"auto", "none", "default-2024-11-15", "dense", "lexical", "hybrid"};
    if (std::none_of(std::begin(kRankers), std::end(kRankers), [&](const char* k) { return ranker == k; })) {
      return field_error(kBad, field + ".ranker", "unknown ranker '" + ranker.substr(0, 64) +
                                                     "' (expected auto, none, default-2024-11-15, dense, lexical or hybrid)");
    }
  }
  if (o.contains("score_threshold")) {
    const ojson& t = o["score_threshold"];
    if (!t.is_number() || t.get<double>() < 0 || t.get<double>() > 1) {
      return field_error(kBad, field + ".score_threshold", "expected a number from 0 to 1");
    }
    score_threshold = t.get<double>();
  }
  // ondo's "hybrid" {dense_weight, lexical_weight}, or OpenAI's "hybrid_search"
  // {embedding_weight, text_weight}: the same two weights.
  for (const char* key : {"hybrid", "hybrid_search"}) {
    if (!o.contains(key) || o[key].is_null()) continue;
    const bool openai = std::string_view(key) == "hybrid_search";
    const char* dense_key = openai ? "embedding_weight" : "dense_weight";
    const char* lexical_key = openai ? "text_weight" : "lexical_weight";
    const std::string hfield = field + "." + key;
    const ojson& h = o[key];
    if (!h.is_object()) return field_error(kBad, hfield, std::string("expected an object with ") + dense_key + " and " + lexical_key);
    HybridWeights w;
    for (const auto& [k, v] : h.items()) {
      const std::string path = hfield + "." + k.substr(0, 64);
      if (k != dense_key && k != lexical_key) return field_error(kBad, path, "unknown field");
      if (!v.is_number() || v.get<double>() < 0 || !std::isfinite(v.get<double>())) {
        return field_error(kBad, path, "expected a number >= 0");
      }
      (k == dense_key ? w.dense : w.lexical) = v.get<double>();
    }
    if (w.dense == 0 && w.lexical == 0) return field_error(kBad, hfield, "both weights are 0");
    hybrid = w;
  }
  return ok_status();
}

Result<SearchRequest> parse_search_request(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(ojson j, parse_object(body));
  ONDO_TRY(only_known(j, {"query", "max_num_results", "filters", "ranking_options", "rewrite_query"}));
  SearchRequest r;
  if (!j.contains("query")) return field_error(kBad, "query", "missing");
  const ojson& q = j["query"];
  if (q.is_string()) {
    r.queries.push_back(q.get<std::string>());
  } else if (q.is_array() && !q.empty()) {
    for (size_t i = 0; i < q.size(); ++i) {
      ONDO_ASSIGN_OR_RETURN(std::string s, string_field(q[i], "query[" + std::to_string(i) + "]"));
      r.queries.push_back(std::move(s));
    }
  } else {
    return field_error(kBad, "query", "expected a string or a non-empty array of strings");
  }
  std::string all;
  for (const auto& s : r.queries) all += s;
  if (all.find_first_not_of(" \t\r\n") == std::string::npos) return field_error(kBad, "query", "is empty");
  if (j.contains("max_num_results") && !j["max_num_results"].is_null()) {
    ONDO_ASSIGN_OR_RETURN(int64_t n, json_to_int(j["max_num_results"], 1, 50, "max_num_results"));
    r.max_num_results = int32_t(n);
  }
  if (j.contains("filters") && !j["filters"].is_null()) r.filters = nlohmann::json::parse(j["filters"].dump());
  if (j.contains("rewrite_query") && !j["rewrite_query"].is_boolean() && !j["rewrite_query"].is_null()) {
    return field_error(kBad, "rewrite_query", "expected a boolean");
  }
  if (j.contains("ranking_options") && !j["ranking_options"].is_null()) {
    ONDO_TRY(parse_ranking_options(j["ranking_options"], "ranking_options", r.ranker, r.score_threshold, r.hybrid));
  }
  return r;
}

Result<Page> parse_page(const std::string& limit, const std::string& order, const std::string& after, const std::string& before) {
  Page p;
  if (!limit.empty()) {
    if (limit.size() > 4 || limit.find_first_not_of("0123456789") != std::string::npos || std::stoi(limit) < 1 ||
        std::stoi(limit) > 100) {
      return field_error(kBad, "limit", "expected an integer from 1 to 100 (seen '" + limit.substr(0, 16) + "')");
    }
    p.limit = std::stoi(limit);
  }
  if (!order.empty() && order != "asc" && order != "desc") {
    return field_error(kBad, "order", "expected asc or desc (seen '" + order.substr(0, 16) + "')");
  }
  p.descending = order != "asc";
  p.after = after;
  p.before = before;
  return p;
}

ojson page_json(const std::vector<ojson>& items, const std::vector<std::string>& ids, const Page& page) {
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = page.descending ? items.size() - 1 - i : i;
  size_t begin = 0, end = order.size();
  for (size_t k = 0; k < order.size(); ++k) {
    if (!page.after.empty() && ids[order[k]] == page.after) begin = k + 1;
    if (!page.before.empty() && ids[order[k]] == page.before) end = k;
  }
  ojson data = ojson::array();
  for (size_t k = begin; k < end && data.size() < size_t(page.limit); ++k) data.push_back(items[order[k]]);
  const bool more = end > begin && end - begin > data.size();
  return {{"object", "list"},
          {"data", data},
          {"first_id", data.empty() ? ojson(nullptr) : data.front()["id"]},
          {"last_id", data.empty() ? ojson(nullptr) : data.back()["id"]},
          {"has_more", more}};
}

ojson file_json(const store::FileRecord& f) {
  return {{"id", f.id},           {"object", "file"},       {"bytes", f.bytes},         {"created_at", f.created_at},
          {"expires_at", nullptr}, {"filename", f.filename}, {"purpose", f.purpose},     {"status", "processed"},
          {"status_details", nullptr}};
}

ojson vector_store_json(const store::VectorStoreRecord& v, const store::FileCounts& c) {
  return {{"id", v.id},
          {"object", "vector_store"},
          {"created_at", v.created_at},
          {"name", v.name},
          {"usage_bytes", c.usage_bytes},
          {"file_counts",
           {{"in_progress", c.in_progress}, {"completed", c.completed}, {"failed", c.failed}, {"cancelled", c.cancelled}, {"total", c.total}}},
          {"status", c.in_progress > 0 ? "in_progress" : "completed"},
          {"expires_after", nullptr},
          {"expires_at", nullptr},
          {"last_active_at", v.created_at},
          {"metadata", ojson::parse(v.metadata, nullptr, false)},
          {"embedding_model", v.embedding_model},
          {"dimensions", v.dimensions},
          {"chunking_strategy", {{"type", v.chunking_type}, {"static", {{"max_chunk_size_tokens", v.max_chunk_size_tokens},
                                                                         {"chunk_overlap_tokens", v.chunk_overlap_tokens}}}}}};
}

ojson vector_store_file_json(const store::VectorStoreFileRecord& f, std::optional<FileProgress> progress) {
  ojson out = {{"id", f.file_id},
               {"object", "vector_store.file"},
               {"usage_bytes", f.usage_bytes},
               {"created_at", f.created_at},
               {"vector_store_id", f.vector_store_id},
               {"status", f.status},
               {"last_error", f.last_error_code.empty() ? ojson(nullptr)
                                                        : ojson{{"code", f.last_error_code}, {"message", f.last_error_message}}},
               {"chunking_strategy", {{"type", "static"}, {"static", {{"max_chunk_size_tokens", f.max_chunk_size_tokens},
                                                                      {"chunk_overlap_tokens", f.chunk_overlap_tokens}}}}},
               {"attributes", ojson::parse(f.attributes, nullptr, false)},
               {"chunk_count", f.chunk_count}};
  if (progress) out["progress"] = {{"chunks_done", progress->chunks_done}, {"chunks_total", progress->chunks_total}};
  return out;
}

}  // namespace ondo::serve
