// JSON columns of the store and shared messages. Layer: store.
#include "ondo/store/codec.h"

#include <nlohmann/json.hpp>

#include "ondo/store/store.h"

namespace ondo::store {

std::string encode_models(const std::vector<std::string>& models) { return nlohmann::json(models).dump(); }

std::string encode_metadata(const std::map<std::string, std::string>& metadata) {
  return nlohmann::json(metadata).dump();
}

Result<std::vector<std::string>> decode_models(const std::string& text, const std::string& what) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& e : j) {
      if (!e.is_string()) break;
      out.push_back(e.get<std::string>());
    }
    if (out.size() == j.size()) return out;
  }
  return make_error(ErrorCode::Internal, what + ": models column is not a JSON array of strings");
}

Result<std::map<std::string, std::string>> decode_metadata(const std::string& text, const std::string& what) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  std::map<std::string, std::string> out;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (!v.is_string()) break;
      out[k] = v.get<std::string>();
    }
    if (out.size() == j.size()) return out;
  }
  return make_error(ErrorCode::Internal, what + ": metadata column is not a JSON object of strings");
}

Error newer_schema_error(const std::string& location, int seen) {
  return make_error(ErrorCode::Unsupported,
                    location + ": the database schema is version " + std::to_string(seen) +
                        ", newer than this ondo knows (" + std::to_string(current_schema_version()) +
                        "); use a newer ondo (the database was left unchanged)");
}

Status check_attachment(std::string_view scope, std::string_view target) {
  if (scope == "global") {
    if (!target.empty()) return make_error(ErrorCode::InvalidArgument, "guardrail attachment: a global attachment has no target");
    return ok_status();
  }
  if (scope != "key" && scope != "prompt") {
    return make_error(ErrorCode::InvalidArgument, "guardrail attachment: scope '" + std::string(scope.substr(0, 40)) +
                                                      "' is not global, key or prompt");
  }
  if (target.empty() || target.size() > 256) {
    return make_error(ErrorCode::InvalidArgument, "guardrail attachment: a " + std::string(scope) +
                                                      " attachment needs a target of 1 to 256 bytes");
  }
  return ok_status();
}

Error no_attachment_error(const std::string& location, std::string_view scope, std::string_view target,
                          std::string_view policy) {
  std::string what = std::string(scope);
  if (!target.empty()) what += " '" + std::string(target) + "'";
  return make_error(ErrorCode::NotFound, location + ": guardrail policy '" + std::string(policy) +
                                             "' is not attached to " + what);
}

}  // namespace ondo::store
