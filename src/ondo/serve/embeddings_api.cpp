// Embeddings and rerank bodies (embeddings_api.h). Layer: serve. Pure functions of the bytes.
#include "ondo/serve/embeddings_api.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "ondo/core/kernels/ops.h"
#include "ondo/serve/api_fields.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;
using detail::field_error;
using detail::member;
using detail::seen;

Result<json> parse_object(std::string_view body) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(json j, parse_request_json(body, "", budget));
  if (!j.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object (seen " + seen(j) + ")");
  return j;
}

Result<std::string> required_string(const json& obj, const char* key, const char* what) {
  const json* v = member(obj, key);
  if (!v) return field_error(key, std::string("missing (expected ") + what + ")");
  if (!v->is_string()) return field_error(key, "expected a string (seen " + seen(*v) + ")");
  return v->get<std::string>();
}

Result<bool> optional_bool(const json& obj, const char* key, bool fallback) {
  const json* v = member(obj, key);
  if (!v) return fallback;
  if (!v->is_boolean()) return field_error(key, "expected a boolean (seen " + seen(*v) + ")");
  return v->get<bool>();
}

Result<std::optional<int32_t>> optional_positive(const json& obj, const char* key) {
  const json* v = member(obj, key);
  if (!v) return std::optional<int32_t>();
  ONDO_ASSIGN_OR_RETURN(int64_t n, json_to_int(*v, 1, int64_t(1) << 24, key));
  return std::optional<int32_t>(int32_t(n));
}

// An array of token ids at `path`; ids must be >= 0 (the vocabulary bound is the route's).
Result<std::vector<int32_t>> token_array(const json& a, const std::string& path) {
  std::vector<int32_t> out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(int64_t id, json_to_int(a[i], 0, INT32_MAX, path + "[" + std::to_string(i) + "]"));
    out.push_back(int32_t(id));
  }
  return out;
}

bool is_number(const json& v) { return v.is_number_integer() || v.is_number_unsigned() || v.is_number_float(); }

// input: a string, an array of strings, an array of token ids, or an array of such arrays.
Result<std::vector<EmbeddingInput>> parse_inputs(const json& obj) {
  const json* in = member(obj, "input");
  if (!in) return field_error("input", "missing (expected a string, an array of strings or an array of token arrays)");
  std::vector<EmbeddingInput> out;
  if (in->is_string()) {
    out.push_back({false, in->get<std::string>(), {}});
    return out;
  }
  if (!in->is_array()) {
    return field_error("input", "expected a string, an array of strings or an array of token arrays (seen " + seen(*in) + ")");
  }
  if (in->empty()) return field_error("input", "is empty (give at least one input)");
  if (in->size() > kMaxEmbeddingInputs) {
    return field_error("input", std::to_string(in->size()) + " inputs are too many (at most " +
                                    std::to_string(kMaxEmbeddingInputs) + " per request)");
  }
  if (is_number((*in)[0])) {  // one input given as token ids
    ONDO_ASSIGN_OR_RETURN(auto ids, token_array(*in, "input"));
    out.push_back({true, {}, std::move(ids)});
    return out;
  }
  for (size_t i = 0; i < in->size(); ++i) {
    const json& v = (*in)[i];
    const std::string path = "input[" + std::to_string(i) + "]";
    if (v.is_string()) {
      out.push_back({false, v.get<std::string>(), {}});
    } else if (v.is_array()) {
      if (v.empty()) return field_error(path, "is an empty token array");
      ONDO_ASSIGN_OR_RETURN(auto ids, token_array(v, path));
      out.push_back({true, {}, std::move(ids)});
    } else {
      return field_error(path, "expected a string or an array of token ids (seen " + seen(v) + ")");
    }
  }
  return out;
}

Result<std::vector<std::string>> parse_documents(const json& obj) {
  const json* docs = member(obj, "documents");
  if (!docs) return field_error("documents", "missing (expected an array of strings)");
  if (!docs->is_array()) return field_error("documents", "expected an array of strings (seen " + seen(*docs) + ")");
  if (docs->empty()) return field_error("documents", "is empty (give at least one document)");
  if (docs->size() > kMaxRerankDocuments) {
    return field_error("documents", std::to_string(docs->size()) + " documents are too many (at most " +
                                        std::to_string(kMaxRerankDocuments) + " per request)");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < docs->size(); ++i) {
    const json& d = (*docs)[i];
    const std::string path = "documents[" + std::to_string(i) + "]";
    if (d.is_string()) {
      out.push_back(d.get<std::string>());
    } else if (d.is_object() && member(d, "text") && d["text"].is_string()) {
      out.push_back(d["text"].get<std::string>());  // Cohere / Jina object form
    } else {
      return field_error(path, "expected a string or an object with a string \"text\" (seen " + seen(d) + ")");
    }
  }
  return out;
}

}  // namespace

Result<EmbeddingsRequest> parse_embeddings_request(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body));
  EmbeddingsRequest r;
  ONDO_ASSIGN_OR_RETURN(r.model, required_string(obj, "model", "the name of a served embedding model"));
  ONDO_ASSIGN_OR_RETURN(r.inputs, parse_inputs(obj));
  if (const json* f = member(obj, "encoding_format")) {
    if (*f == "base64") r.base64 = true;
    else if (*f != "float") {
      return field_error("encoding_format", "expected \"float\" or \"base64\" (seen " +
                                                (f->is_string() ? "\"" + f->get<std::string>().substr(0, 40) + "\"" : seen(*f)) + ")");
    }
  }
  ONDO_ASSIGN_OR_RETURN(r.dimensions, optional_positive(obj, "dimensions"));
  ONDO_ASSIGN_OR_RETURN(r.truncate, optional_bool(obj, "truncate", false));
  if (const json* u = member(obj, "user"); u && !u->is_string()) {
    return field_error("user", "expected a string (seen " + seen(*u) + ")");
  }
  return r;
}

Result<RerankRequest> parse_rerank_request(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body));
  RerankRequest r;
  ONDO_ASSIGN_OR_RETURN(r.model, required_string(obj, "model", "the name of a served reranker"));
  ONDO_ASSIGN_OR_RETURN(r.query, required_string(obj, "query", "the query text"));
  ONDO_ASSIGN_OR_RETURN(r.documents, parse_documents(obj));
  ONDO_ASSIGN_OR_RETURN(r.top_n, optional_positive(obj, "top_n"));
  ONDO_ASSIGN_OR_RETURN(r.return_documents, optional_bool(obj, "return_documents", false));
  ONDO_ASSIGN_OR_RETURN(r.truncate, optional_bool(obj, "truncate", false));
  return r;
}

std::string base64_floats(std::span<const float> v) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> bytes(v.size() * 4);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t u;
    std::memcpy(&u, &v[i], 4);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + size_t(b)] = uint8_t(u >> (8 * b));  // little-endian
  }
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    const uint32_t chunk = uint32_t(bytes[i]) << 16 | (n > 1 ? uint32_t(bytes[i + 1]) << 8 : 0u) |
                           (n > 2 ? uint32_t(bytes[i + 2]) : 0u);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += n > 1 ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += n > 2 ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::vector<float> truncate_dimensions(std::span<const float> v, int32_t dimensions) {
  std::vector<float> out(v.begin(), v.begin() + dimensions);
  core::l2_normalize(out.data(), int64_t(out.size()));
  return out;
}

json embeddings_response(const std::string& model, const std::vector<std::vector<float>>& vectors, bool base64,
                         int64_t prompt_tokens) {
  json data = json::array();
  for (size_t i = 0; i < vectors.size(); ++i) {
    json item = {{"object", "embedding"}, {"index", i}};
    if (base64) item["embedding"] = base64_floats(vectors[i]);
    else item["embedding"] = vectors[i];
    data.push_back(std::move(item));
  }
  return json{{"object", "list"},
              {"data", std::move(data)},
              {"model", model},
              {"usage", {{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}}}};
}

json rerank_response(const RerankRequest& request, std::span<const float> scores, int64_t prompt_tokens) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  const size_t n = request.top_n ? std::min(order.size(), size_t(*request.top_n)) : order.size();
  json results = json::array();
  for (size_t k = 0; k < n; ++k) {
    const size_t i = order[k];
    json item = {{"index", i}, {"relevance_score", scores[i]}};
    if (request.return_documents) item["document"] = {{"text", request.documents[i]}};
    results.push_back(std::move(item));
  }
  return json{{"object", "list"},
              {"model", request.model},
              {"results", std::move(results)},
              {"usage", {{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}}}};
}

}  // namespace ondo::serve
