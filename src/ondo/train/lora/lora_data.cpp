// Fine-tuning data formats (lora_data.h). Layer: train.
#include "ondo/train/lora/lora_data.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ondo/infer/chat/chat_prompt.h"

namespace ondo::train::lora {
namespace {

using Json = nlohmann::ordered_json;

Error bad(std::string what) { return Error{ErrorCode::InvalidFile, std::move(what)}; }

Status check_chat(const Json& j) {
  if (!j.contains("messages")) return bad("missing \"messages\"");
  const Json& m = j["messages"];
  if (!m.is_array() || m.empty()) return bad("\"messages\" must be a non-empty array");
  bool assistant = false;
  for (size_t i = 0; i < m.size(); ++i) {
    const std::string at = "messages[" + std::to_string(i) + "]";
    if (!m[i].is_object()) return bad(at + " is not an object");
    if (!m[i].contains("role") || !m[i]["role"].is_string()) return bad(at + ".role must be a string");
    const std::string role = m[i]["role"].get<std::string>();
    if (role != "system" && role != "user" && role != "assistant" && role != "developer" && role != "tool") {
      return bad(at + ".role '" + role + "' is not system, developer, user, assistant or tool");
    }
    if (!m[i].contains("content") || !m[i]["content"].is_string()) return bad(at + ".content must be a string");
    if (role == "assistant") assistant = true;
  }
  if (!assistant) return bad("no assistant message to learn from");
  return ok_status();
}

Status check_alpaca(const Json& j) {
  for (const char* k : {"instruction", "output"}) {
    if (!j.contains(k)) return bad(std::string("missing \"") + k + "\"");
    if (!j[k].is_string()) return bad(std::string("\"") + k + "\" must be a string");
  }
  if (j.contains("input") && !j["input"].is_string() && !j["input"].is_null()) return bad("\"input\" must be a string");
  if (j["output"].get<std::string>().empty()) return bad("\"output\" is empty");
  return ok_status();
}

// Calls fn(line_number, json) for every non-blank line; stops at the first error.
template <class Fn>
Status for_lines(std::string_view bytes, DataFormat f, Fn&& fn) {
  size_t at = 0;
  for (int64_t n = 1; at < bytes.size(); ++n) {
    size_t end = bytes.find('\n', at);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(at, end - at);
    at = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = "line " + std::to_string(n);
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded()) return bad(where + ": not valid JSON");
    if (!j.is_object()) return bad(where + ": not a JSON object");
    Status s = f == DataFormat::Chat ? check_chat(j) : check_alpaca(j);
    if (!s.ok()) return s.error().with_context(where);
    ONDO_TRY(fn(n, j));
  }
  return ok_status();
}

// Marks tokens of full that follow the longest common prefix with head.
size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

Result<Example> chat_example(const Json& messages, const text::Tokenizer& tok, const text::ChatTemplate& tmpl) {
  ONDO_ASSIGN_OR_RETURN(infer::ChatPrompt full, infer::build_chat_prompt(tmpl, tok, messages, nullptr, false));
  Example e;
  e.tokens = full.tokens;
  e.mask.assign(e.tokens.size(), 0);
  // each assistant turn i: the tokens between rendering messages[0, i) with the generation
  // prompt and rendering messages[0, i]
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i]["role"] != "assistant") continue;
    Json head = Json::array(), upto = Json::array();
    for (size_t k = 0; k < i; ++k) head.push_back(messages[k]);
    upto = head;
    upto.push_back(messages[i]);
    ONDO_ASSIGN_OR_RETURN(infer::ChatPrompt h, infer::build_chat_prompt(tmpl, tok, head, nullptr, true));
    ONDO_ASSIGN_OR_RETURN(infer::ChatPrompt u, infer::build_chat_prompt(tmpl, tok, upto, nullptr, false));
    const size_t begin = common_prefix(h.tokens, u.tokens);
    // the turn's tokens as they stand in the full rendering (same prefix when the template is
    // append-only, as chat templates are)
    const size_t end = std::min(common_prefix(u.tokens, full.tokens), e.tokens.size());
    for (size_t t = begin; t < end; ++t) e.mask[t] = 1;
  }
  return e;
}

}  // namespace

Result<DataFormat> parse_data_format(std::string_view name) {
  if (name == "chat") return DataFormat::Chat;
  if (name == "alpaca") return DataFormat::Alpaca;
  if (name == "text") return DataFormat::Text;
  return make_error(ErrorCode::InvalidArgument,
                    "unknown training data format '" + std::string(name) + "' (expected chat, alpaca or text)");
}

const char* data_format_name(DataFormat f) {
  switch (f) {
    case DataFormat::Chat: return "chat";
    case DataFormat::Alpaca: return "alpaca";
    case DataFormat::Text: return "text";
  }
  return "?";
}

Result<int64_t> validate_training_file(std::string_view bytes, DataFormat format) {
  if (format == DataFormat::Text) {
    if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos) return bad("the text file is empty");
    return int64_t(1);
  }
  int64_t n = 0;
  ONDO_TRY(for_lines(bytes, format, [&](int64_t, const Json&) -> Status {
    ++n;
    return ok_status();
  }));
  if (n == 0) return bad(std::string("no examples (a ") + data_format_name(format) + " JSONL file needs one per line)");
  return n;
}

Result<std::vector<Example>> tokenize_training_file(std::string_view bytes, DataFormat format,
                                                    const text::Tokenizer& tok, const text::ChatTemplate& tmpl,
                                                    int32_t n_ctx, const std::string& source) {
  auto fail = [&](const Error& e) { return e.with_context(source); };
  {
    auto v = validate_training_file(bytes, format);
    if (!v.ok()) return fail(v.error());
  }
  std::vector<Example> out;
  const size_t room = size_t(n_ctx) + 1;
  if (format == DataFormat::Text) {
    ONDO_ASSIGN_OR_RETURN(std::vector<int32_t> ids, tok.encode(bytes));
    for (size_t at = 0; at + 1 < ids.size(); at += size_t(n_ctx)) {
      Example e;
      e.tokens.assign(ids.begin() + long(at), ids.begin() + long(std::min(ids.size(), at + room)));
      e.mask.assign(e.tokens.size(), 1);
      out.push_back(std::move(e));
    }
    if (out.empty()) return fail(bad("the text is shorter than two tokens"));
    return out;
  }
  Status s = for_lines(bytes, format, [&](int64_t n, const Json& j) -> Status {
    Json msgs;
    if (format == DataFormat::Chat) {
      msgs = j["messages"];
    } else {
      std::string user = j["instruction"].get<std::string>();
      if (j.contains("input") && j["input"].is_string() && !j["input"].get<std::string>().empty()) {
        user += "\n\n" + j["input"].get<std::string>();
      }
      msgs = Json::array({Json{{"role", "user"}, {"content", user}},
                          Json{{"role", "assistant"}, {"content", j["output"].get<std::string>()}}});
    }
    auto e = chat_example(msgs, tok, tmpl);
    if (!e.ok()) return e.error().with_context("line " + std::to_string(n));
    Example ex = std::move(e).value();
    if (ex.tokens.size() > room) ex.tokens.resize(room), ex.mask.resize(room);
    if (std::count(ex.mask.begin() + 1, ex.mask.end(), uint8_t(1)) == 0) {
      return bad("line " + std::to_string(n) + ": no assistant token falls within the context of " +
                 std::to_string(n_ctx) + " tokens");
    }
    out.push_back(std::move(ex));
    return ok_status();
  });
  if (!s.ok()) return fail(s.error());
  return out;
}

}  // namespace ondo::train::lora
