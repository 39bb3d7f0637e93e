// llama-server's utility routes: POST /tokenize, /detokenize, /apply-template and GET /props,
// /slots, in llama-server's shapes (tools/server/README.md of llama.cpp). A body's optional
// "model" (GET: ?model=) picks one of several served models; without it the first is used.
// Layer: serve. Runs no model code: tokenizer and chat template only.
#include "ondo/core/version.h"
#include "ondo/serve/routes/routes.h"

#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/serve/json_limits.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// `e` as an error of the request field `field`, its message unchanged.
Error of_field(Error e, const char* field) {
  e.field = field;
  return e;
}

void note_model(const ServedModel& m) {
  if (const auto& record = current_request()) record->context.model = m.alias;
}

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = (unsigned char)s[i];
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) n = 0, cp = c;
    else if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
    else return false;
    if (i + n >= s.size() && n > 0) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto d = (unsigned char)s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// The request body as a JSON object.
Result<ordered_json> body_object(const httplib::Request& req) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(ordered_json body, parse_request_json(req.body, "", budget));
  if (!body.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object");
  return body;
}

// The served model named `alias`, or the first one when `alias` is empty.
Result<const ServedModel*> pick_model(const ServerState& state, const std::string& alias) {
  if (!alias.empty()) {
    ONDO_ASSIGN_OR_RETURN(const ServedModel* m, lookup_model(state, alias));
    note_model(*m);
    return m;
  }
  auto models = state.models();
  if (!state.draining() && models && state.ready() && !models->empty()) {
    note_model(models->front());
    return &models->front();
  }
  return lookup_model(state, "");  // the loading / draining error
}

// The body's "model" (optional string).
Result<std::string> model_field(const ordered_json& body) {
  auto it = body.find("model");
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return field_error(ErrorCode::InvalidArgument, "model", "expected a string");
  return it->get<std::string>();
}

Result<bool> bool_field(const ordered_json& body, const char* key, bool fallback) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return field_error(ErrorCode::InvalidArgument, key, "expected true or false");
  return it->get<bool>();
}

// A token's piece: a string when it is valid UTF-8, else its bytes (as llama-server does).
json piece_json(const std::string& piece) {
  if (valid_utf8(piece)) return piece;
  json bytes = json::array();
  for (char c : piece) bytes.push_back(int((unsigned char)c));
  return bytes;
}

Result<json> tokenize(const ServerState& state, const httplib::Request& req) {
  ONDO_ASSIGN_OR_RETURN(ordered_json body, body_object(req));
  auto content = body.find("content");
  if (content == body.end() || content->is_null()) {
    return field_error(ErrorCode::InvalidArgument, "content", "missing (expected the text to tokenize)");
  }
  if (!content->is_string()) return field_error(ErrorCode::InvalidArgument, "content", "expected a string");
  text::EncodeOptions opts;
  ONDO_ASSIGN_OR_RETURN(opts.add_special, bool_field(body, "add_special", false));
  ONDO_ASSIGN_OR_RETURN(opts.parse_special, bool_field(body, "parse_special", true));
  ONDO_ASSIGN_OR_RETURN(const bool with_pieces, bool_field(body, "with_pieces", false));
  ONDO_ASSIGN_OR_RETURN(const std::string alias, model_field(body));
  ONDO_ASSIGN_OR_RETURN(const ServedModel* model, pick_model(state, alias));
  auto ids = model->tokenizer->encode(content->get<std::string>(), opts);
  if (!ids.ok()) return of_field(ids.error(), "content");
  json tokens = json::array();
  for (int32_t id : *ids) {
    if (with_pieces) tokens.push_back({{"id", id}, {"piece", piece_json(model->tokenizer->piece(id, true))}});
    else tokens.push_back(id);
  }
  return json{{"tokens", std::move(tokens)}};
}

Result<json> detokenize(const ServerState& state, const httplib::Request& req) {
  ONDO_ASSIGN_OR_RETURN(ordered_json body, body_object(req));
  ONDO_ASSIGN_OR_RETURN(const std::string alias, model_field(body));
  ONDO_ASSIGN_OR_RETURN(const ServedModel* model, pick_model(state, alias));
  std::vector<int32_t> ids;
  auto tokens = body.find("tokens");
  if (tokens != body.end() && !tokens->is_null()) {
    if (!tokens->is_array()) return field_error(ErrorCode::InvalidArgument, "tokens", "expected an array of token ids");
    const int32_t n_vocab = model->tokenizer->n_vocab();
    for (size_t i = 0; i < tokens->size(); ++i) {
      ONDO_ASSIGN_OR_RETURN(int64_t id, json_to_int((*tokens)[i], 0, n_vocab - 1, "tokens[" + std::to_string(i) + "]"));
      ids.push_back(int32_t(id));
    }
  }
  return json{{"content", model->tokenizer->decode(ids, true)}};
}

Result<json> apply_template(ServerState& state, const httplib::Request& req) {
  ONDO_ASSIGN_OR_RETURN(ordered_json body, body_object(req));
  ONDO_ASSIGN_OR_RETURN(const std::string alias, model_field(body));
  ONDO_ASSIGN_OR_RETURN(const ServedModel* model, pick_model(state, alias));
  // The body is a chat completion request (model optional): the same parser checks it.
  body["model"] = model->alias;
  ONDO_ASSIGN_OR_RETURN(ChatRequest chat, parse_chat_request(body.dump()));
  if (!model->chat_template) {
    return field_error(ErrorCode::InvalidArgument, "model", "'" + model->alias + "' has no chat template");
  }
  auto prompt = infer::build_chat_prompt(*model->chat_template, *model->tokenizer, chat.messages, chat.tools, true);
  if (!prompt.ok()) return of_field(prompt.error(), "messages");
  return json{{"prompt", std::move(prompt->text)}};
}

// The settings a request gets for fields it does not send (from the chat request parser).
json default_settings(const ServedModel& m) {
  const auto defaults = parse_chat_request(R"({"model":"m","messages":[{"role":"user","content":"x"}]})");
  const infer::SamplerParams s = defaults.ok() ? defaults->gen.sampling : infer::SamplerParams{};
  const int32_t n_ctx = m.scheduler ? m.scheduler->options().n_ctx : 0;
  json params = {{"n_predict", -1},
                 {"max_tokens", -1},
                 {"temperature", s.temperature},
                 {"top_k", s.top_k},
                 {"top_p", s.top_p},
                 {"min_p", s.min_p},
                 {"repeat_penalty", s.repeat_penalty},
                 {"repeat_last_n", s.repeat_last_n},
                 {"presence_penalty", s.presence_penalty},
                 {"frequency_penalty", s.frequency_penalty},
                 {"stop", json::array()},
                 {"ignore_eos", false},
                 {"stream", false},
                 {"n_probs", 0}};
  return {{"id", 0}, {"id_task", -1}, {"n_ctx", n_ctx}, {"speculative", false}, {"is_processing", false},
          {"params", std::move(params)}};
}

}  // namespace

void handle_tokenize(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto out = tokenize(state, req);
  if (!out.ok()) return send_error(res, out.error());
  send_json(res, 200, *out);
}

void handle_detokenize(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto out = detokenize(state, req);
  if (!out.ok()) return send_error(res, out.error());
  send_json(res, 200, *out);
}

void handle_apply_template(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto out = apply_template(state, req);
  if (!out.ok()) return send_error(res, out.error());
  send_json(res, 200, *out);
}

void handle_props(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto model = pick_model(state, req.get_param_value("model"));
  if (!model.ok()) return send_error(res, model.error());
  const ServedModel& m = **model;
  const int32_t slots = m.scheduler ? m.scheduler->options().n_parallel : 0;
  json body = {{"default_generation_settings", default_settings(m)},
               {"total_slots", slots},
               {"model_path", m.path},
               {"model_alias", m.alias},
               {"chat_template", m.chat_template ? m.chat_template->source() : std::string()},
               {"chat_template_name", m.chat_template ? m.chat_template->name() : std::string()},
               {"modalities", {{"vision", false}, {"audio", false}}},
               {"build_info", std::string("ondo ") + ondo_version() + " (" __VERSION__ ")"},
               {"is_sleeping", false}};
  send_json(res, 200, body);
}

void handle_slots(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  const std::string alias = req.get_param_value("model");
  std::vector<const ServedModel*> chosen;
  if (!alias.empty()) {
    auto m = lookup_model(state, alias);
    if (!m.ok()) return send_error(res, m.error());
    chosen.push_back(*m);
  } else {
    auto first = pick_model(state, "");  // readiness and draining
    if (!first.ok()) return send_error(res, first.error());
    for (const ServedModel& m : *state.models()) chosen.push_back(&m);
  }
  json slots = json::array();
  bool any_free = false;
  for (const ServedModel* m : chosen) {
    if (!m->scheduler) continue;
    const infer::SchedulerStats stats = m->scheduler->stats();
    const int32_t n = m->scheduler->options().n_parallel;
    // The scheduler reports how many slots run, not which: the first `running` show busy.
    for (int32_t i = 0; i < n; ++i) {
      const bool busy = i < stats.running;
      any_free = any_free || !busy;
      slots.push_back({{"id", i},
                       {"model", m->alias},
                       {"n_ctx", m->scheduler->options().n_ctx},
                       {"speculative", false},
                       {"is_processing", busy},
                       {"model_running", stats.running},
                       {"model_waiting", stats.waiting}});
    }
  }
  if (req.get_param_value("fail_on_no_slot") == "1" && !any_free) {
    return send_error(res, make_error(ErrorCode::Unavailable, "slots: no slot is free"));
  }
  send_json(res, 200, slots);
}

}  // namespace ondo::serve
