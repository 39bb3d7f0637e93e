// Parsing and validation of OpenAI request bodies into typed structs. Layer: serve.
// Pure functions of the body bytes: no model, no scheduler. Null fields count as absent,
// as OpenAI's clients send them; unknown fields are ignored.
#include "ondo/serve/api_types.h"

#include "ondo/serve/api_fields.h"
#include "ondo/serve/json_limits.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>

namespace ondo::serve {

std::string detail::seen(const ReqJson& v) {
  switch (v.type()) {
    case ReqJson::value_t::null: return "null";
    case ReqJson::value_t::boolean: return "boolean";
    case ReqJson::value_t::string: return "string";
    case ReqJson::value_t::array: return "array";
    case ReqJson::value_t::object: return "object";
    case ReqJson::value_t::discarded: return "nothing";
    default: return "number";
  }
}

namespace {

using json = nlohmann::ordered_json;
using detail::field_error;
using detail::member;
using detail::seen;

std::string fmt_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

Result<std::optional<bool>> opt_bool(const json& obj, const char* key, std::string_view path) {
  const json* v = member(obj, key);
  if (!v) return std::optional<bool>();
  if (!v->is_boolean()) return field_error(path, "expected a boolean (seen " + seen(*v) + ")");
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<double>> opt_number(const json& obj, const char* key, double lo, double hi) {
  const json* v = member(obj, key);
  if (!v) return std::optional<double>();
  if (!v->is_number()) return field_error(key, "expected a number (seen " + seen(*v) + ")");
  const double x = v->get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) {
    return field_error(key, "out of range (seen " + fmt_number(x) + ", expected " + fmt_number(lo) + " to " +
                                fmt_number(hi) + ")");
  }
  return std::optional<double>(x);
}

// An integer in [lo, hi]; a float with an integral value is accepted (json_to_int).
Result<std::optional<int64_t>> opt_int(const json& obj, const char* key, int64_t lo, int64_t hi,
                                       std::string_view path = {}) {
  if (path.empty()) path = key;
  const json* v = member(obj, key);
  if (!v) return std::optional<int64_t>();
  ONDO_ASSIGN_OR_RETURN(int64_t x, json_to_int(*v, lo, hi, path));
  return std::optional<int64_t>(x);
}

Result<std::vector<std::string>> parse_stop(const json& obj) {
  std::vector<std::string> out;
  const json* v = member(obj, "stop");
  if (!v) return out;
  if (v->is_string()) {
    if (!v->get_ref<const std::string&>().empty()) out.push_back(v->get<std::string>());
    return out;
  }
  if (!v->is_array()) return field_error("stop", "expected a string or an array of strings (seen " + seen(*v) + ")");
  if (v->size() > size_t(kMaxStopStrings)) {
    return field_error("stop", "too many stop strings (seen " + std::to_string(v->size()) + ", expected at most " +
                                   std::to_string(kMaxStopStrings) + ")");
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& s = (*v)[i];
    if (!s.is_string()) return field_error("stop[" + std::to_string(i) + "]", "expected a string (seen " + seen(s) + ")");
    if (!s.get_ref<const std::string&>().empty()) out.push_back(s.get<std::string>());
  }
  return out;
}

Result<std::vector<std::pair<int32_t, float>>> parse_logit_bias(const json& obj) {
  std::vector<std::pair<int32_t, float>> out;
  const json* v = member(obj, "logit_bias");
  if (!v) return out;
  if (!v->is_object()) return field_error("logit_bias", "expected an object of token id -> bias (seen " + seen(*v) + ")");
  if (v->size() > kMaxLogitBias) {
    return field_error("logit_bias", "too many entries (seen " + std::to_string(v->size()) + ", expected at most " +
                                         std::to_string(kMaxLogitBias) + ")");
  }
  for (auto it = v->begin(); it != v->end(); ++it) {
    const std::string& key = it.key();
    const std::string path = "logit_bias." + key;
    char* end = nullptr;
    const long long id = key.empty() || key.size() > 10 ? -1 : std::strtoll(key.c_str(), &end, 10);
    if (id < 0 || id > std::numeric_limits<int32_t>::max() || !end || *end != '\0' || !std::isdigit((unsigned char)key[0])) {
      return field_error("logit_bias", "key '" + key + "' is not a token id (expected a decimal integer)");
    }
    if (!it->is_number()) return field_error(path, "expected a number (seen " + seen(*it) + ")");
    const double b = it->get<double>();
    if (!std::isfinite(b) || b < -100.0 || b > 100.0) {
      return field_error(path, "out of range (seen " + fmt_number(b) + ", expected -100 to 100)");
    }
    out.emplace_back(int32_t(id), float(b));
  }
  return out;
}

Status parse_sampling(const json& obj, GenerationFields& g) {
  infer::SamplerParams& s = g.sampling;
  s.temperature = 1.0f;
  s.top_p = 1.0f;
  s.top_k = 0;
  s.min_p = 0.0f;
  s.repeat_penalty = 1.0f;
  ONDO_ASSIGN_OR_RETURN(auto temperature, opt_number(obj, "temperature", 0.0, 2.0));
  ONDO_ASSIGN_OR_RETURN(auto top_p, opt_number(obj, "top_p", 0.0, 1.0));
  ONDO_ASSIGN_OR_RETURN(auto presence, opt_number(obj, "presence_penalty", -2.0, 2.0));
  ONDO_ASSIGN_OR_RETURN(auto frequency, opt_number(obj, "frequency_penalty", -2.0, 2.0));
  ONDO_ASSIGN_OR_RETURN(auto min_p, opt_number(obj, "min_p", 0.0, 1.0));
  ONDO_ASSIGN_OR_RETURN(auto repeat_penalty, opt_number(obj, "repeat_penalty", 0.01, 10.0));
  ONDO_ASSIGN_OR_RETURN(auto top_k, opt_int(obj, "top_k", 0, 1 << 20));
  ONDO_ASSIGN_OR_RETURN(auto repeat_last_n, opt_int(obj, "repeat_last_n", 0, 1 << 16));
  ONDO_ASSIGN_OR_RETURN(auto seed, opt_int(obj, "seed", std::numeric_limits<int64_t>::min(),
                                           std::numeric_limits<int64_t>::max()));
  ONDO_ASSIGN_OR_RETURN(s.logit_bias, parse_logit_bias(obj));
  if (temperature) s.temperature = float(*temperature);
  if (top_p) s.top_p = float(*top_p);
  if (top_p && *top_p == 0.0) {  // OpenAI accepts 0: keep only the most likely token
    s.top_p = 1.0f;
    s.top_k = 1;
  }
  if (presence) s.presence_penalty = float(*presence);
  if (frequency) s.frequency_penalty = float(*frequency);
  if (min_p) s.min_p = float(*min_p);
  if (repeat_penalty) s.repeat_penalty = float(*repeat_penalty);
  if (top_k && s.top_k != 1) s.top_k = int32_t(*top_k);
  if (repeat_last_n) s.repeat_last_n = int32_t(*repeat_last_n);
  g.seed_given = seed.has_value();
  s.seed = seed ? uint64_t(*seed) : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  return infer::validate(s);
}

Status parse_max_tokens(const json& obj, GenerationFields& g) {
  ONDO_ASSIGN_OR_RETURN(auto mt, opt_int(obj, "max_tokens", 1, kMaxTokensLimit));
  ONDO_ASSIGN_OR_RETURN(auto mct, opt_int(obj, "max_completion_tokens", 1, kMaxTokensLimit));
  if (mct) g.max_tokens = int32_t(*mct);
  else if (mt) g.max_tokens = int32_t(*mt);
  return ok_status();
}

Status parse_n(const json& obj, GenerationFields& g) {
  ONDO_ASSIGN_OR_RETURN(auto n, opt_int(obj, "n", 1, kMaxChoices));
  g.n = int32_t(n.value_or(1));
  return ok_status();
}

// llama-server's "lora": [{"id": N | "name": S, "scale": F}, ...] (at most 16 entries).
Status parse_lora(const json& obj, GenerationFields& g) {
  const json* arr = member(obj, "lora");
  if (!arr) return ok_status();
  if (!arr->is_array()) return field_error("lora", "expected an array of {id or name, scale} (seen " + seen(*arr) + ")");
  if (arr->size() > 16) return field_error("lora", "at most 16 adapters (seen " + std::to_string(arr->size()) + ")");
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string path = "lora[" + std::to_string(i) + "]";
    const json& e = (*arr)[i];
    if (!e.is_object()) return field_error(path, "expected an object with id or name (seen " + seen(e) + ")");
    LoraChoice c;
    ONDO_ASSIGN_OR_RETURN(auto id, opt_int(e, "id", 0, int64_t(1) << 40, path + ".id"));
    const json* name = member(e, "name");
    if (name && (!name->is_string() || name->get<std::string>().empty())) {
      return field_error(path + ".name", "expected an adapter name (seen " + seen(*name) + ")");
    }
    if (id.has_value() == (name != nullptr)) return field_error(path, "give exactly one of id and name");
    c.id = id.value_or(-1);
    if (name) c.name = name->get<std::string>();
    if (const json* sc = member(e, "scale")) {
      if (!sc->is_number() || !std::isfinite(sc->get<double>()) || std::fabs(sc->get<double>()) > 1e6) {
        return field_error(path + ".scale", "expected a finite number (seen " + seen(*sc) + ")");
      }
      c.scale = float(sc->get<double>());
    }
    g.lora.push_back(std::move(c));
  }
  return ok_status();
}

Status parse_common(const json& obj, GenerationFields& g) {
  const json* model = member(obj, "model");
  if (!model) return field_error("model", "missing (expected the name of a served model)");
  if (!model->is_string()) return field_error("model", "expected a string (seen " + seen(*model) + ")");
  g.model = model->get<std::string>();
  ONDO_ASSIGN_OR_RETURN(auto stream, opt_bool(obj, "stream", "stream"));
  g.stream = stream.value_or(false);
  if (const json* so = member(obj, "stream_options")) {
    if (!so->is_object()) return field_error("stream_options", "expected an object (seen " + seen(*so) + ")");
    if (!g.stream) return field_error("stream_options", "allowed only when stream is true");
    ONDO_ASSIGN_OR_RETURN(auto iu, opt_bool(*so, "include_usage", "stream_options.include_usage"));
    g.include_usage = iu.value_or(false);
  }
  ONDO_TRY(parse_n(obj, g));
  ONDO_TRY(detail::parse_output_constraint(obj, g.constraint));
  ONDO_TRY(parse_max_tokens(obj, g));
  ONDO_ASSIGN_OR_RETURN(g.stop, parse_stop(obj));
  ONDO_ASSIGN_OR_RETURN(auto ignore_eos, opt_bool(obj, "ignore_eos", "ignore_eos"));
  g.ignore_eos = ignore_eos.value_or(false);
  if (const json* gr = member(obj, "guardrails")) {  // extension: a guardrail policy to apply as well
    if (!gr->is_string() || gr->get<std::string>().empty()) {
      return field_error("guardrails", "expected a policy name (seen " + seen(*gr) + ")");
    }
    g.guardrails = gr->get<std::string>();
  }
  ONDO_ASSIGN_OR_RETURN(auto cache, opt_bool(obj, "cache", "cache"));
  g.cache = cache.value_or(true);
  ONDO_TRY(parse_lora(obj, g));
  return parse_sampling(obj, g);
}

Result<json> parse_object(std::string_view body, JsonBudget& budget) {
  ONDO_ASSIGN_OR_RETURN(json j, parse_request_json(body, "", budget));
  if (!j.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object (seen " + seen(j) + ")");
  return j;
}

// A message's content as one string: a string, text parts joined, or null (""). Errors name
// fields relative to the message ("content", "content[0].type").
Result<std::string> message_content(const json& msg) {
  const json* c = member(msg, "content");
  if (!c) return std::string();
  if (c->is_string()) return c->get<std::string>();
  if (!c->is_array()) return field_error("content", "expected a string or an array of parts (seen " + seen(*c) + ")");
  std::string out;
  for (size_t i = 0; i < c->size(); ++i) {
    const json& part = (*c)[i];
    const std::string pp = "content[" + std::to_string(i) + "]";
    if (!part.is_object()) return field_error(pp, "expected an object (seen " + seen(part) + ")");
    const json* type = member(part, "type");
    if (!type || !type->is_string()) return field_error(pp + ".type", "expected a string");
    if (*type != "text") {
      return field_error(pp + ".type", "'" + type->get<std::string>() + "' parts are not supported (expected text)",
                         ErrorCode::Unsupported);
    }
    const json* text = member(part, "text");
    if (!text || !text->is_string()) return field_error(pp + ".text", "expected a string");
    out += text->get<std::string>();
  }
  return out;
}

Result<json> parse_messages(const json& obj, JsonBudget& budget) {
  const json* msgs = member(obj, "messages");
  if (!msgs) return field_error("messages", "missing (expected an array of messages)");
  if (!msgs->is_array()) return field_error("messages", "expected an array (seen " + seen(*msgs) + ")");
  if (msgs->empty()) return field_error("messages", "expected at least one message");
  json out = json::array();
  for (size_t i = 0; i < msgs->size(); ++i) {
    const json& m = (*msgs)[i];
    const std::string path = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return field_error(path, "expected an object (seen " + seen(m) + ")");
    const json* role = member(m, "role");
    if (!role) return field_error(path + ".role", "missing");
    if (!role->is_string()) return field_error(path + ".role", "expected a string (seen " + seen(*role) + ")");
    std::string r = role->get<std::string>();
    if (r == "developer") r = "system";
    if (r != "system" && r != "user" && r != "assistant" && r != "tool") {
      return field_error(path + ".role", "unknown role '" + r + "' (expected system, developer, user, assistant or tool)");
    }
    auto content = message_content(m);
    if (!content.ok()) return content.error().in_field(path);
    json copy = m;
    copy["role"] = r;
    copy["content"] = std::move(*content);
    if (r == "assistant") ONDO_TRY(detail::normalize_tool_calls(copy, path, budget));
    out.push_back(std::move(copy));
  }
  return out;
}

Result<std::vector<int32_t>> token_array(const json& arr, const std::string& path) {
  std::vector<int32_t> ids;
  ids.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    const json& t = arr[i];
    const std::string p = path + "[" + std::to_string(i) + "]";
    if (!t.is_number_integer()) return field_error(p, "expected a token id (seen " + seen(t) + ")");
    ONDO_ASSIGN_OR_RETURN(int64_t id, json_to_int(t, 0, INT32_MAX, p));
    ids.push_back(int32_t(id));
  }
  return ids;
}

// `prompt` as an array of strings or of token arrays: one prompt each, all of one kind.
Status parse_prompt_batch(const json& arr, CompletionRequest& r) {
  if (arr.size() > size_t(kMaxChoices)) {
    return field_error("prompt", "too many prompts (seen " + std::to_string(arr.size()) + ", at most " +
                                     std::to_string(kMaxChoices) + ")");
  }
  r.prompt_is_tokens = arr[0].is_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    const json& e = arr[i];
    const std::string path = "prompt[" + std::to_string(i) + "]";
    if (!r.prompt_is_tokens) {
      if (!e.is_string()) return field_error(path, "expected a string like prompt[0] (seen " + seen(e) + ")");
      (i == 0 ? r.prompt_text : r.more_prompt_texts.emplace_back()) = e.get<std::string>();
      continue;
    }
    if (!e.is_array()) return field_error(path, "expected an array of token ids like prompt[0] (seen " + seen(e) + ")");
    ONDO_ASSIGN_OR_RETURN(auto ids, token_array(e, path));
    if (ids.empty()) return field_error(path, "expected a non-empty array");
    (i == 0 ? r.prompt_tokens : r.more_prompt_tokens.emplace_back()) = std::move(ids);
  }
  return ok_status();
}

Status parse_prompt(const json& obj, CompletionRequest& r) {
  const json* p = member(obj, "prompt");
  if (!p) return field_error("prompt", "missing (expected a string or an array of token ids)");
  if (p->is_string()) {
    r.prompt_text = p->get<std::string>();
    return ok_status();
  }
  if (!p->is_array()) return field_error("prompt", "expected a string or an array of token ids (seen " + seen(*p) + ")");
  if (p->empty()) return field_error("prompt", "expected a non-empty array");
  const json& first = (*p)[0];
  if (first.is_string() || first.is_array()) return parse_prompt_batch(*p, r);
  r.prompt_is_tokens = true;
  ONDO_ASSIGN_OR_RETURN(r.prompt_tokens, token_array(*p, "prompt"));
  return ok_status();
}

Status parse_completion_extras(const json& obj, CompletionRequest& r) {
  ONDO_ASSIGN_OR_RETURN(auto lp, opt_int(obj, "logprobs", 0, kMaxLogprobs));
  if (lp) r.gen.n_logprobs = int32_t(*lp);
  ONDO_ASSIGN_OR_RETURN(auto echo, opt_bool(obj, "echo", "echo"));
  if (echo.value_or(false)) return field_error("echo", "echo is not supported", ErrorCode::Unsupported);
  ONDO_ASSIGN_OR_RETURN(auto best_of, opt_int(obj, "best_of", 1, 128));
  if (best_of && *best_of != 1) return field_error("best_of", "only best_of 1 is supported", ErrorCode::Unsupported);
  if (const json* s = member(obj, "suffix")) {
    if (!s->is_string() || !s->get_ref<const std::string&>().empty()) {
      return field_error("suffix", "suffix is not supported", ErrorCode::Unsupported);
    }
  }
  return ok_status();
}

}  // namespace

Result<ChatRequest> parse_chat_request(std::string_view body) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body, budget));
  ChatRequest r;
  ONDO_ASSIGN_OR_RETURN(r.messages, parse_messages(obj, budget));
  ONDO_TRY(parse_common(obj, r.gen));
  ONDO_ASSIGN_OR_RETURN(auto logprobs, opt_bool(obj, "logprobs", "logprobs"));
  ONDO_ASSIGN_OR_RETURN(auto top, opt_int(obj, "top_logprobs", 0, kMaxLogprobs));
  if (top && !logprobs.value_or(false)) return field_error("top_logprobs", "requires logprobs to be true");
  if (logprobs.value_or(false)) r.gen.n_logprobs = int32_t(top.value_or(0));
  ONDO_TRY(detail::parse_tools(obj, r));
  return r;
}

Result<CompletionRequest> parse_completion_request(std::string_view body) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body, budget));
  CompletionRequest r;
  ONDO_TRY(parse_prompt(obj, r));
  ONDO_TRY(parse_common(obj, r.gen));
  ONDO_TRY(parse_completion_extras(obj, r));
  const size_t n_prompts = 1 + (r.prompt_is_tokens ? r.more_prompt_tokens.size() : r.more_prompt_texts.size());
  if (n_prompts * size_t(r.gen.n) > size_t(kMaxChoices)) {
    return field_error("n", std::to_string(n_prompts) + " prompts x n " + std::to_string(r.gen.n) + " make " +
                                std::to_string(n_prompts * size_t(r.gen.n)) + " choices (at most " +
                                std::to_string(kMaxChoices) + " per request)");
  }
  return r;
}

}  // namespace ondo::serve
