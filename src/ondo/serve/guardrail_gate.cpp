// Guardrails on the request path: policy lookup (with a cache of compiled policies), input
// checks, the output guard and decision records. Layer: serve.
#include "ondo/serve/guardrail_gate.h"

#include <ctime>
#include <cstdio>
#include <map>
#include <mutex>

#include "ondo/serve/server_state.h"
#include "ondo/store/store.h"

namespace ondo::serve {
namespace {

namespace gr = guardrails;

constexpr size_t kCacheEntries = 256;

// Compiled policies by stored body: the same body compiles to the same policy, so an entry
// never goes stale; a changed policy is a new body.
class PolicyCache {
 public:
  Result<std::shared_ptr<const gr::CompiledPolicy>> get(const store::GuardrailPolicy& row) {
    const std::string key = row.name + '\n' + row.body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    auto json = nlohmann::json::parse(row.body, nullptr, false);
    auto policy = gr::parse_policy(json);
    if (!policy.ok()) return policy.error().with_context("guardrail policy '" + row.name + "' in the store");
    auto compiled = gr::CompiledPolicy::compile(std::move(*policy));
    if (!compiled.ok()) return compiled.error().with_context("guardrail policy '" + row.name + "' in the store");
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kCacheEntries) cache_.clear();
    cache_[key] = *compiled;
    return *compiled;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const gr::CompiledPolicy>> cache_;  // guarded by mu_
};

PolicyCache& cache() {
  static PolicyCache c;
  return c;
}

std::string key_of(const std::string& caller) { return caller.rfind("key:", 0) == 0 ? caller.substr(4) : std::string(); }

bool has_input_rules(const gr::PolicySet& set) {
  for (const auto& p : set) {
    if (p->has_stage(gr::Stage::Input)) return true;
  }
  return false;
}

// Checks one input text; redacts it in place; returns a block as an error.
Status guard_text(const gr::PolicySet& policies, const text::Tokenizer& tok, std::string& text,
                  std::string_view field, std::vector<gr::Decision>& decisions) {
  const gr::TokenCounter count = [&tok](std::string_view t) -> int64_t {
    auto ids = tok.encode(t);
    return ids.ok() ? int64_t(ids->size()) : int64_t(t.size());
  };
  auto e = gr::evaluate(policies, text, gr::Stage::Input, count);
  if (!e.ok()) return field_error(ErrorCode::InvalidArgument, field, "guardrails: " + e.error().message);
  decisions.insert(decisions.end(), e->decisions.begin(), e->decisions.end());
  if (const gr::Decision* b = e->block()) return guardrail_error(*b, field);
  text = std::move(e->text);
  return ok_status();
}

// Records the decisions of the current request, then passes `st` on (a failed write wins
// over a pass: the request must not go on unrecorded).
Status finish_input(ServerState& state, const std::vector<gr::Decision>& decisions, Status st) {
  const auto& record = current_request();
  Status written = record_decisions(state, decisions, record ? record->context.id : "", record ? record->context.caller : "");
  if (!st.ok()) return st;
  return written;
}

}  // namespace

Error guardrail_error(const gr::Decision& d, std::string_view field) {
  Error e;
  e.code = ErrorCode::InvalidArgument;
  e.field = std::string(field);
  e.message = d.reason + ": the " + std::string(gr::stage_name(d.stage)) + " was blocked by guardrail policy '" +
              d.policy + "' (rule '" + d.rule + "')";
  return e;
}

Result<gr::PolicySet> request_policies(ServerState& state, const std::string& named, std::string_view prompt_name) {
  gr::PolicySet out;
  store::Store* st = state.options().store;
  if (!st) {
    if (!named.empty()) return field_error(ErrorCode::NotFound, "guardrails", "no guardrail policy '" + named.substr(0, 64) + "' (the server has no store)");
    return out;
  }
  const auto& record = current_request();
  const std::string key = record ? key_of(record->context.caller) : std::string();
  ONDO_ASSIGN_OR_RETURN(auto rows, st->guardrail_policies_for(key, prompt_name));
  if (!named.empty() && std::none_of(rows.begin(), rows.end(), [&](const auto& r) { return r.name == named; })) {
    ONDO_ASSIGN_OR_RETURN(auto row, st->find_guardrail_policy(named));
    if (!row) return field_error(ErrorCode::NotFound, "guardrails", "no guardrail policy '" + named.substr(0, 64) + "'");
    rows.push_back(std::move(*row));
  }
  for (const auto& row : rows) {
    ONDO_ASSIGN_OR_RETURN(auto compiled, cache().get(row));
    out.push_back(std::move(compiled));
  }
  return out;
}

Status guard_chat_input(ServerState& state, const gr::PolicySet& policies, const text::Tokenizer& tok, ChatRequest& chat) {
  if (!has_input_rules(policies)) return ok_status();
  std::vector<gr::Decision> decisions;
  Status st = ok_status();
  for (size_t i = 0; i < chat.messages.size() && st.ok(); ++i) {
    auto& msg = chat.messages[i];
    if (!msg.contains("content") || !msg["content"].is_string()) continue;
    std::string text = msg["content"].get<std::string>();
    st = guard_text(policies, tok, text, "messages[" + std::to_string(i) + "].content", decisions);
    if (st.ok()) msg["content"] = std::move(text);
  }
  return finish_input(state, decisions, std::move(st));
}

Status guard_completion_input(ServerState& state, const gr::PolicySet& policies, const text::Tokenizer& tok,
                              CompletionRequest& completion) {
  if (!has_input_rules(policies)) return ok_status();
  if (completion.prompt_is_tokens) {
    return field_error(ErrorCode::InvalidArgument, "prompt", "token ids cannot be checked by the input guardrails; send text");
  }
  std::vector<gr::Decision> decisions;
  Status st = guard_text(policies, tok, completion.prompt_text, "prompt", decisions);
  for (size_t i = 0; i < completion.more_prompt_texts.size() && st.ok(); ++i) {
    st = guard_text(policies, tok, completion.more_prompt_texts[i], "prompt[" + std::to_string(i + 1) + "]", decisions);
  }
  return finish_input(state, decisions, std::move(st));
}

Status record_decisions(ServerState& state, const std::vector<gr::Decision>& decisions, const std::string& request_id,
                        const std::string& caller) {
  store::Store* st = state.options().store;
  if (decisions.empty() || !st) return ok_status();
  const int64_t now = int64_t(std::time(nullptr));
  std::vector<store::GuardrailDecision> rows;
  for (const gr::Decision& d : decisions) {
    rows.push_back({0, now, request_id, key_of(caller), d.policy, d.rule, d.reason, std::string(gr::stage_name(d.stage)),
                    std::string(gr::action_name(d.action)), int64_t(d.span.begin), int64_t(d.span.end)});
  }
  return st->insert_guardrail_decisions(rows);
}

OutputGuard::OutputGuard(const gr::PolicySet& policies, size_t n_choices) {
  for (const auto& p : policies) {
    if (p->has_stage(gr::Stage::Output)) policies_.push_back(p);
  }
  if (policies_.empty()) return;
  for (size_t i = 0; i < n_choices; ++i) filters_.emplace_back(policies_);
}

std::optional<Error> OutputGuard::filter(size_t choice, std::string& text, bool last) {
  if (!active() || choice >= filters_.size()) return std::nullopt;
  gr::StreamFilter& f = filters_[choice];
  auto step = f.feed(text);
  std::string out;
  if (step.ok()) {
    out = std::move(step->text);
    decisions_.insert(decisions_.end(), step->decisions.begin(), step->decisions.end());
    if (step->block) return guardrail_error(*step->block, "");
  }
  if (step.ok() && last) {
    step = f.finish();
    if (step.ok()) {
      out += step->text;
      decisions_.insert(decisions_.end(), step->decisions.begin(), step->decisions.end());
      if (step->block) return guardrail_error(*step->block, "");
    }
  }
  if (!step.ok()) return make_error(ErrorCode::Internal, "output guardrails: " + step.error().message);
  text = std::move(out);
  return std::nullopt;
}

std::optional<Error> OutputGuard::check(std::string& text) {
  if (!active()) return std::nullopt;
  auto e = gr::evaluate(policies_, text, gr::Stage::Output);
  if (!e.ok()) return make_error(ErrorCode::Internal, "output guardrails: " + e.error().message);
  decisions_.insert(decisions_.end(), e->decisions.begin(), e->decisions.end());
  if (const gr::Decision* b = e->block()) return guardrail_error(*b, "");
  text = std::move(e->text);
  return std::nullopt;
}

}  // namespace ondo::serve
