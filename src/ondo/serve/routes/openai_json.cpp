// OpenAI JSON shapes (chat completions and legacy completions API). Layer: serve.
// Field names and nesting follow OpenAI's published API reference.
#include "ondo/serve/routes/openai_json.h"

#include <chrono>
#include <random>

namespace ondo::serve {
namespace {

using nlohmann::json;

constexpr const char* kFingerprint = "fp_ondo";

json bytes_array(const std::string& s) {
  json a = json::array();
  for (unsigned char c : s) a.push_back(int(c));
  return a;
}

json chat_logprobs(const std::vector<TokenEntry>& tokens) {
  json content = json::array();
  for (const TokenEntry& t : tokens) {
    json top = json::array();
    for (const TopEntry& alt : t.top) {
      top.push_back({{"token", alt.bytes}, {"logprob", alt.logprob}, {"bytes", bytes_array(alt.bytes)}});
    }
    content.push_back({{"token", t.bytes}, {"logprob", t.logprob}, {"bytes", bytes_array(t.bytes)}, {"top_logprobs", top}});
  }
  return {{"content", content}, {"refusal", nullptr}};
}

json completion_logprobs(const std::vector<TokenEntry>& tokens, size_t text_offset) {
  json toks = json::array(), lps = json::array(), tops = json::array(), offs = json::array();
  size_t off = text_offset;
  for (const TokenEntry& t : tokens) {
    toks.push_back(t.bytes);
    lps.push_back(t.logprob);
    json top = json::object();
    for (const TopEntry& alt : t.top) top[alt.bytes] = alt.logprob;
    tops.push_back(top);
    offs.push_back(off);
    off += t.bytes.size();
  }
  return {{"tokens", toks}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offs}};
}

json base(const ResponseIds& ids, const char* chat_object, const char* completion_object) {
  return {{"id", ids.id},
          {"object", ids.flavor == Flavor::Chat ? chat_object : completion_object},
          {"created", ids.created},
          {"model", ids.model},
          {"system_fingerprint", kFingerprint}};
}

}  // namespace

std::string random_id(const char* prefix) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = prefix;
  for (int i = 0; i < 24; ++i) id += kHex[rng() & 15];
  return id;
}

std::string new_call_id() { return random_id("call_"); }

json tool_calls_json(const std::vector<infer::tools::ParsedCall>& calls, const std::vector<std::string>& ids) {
  json out = json::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    out.push_back({{"id", i < ids.size() ? ids[i] : new_call_id()},
                   {"type", "function"},
                   {"function", {{"name", calls[i].name}, {"arguments", calls[i].arguments}}}});
  }
  return out;
}

json tool_call_chunk(const ResponseIds& ids, const json& calls, bool usage_null) {
  json j = base(ids, "chat.completion.chunk", "text_completion");
  j["choices"] = json::array({{{"index", 0}, {"logprobs", nullptr}, {"finish_reason", nullptr}, {"delta", {{"tool_calls", calls}}}}});
  if (usage_null) j["usage"] = nullptr;
  return j;
}

ResponseIds new_response_ids(Flavor flavor, const std::string& model) {
  std::string id = random_id(flavor == Flavor::Chat ? "chatcmpl-" : "cmpl-");
  ResponseIds ids;
  ids.flavor = flavor;
  ids.id = std::move(id);
  ids.created = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  ids.model = model;
  return ids;
}

json usage_json(int32_t prompt_tokens, int32_t completion_tokens, int32_t cached_tokens) {
  return {{"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"total_tokens", prompt_tokens + completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", std::max(0, cached_tokens)}}}};
}

json logprobs_json(Flavor flavor, const std::vector<TokenEntry>& tokens, size_t text_offset) {
  return flavor == Flavor::Chat ? chat_logprobs(tokens) : completion_logprobs(tokens, text_offset);
}

json full_response(const ResponseIds& ids, const std::string& text, const std::string& finish_reason,
                   const json& logprobs, const json& usage, const json& tool_calls) {
  json j = base(ids, "chat.completion", "text_completion");
  json choice = {{"index", 0}, {"logprobs", logprobs}, {"finish_reason", finish_reason}};
  if (ids.flavor == Flavor::Chat && tool_calls.is_array()) {
    choice["message"] = {{"role", "assistant"}, {"content", nullptr}, {"refusal", nullptr}, {"tool_calls", tool_calls}};
  } else if (ids.flavor == Flavor::Chat) {
    choice["message"] = {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}};
  } else {
    choice["text"] = text;
  }
  j["choices"] = json::array({choice});
  j["usage"] = usage;
  return j;
}

json stream_chunk(const ResponseIds& ids, const std::string& text, bool role_chunk,
                  const std::optional<std::string>& finish, const json& logprobs, bool usage_null) {
  json j = base(ids, "chat.completion.chunk", "text_completion");
  json choice = {{"index", 0},
                 {"logprobs", logprobs},
                 {"finish_reason", finish ? json(*finish) : json(nullptr)}};
  if (ids.flavor == Flavor::Chat) {
    json delta = json::object();
    if (role_chunk) delta["role"] = "assistant";
    if (role_chunk || !text.empty()) delta["content"] = text;
    choice["delta"] = delta;
  } else {
    choice["text"] = text;
  }
  j["choices"] = json::array({choice});
  if (usage_null) j["usage"] = nullptr;
  return j;
}

json usage_chunk(const ResponseIds& ids, const json& usage) {
  json j = base(ids, "chat.completion.chunk", "text_completion");
  j["choices"] = json::array();
  j["usage"] = usage;
  return j;
}

}  // namespace ondo::serve
