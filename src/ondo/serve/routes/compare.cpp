// POST /v1/compare: one chat request answered by several models side by side (compare.h).
// Layer: serve (routes).
#include "ondo/serve/routes/compare.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

#include "ondo/serve/guardrail_gate.h"
#include "ondo/serve/http_guard.h"
#include "ondo/serve/json_limits.h"
#include "ondo/serve/limits.h"
#include "ondo/serve/routes/adapters.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

constexpr size_t kMinModels = 2, kMaxModels = 4;

// Fields a compare row cannot honour, with what to do instead.
struct Refused {
  const char* field;
  const char* why;
};
constexpr Refused kRefused[] = {
    {"model", "not used by /v1/compare (name the models to compare in \"models\")"},
    {"stream", "not available on /v1/compare (the rows are answered together; use /v1/chat/completions to stream)"},
    {"tools", "not available on /v1/compare (use /v1/chat/completions for tool calls)"},
    {"logprobs", "not available on /v1/compare (use /v1/chat/completions)"},
    {"prompt", "registry prompts are not available on /v1/compare (send the messages)"},
    {"rag", "not available on /v1/compare (use /v1/chat/completions)"},
};

// One model's row: its prepared request, then its handle and answer.
struct Row {
  std::string id;  // as the request named it
  PreparedRequest prep;
  std::string adapter_label;  // resolve_request_adapters' label for the access log
  std::shared_ptr<infer::RequestHandle> handle;
  std::optional<ChoiceBuilder> builder;
  std::string text;
  Clock::time_point submitted, finished;
  bool done = false;
};

Status check_body(const json& body) {
  for (const Refused& r : kRefused) {
    auto it = body.find(r.field);
    if (it == body.end() || it->is_null() || *it == false) continue;
    return field_error(ErrorCode::InvalidArgument, r.field, r.why);
  }
  if (auto n = body.find("n"); n != body.end() && !n->is_null() && *n != 1) {
    return field_error(ErrorCode::InvalidArgument, "n", "/v1/compare answers with one choice per model (seen " +
                                                            n->dump().substr(0, 40) + ")");
  }
  auto models = body.find("models");
  if (models == body.end() || models->is_null()) {
    return field_error(ErrorCode::InvalidArgument, "models", "missing (2 to 4 model, adapter or fine-tuned model ids)");
  }
  if (!models->is_array() || models->size() < kMinModels || models->size() > kMaxModels) {
    const std::string seen = models->is_array() ? std::to_string(models->size()) + " ids" : std::string(models->type_name());
    return field_error(ErrorCode::InvalidArgument, "models", "expected an array of 2 to 4 model ids (seen " + seen + ")");
  }
  for (size_t i = 0; i < models->size(); ++i) {
    const json& m = (*models)[i];
    if (!m.is_string() || m.get_ref<const std::string&>().empty()) {
      return field_error(ErrorCode::InvalidArgument, "models[" + std::to_string(i) + "]",
                         "expected a model, adapter or fine-tuned model id (seen " + m.dump().substr(0, 80) + ")");
    }
  }
  return ok_status();
}

// An error of the chat field "model" as one of row i's: "models[i]".
Error in_row(Error e, size_t i) {
  if (e.field != "model") return e;
  const std::string row = "models[" + std::to_string(i) + "]";
  if (e.message.rfind("model: ", 0) == 0) e.message = row + ": " + e.message.substr(7);
  e.field = row;
  return e;
}

// Row i prepared as the chat completion `body` with "model": id would be.
Result<Row> prepare_row(ServerState& state, const json& body, const std::string& id, size_t i) {
  json chat = body;
  chat.erase("models");
  chat["model"] = id;
  auto parsed = parse_chat_request(chat.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!parsed.ok()) return in_row(parsed.error(), i);
  const auto& record = current_request();
  if (record) record->context.adapter.clear();  // lookup_generator notes the adapter "model" names
  auto p = prepare_chat(state, std::move(*parsed));
  if (!p.ok()) return in_row(p.error(), i);
  Row row;
  row.id = id;
  row.prep = std::move(*p);
  if (Status st = resolve_request_adapters(state, row.prep); !st.ok()) return in_row(st.error(), i);
  if (record) row.adapter_label = record->context.adapter;
  row.builder.emplace(*row.prep.model->tokenizer, row.prep.fields.stop, false);
  return row;
}

// What the rows reserve against the caller's limits: each prompt and max_tokens.
void reserved(const ServerState& state, const std::vector<Row>& rows, int64_t& tokens, int64_t& nano_usd) {
  const auto& prices = state.options().prices;
  for (const Row& r : rows) {
    const int64_t prompt = int64_t(r.prep.request.prompt.size()), completion = r.prep.request.max_tokens;
    tokens += prompt + completion;
    if (prices) nano_usd += cost_nano_usd(prices->of(r.prep.model->alias), prompt, 0, completion);
  }
}

// Consumes one event of `row`; an error ends the whole comparison.
std::optional<Error> on_event(Row& row, const infer::TokenEvent& ev) {
  ChoiceBuilder& b = *row.builder;
  row.text += b.on_event(ev).text;
  if (b.stop_hit()) row.handle->cancel();
  if (ev.finish == infer::FinishReason::Error) return make_error(ErrorCode::Internal, "generation: " + b.error());
  if (ev.finish == infer::FinishReason::Cancelled && !b.stop_hit()) {
    return make_error(ErrorCode::Unavailable, "generation: cancelled (the server is shutting down)");
  }
  if (b.finished()) {
    row.done = true;
    row.finished = Clock::now();
  }
  return std::nullopt;
}

// Reads every row to its end, as the events come (so each row's latency is its own).
std::optional<Error> collect(std::vector<Row>& rows, Clock::time_point deadline) {
  constexpr int kWaitMs = 2;
  for (;;) {
    bool any = false, all_done = true;
    for (Row& r : rows) {
      while (!r.done) {
        auto ev = r.handle->next(0);
        if (!ev) break;
        any = true;
        if (auto err = on_event(r, *ev)) return err;
      }
      all_done = all_done && r.done;
    }
    if (all_done) return std::nullopt;
    if (Clock::now() >= deadline) return make_error(ErrorCode::Cancelled, "request: timed out before generation finished");
    if (client_gone()) return make_error(ErrorCode::Cancelled, "request: the client went away");
    if (any) continue;
    for (Row& r : rows) {  // nothing ready: wait a little on the first row still running
      if (r.done) continue;
      if (auto ev = r.handle->next(kWaitMs)) {
        if (auto err = on_event(r, *ev)) return err;
      }
      break;
    }
  }
}

void cancel_all(std::vector<Row>& rows) {
  for (Row& r : rows) {
    if (r.handle && !r.done) r.handle->cancel();
  }
}

// Queues every row before any is read, so rows on one base run in one batch.
Status submit_rows(std::vector<Row>& rows, const RequestRecord* record) {
  for (Row& r : rows) {
    infer::RequestContext ctx = record ? record->context : infer::RequestContext{};
    ctx.model = r.prep.model->alias;
    ctx.adapter = r.adapter_label;
    r.prep.request.context = std::make_shared<const infer::RequestContext>(std::move(ctx));
    r.submitted = Clock::now();
    auto h = r.prep.model->scheduler->submit(r.prep.request);
    if (!h.ok()) {
      cancel_all(rows);
      return h.error();
    }
    r.handle = std::move(*h);
  }
  return ok_status();
}

// Output guardrails on each whole answer (answers may be redacted); the decisions recorded.
std::optional<Error> check_output(ServerState& state, std::vector<Row>& rows, const RequestRecord* record) {
  std::optional<Error> err;
  std::vector<guardrails::Decision> decisions;
  for (size_t i = 0; i < rows.size() && !err; ++i) {
    OutputGuard out(rows[i].prep.guardrails, 1);
    err = out.check(rows[i].text);
    decisions.insert(decisions.end(), out.decisions().begin(), out.decisions().end());
  }
  if (record && !decisions.empty()) {
    if (Status st = record_decisions(state, decisions, record->context.id, record->context.caller); !st.ok()) {
      std::fprintf(stderr, "ondo serve: %s: output guardrail decisions not recorded: %s\n", record->context.id.c_str(),
                   st.error().message.c_str());
    }
  }
  return err;
}

// The request's record for the access log, metrics and usage hook: the rows' summed counts,
// the first row's times and finish.
void account(RequestRecord& record, const std::vector<Row>& rows, const std::string& ended) {
  record.generated = true;
  record.streamed = false;
  std::string adapters;
  for (const Row& r : rows) {
    record.prompt_tokens += int32_t(r.prep.request.prompt.size());
    record.completion_tokens += r.builder->completion_tokens();
    if (r.handle) record.cached_tokens += r.handle->timing().cached_prompt_tokens;
    if (!r.adapter_label.empty()) adapters += (adapters.empty() ? "" : ",") + r.adapter_label;
  }
  record.context.adapter = adapters;
  if (rows[0].handle) {
    const infer::RequestTiming t = rows[0].handle->timing();
    record.queue_s = t.queue_seconds;
    record.first_token_s = rows[0].builder->completion_tokens() > 0 ? t.first_token_seconds : -1.0;
  }
  record.finish_reason = !ended.empty() ? ended : rows[0].done ? rows[0].builder->finish_reason() : "error";
}

nlohmann::json row_json(const Row& r) {
  const int32_t prompt = int32_t(r.prep.request.prompt.size()), completion = r.builder->completion_tokens();
  const double ms = std::chrono::duration<double, std::milli>(r.finished - r.submitted).count();
  return {{"model", r.id},
          {"message", {{"role", "assistant"}, {"content", r.text}}},
          {"finish_reason", r.builder->finish_reason()},
          {"usage", {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}}},
          {"latency_ms", std::llround(ms)}};
}

}  // namespace

void handle_compare(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  JsonBudget budget;
  auto parsed = parse_request_json(req.body, "", budget);
  if (!parsed.ok()) return send_error(res, parsed.error());
  json body = std::move(*parsed);
  if (!body.is_object()) {
    return send_error(res, make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object"));
  }
  if (Status st = check_body(body); !st.ok()) return send_error(res, st.error());
  if (!body.contains("seed") || body["seed"].is_null()) {  // one drawn seed for every row
    body["seed"] = int64_t(std::random_device{}() & 0x7fffffff);
  }
  std::vector<Row> rows;
  const json& models = body["models"];
  for (size_t i = 0; i < models.size(); ++i) {
    auto row = prepare_row(state, body, models[i].get<std::string>(), i);
    if (!row.ok()) return send_error(res, row.error());
    rows.push_back(std::move(*row));
  }
  const auto& record = current_request();
  int64_t tokens = 0, nano_usd = 0;
  reserved(state, rows, tokens, nano_usd);
  if (record && !admit_limits(state, *record, tokens, nano_usd, res)) return;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(state.options().request_timeout_s);
  if (Status st = submit_rows(rows, record.get()); !st.ok()) {
    if (record) account(*record, rows, "error");
    return send_error(res, st.error());
  }
  std::optional<Error> err = collect(rows, deadline);
  if (!err) err = check_output(state, rows, record.get());
  if (err) {
    cancel_all(rows);
    const std::string ended = err->code == ErrorCode::Cancelled ? (client_gone() ? "disconnected" : "timeout") : "error";
    if (record) account(*record, rows, ended);
    return send_error(res, *err);
  }
  if (record) account(*record, rows, "");
  nlohmann::json results = nlohmann::json::array();
  for (const Row& r : rows) results.push_back(row_json(r));
  send_json(res, 200, {{"object", "compare"},
                       {"id", "cmp-" + (record ? record->context.id : new_request_id())},
                       {"created", int64_t(std::time(nullptr))},
                       {"seed", body["seed"].get<int64_t>()},
                       {"results", std::move(results)}});
}

}  // namespace ondo::serve
