// JSON columns of the prompt registry (see prompt_codec.h). Layer: store.
#include "ondo/store/prompt_codec.h"

#include <nlohmann/json.hpp>

#include <set>

namespace ondo::store {
namespace {

using json = nlohmann::json;

Error bad_column(const std::string& what, const char* column) {
  return make_error(ErrorCode::Internal, what + ": " + column + " column does not hold what ondo wrote");
}

bool is_string_member(const json& j, const char* key) { return j.contains(key) && j.at(key).is_string(); }

}  // namespace

std::string encode_messages(const std::vector<PromptMessage>& messages) {
  json out = json::array();
  for (const PromptMessage& m : messages) out.push_back({{"role", m.role}, {"content", m.content}});
  return out.dump();
}

std::string encode_variables(const std::vector<PromptVariable>& variables) {
  json out = json::array();
  for (const PromptVariable& v : variables) {
    json e = {{"name", v.name}, {"type", v.type}};
    if (v.default_json) e["default"] = *v.default_json;
    out.push_back(std::move(e));
  }
  return out.dump();
}

std::string encode_targets(const std::vector<LabelTarget>& targets) {
  json out = json::array();
  for (const LabelTarget& t : targets) out.push_back({{"version", t.version}, {"weight", t.weight}});
  return out.dump();
}

Result<std::vector<PromptMessage>> decode_messages(const std::string& text, const std::string& what) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return bad_column(what, "messages");
  std::vector<PromptMessage> out;
  for (const json& e : j) {
    if (!e.is_object() || !is_string_member(e, "role") || !is_string_member(e, "content")) return bad_column(what, "messages");
    out.push_back({e["role"].get<std::string>(), e["content"].get<std::string>()});
  }
  return out;
}

Result<std::vector<PromptVariable>> decode_variables(const std::string& text, const std::string& what) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return bad_column(what, "variables");
  std::vector<PromptVariable> out;
  for (const json& e : j) {
    if (!e.is_object() || !is_string_member(e, "name") || !is_string_member(e, "type")) return bad_column(what, "variables");
    PromptVariable v{e["name"].get<std::string>(), e["type"].get<std::string>(), std::nullopt};
    if (e.contains("default")) {
      if (!e["default"].is_string()) return bad_column(what, "variables");
      v.default_json = e["default"].get<std::string>();
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<LabelTarget>> decode_targets(const std::string& text, const std::string& what) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return bad_column(what, "targets");
  std::vector<LabelTarget> out;
  for (const json& e : j) {
    if (!e.is_object() || !e.contains("version") || !e["version"].is_number_integer() || !e.contains("weight") ||
        !e["weight"].is_number_integer()) {
      return bad_column(what, "targets");
    }
    out.push_back({e["version"].get<int64_t>(), e["weight"].get<int64_t>()});
  }
  return out;
}

Status check_targets(const std::vector<LabelTarget>& targets, const std::string& what) {
  if (targets.empty()) return make_error(ErrorCode::InvalidArgument, what + ": no target version");
  std::set<int64_t> seen;
  for (const LabelTarget& t : targets) {
    if (t.version < 1) {
      return make_error(ErrorCode::InvalidArgument, what + ": version " + std::to_string(t.version) + " is not a version (expected 1 or more)");
    }
    if (t.weight < 1) {
      return make_error(ErrorCode::InvalidArgument,
                        what + ": version " + std::to_string(t.version) + " has weight " + std::to_string(t.weight) + " (expected 1 or more)");
    }
    if (!seen.insert(t.version).second) {
      return make_error(ErrorCode::InvalidArgument, what + ": version " + std::to_string(t.version) + " is given twice");
    }
  }
  return ok_status();
}

}  // namespace ondo::store
