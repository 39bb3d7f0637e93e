// Helpers shared by the route files: replies, model lookup, request checks against the
// model. Layer: serve.
#include <algorithm>

#include "ondo/serve/routes/adapters.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/sse.h"

namespace ondo::serve {

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(json_text(body), "application/json");
}

void send_error(httplib::Response& res, const ApiError& error, ErrorShape shape) {
  res.status = error.status;
  if (error.retry_after_s > 0) res.set_header("Retry-After", std::to_string(error.retry_after_s));
  res.set_content(error_body(error, shape), "application/json");
}

void send_error(httplib::Response& res, const Error& error, ErrorShape shape) {
  send_error(res, to_api_error(error), shape);
}

Result<const ServedModel*> lookup_model(const ServerState& state, const std::string& alias) {
  if (state.draining()) return make_error(ErrorCode::Unavailable, "server: shutting down");
  auto models = state.models();
  if (!models || !state.ready()) return make_error(ErrorCode::Unavailable, "server: models are still loading");
  const auto& record = current_request();
  const auto* allowed = record && record->allowed_models ? &*record->allowed_models : nullptr;
  for (const ServedModel& m : *models) {
    if (m.alias != alias) continue;
    if (allowed && std::find(allowed->begin(), allowed->end(), alias) == allowed->end()) {
      return field_error(ErrorCode::PermissionDenied, "model",
                         "'" + alias.substr(0, 200) + "' is not allowed for this API key (" + record->context.caller + ")");
    }
    return &m;
  }
  std::string names;
  for (const ServedModel& m : *models) names += (names.empty() ? "" : ", ") + m.alias;
  return field_error(ErrorCode::NotFound, "model", "'" + alias.substr(0, 200) + "' is not served here (served: " + names + ")");
}

Result<const ServedModel*> lookup_generator(const ServerState& state, const std::string& alias) {
  auto found = lookup_model(state, alias);
  if (!found.ok() && found.error().code == ErrorCode::NotFound) {
    // a LoRA adapter's name: its base model, the adapter noted for resolve_request_adapters()
    if (auto adapter = state.adapters().find(alias)) {
      found = lookup_model(state, adapter->base);
      if (found.ok() && current_request()) current_request()->context.adapter = adapter->name;
    } else if (!state.adapters().list().empty()) {
      Error e = found.error();
      std::string names;
      for (const AdapterEntry& a : state.adapters().list()) names += (names.empty() ? "" : ", ") + a.name;
      e.message.insert(e.message.size() - 1, "; adapters: " + names);
      return e;
    }
  }
  ONDO_ASSIGN_OR_RETURN(const ServedModel* m, std::move(found));
  if (m->kind != ModelKind::Generator || !m->scheduler) {
    return field_error(ErrorCode::InvalidArgument, "model",
                       "'" + m->alias + "' is an embedding model; it does not generate text (use a text generation model)");
  }
  return m;
}

Result<const ServedModel*> lookup_generator(ServerState& state, const std::string& alias) {
  if (Status st = load_fine_tuned_adapter(state, alias); !st.ok()) return st.error().in_field("model");
  return lookup_generator(static_cast<const ServerState&>(state), alias);
}

namespace {

Status check_prompt(const std::vector<int32_t>& prompt, const std::string& field, const PreparedRequest& p) {
  const int32_t n_vocab = p.model->tokenizer->n_vocab();
  const int32_t n_ctx = p.model->scheduler->options().n_ctx;
  constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
  if (prompt.empty()) return field_error(kBad, field, "the prompt has no tokens");
  for (size_t i = 0; i < prompt.size(); ++i) {
    if (prompt[i] >= n_vocab) {
      return field_error(kBad, field + "[" + std::to_string(i) + "]",
                         "token id " + std::to_string(prompt[i]) + " is out of range (vocabulary has " +
                             std::to_string(n_vocab) + " tokens)");
    }
  }
  const int64_t n_prompt = int64_t(prompt.size());
  if (n_prompt >= n_ctx) {
    return field_error(kBad, field,
                       "the prompt is " + std::to_string(n_prompt) + " tokens, longer than the context of " +
                           std::to_string(n_ctx) + " tokens per request (leave room for at least one generated token)");
  }
  if (p.fields.max_tokens && n_prompt + *p.fields.max_tokens > n_ctx) {
    return field_error(kBad, "max_tokens",
                       std::to_string(*p.fields.max_tokens) + " completion tokens plus " + std::to_string(n_prompt) +
                           " prompt tokens exceed the context of " + std::to_string(n_ctx) + " tokens per request");
  }
  return ok_status();
}

}  // namespace

Status prepare_generation(PreparedRequest& p, std::string_view prompt_field) {
  const std::string field(prompt_field);
  const int32_t n_vocab = p.model->tokenizer->n_vocab();
  const int32_t n_ctx = p.model->scheduler->options().n_ctx;
  const auto& prompt = p.request.prompt;
  constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
  const bool batch = !p.more_prompts.empty();
  ONDO_TRY(check_prompt(prompt, batch ? field + "[0]" : field, p));
  for (size_t i = 0; i < p.more_prompts.size(); ++i) {
    ONDO_TRY(check_prompt(p.more_prompts[i], field + "[" + std::to_string(i + 1) + "]", p));
  }
  const int64_t n_prompt = int64_t(prompt.size());
  for (const auto& [id, bias] : p.fields.sampling.logit_bias) {
    if (id >= n_vocab) {
      return field_error(kBad, "logit_bias",
                         "token id " + std::to_string(id) + " is out of range (vocabulary has " +
                             std::to_string(n_vocab) + " tokens)");
    }
  }
  p.request.max_tokens = p.fields.max_tokens ? *p.fields.max_tokens : int32_t(n_ctx - n_prompt);
  p.request.sampling = p.fields.sampling;
  p.request.sampling.top_k = std::min(p.request.sampling.top_k, n_vocab);
  p.request.ignore_eos = p.fields.ignore_eos;
  p.request.n_logprobs = p.fields.n_logprobs;
  return ok_status();
}

}  // namespace ondo::serve
