// run_eval(): loads each target's model, runs every row through the chat template (or raw),
// generates, scores. Rows run one after another on one session per target. Layer: eval.
#include "ondo/eval/run_eval.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/infer/generate.h"
#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/json_schema.h"
#include "ondo/infer/session.h"
#include "ondo/model/model.h"
#include "ondo/text/tokenizer.h"

namespace ondo::eval {
namespace {

using ojson = nlohmann::ordered_json;

const char* stop_name(infer::StopReason r) {
  switch (r) {
    case infer::StopReason::Length: return "length";
    case infer::StopReason::EndOfGeneration: return "eos";
    case infer::StopReason::ContextFull: return "context";
    case infer::StopReason::Callback: return "cancelled";
    case infer::StopReason::GrammarComplete: return "grammar";
  }
  return "length";
}

ojson params_json(const EvalTarget& t) {
  const auto& s = t.params.sampling;
  ojson p = {{"temperature", s.temperature}, {"top_k", s.top_k}, {"top_p", s.top_p}, {"min_p", s.min_p},
             {"seed", s.seed}, {"max_tokens", t.params.max_tokens}};
  if (!t.params.response_schema.is_null()) p["response_schema"] = t.params.response_schema;
  if (t.params.json_object) p["response_format"] = "json_object";
  if (t.raw) p["raw"] = true;
  return p;
}

std::string default_label(const EvalTarget& t) {
  std::string l = std::filesystem::path(t.model_path).filename().string();
  if (!t.adapter_path.empty()) l += "+" + std::filesystem::path(t.adapter_path).filename().string();
  if (!t.prompt_ref.empty()) l += " " + t.prompt_ref;
  return l;
}

// Everything a target needs to run rows.
struct Runner {
  const EvalTarget& target;
  std::unique_ptr<model::Model> model;
  std::unique_ptr<text::Tokenizer> tokenizer;
  std::unique_ptr<infer::Session> session;
  std::optional<infer::SelectedTemplate> tmpl;
  std::shared_ptr<const infer::grammar::Grammar> grammar;
};

Result<std::unique_ptr<Runner>> open_target(const EvalTarget& t, const EvalOptions& o, TargetResult& res) {
  if (!t.adapter_path.empty()) {
    return make_error(ErrorCode::Unsupported, t.adapter_path + ": LoRA adapters are not supported by eval yet");
  }
  auto r = std::make_unique<Runner>(Runner{t, nullptr, nullptr, nullptr, std::nullopt, nullptr});
  {
    const core::ComputePool::Lease lease = o.pool->acquire(core::Priority::Background);
    model::LoadOptions lo;
    lo.pool = &lease.pool();
    ONDO_ASSIGN_OR_RETURN(r->model, model::Model::load(t.model_path, lo));
  }
  if (r->model->kind() != model::ModelKind::Generate) {
    return make_error(ErrorCode::InvalidArgument, t.model_path + ": not a generative model");
  }
  auto tok = text::Tokenizer::from_gguf(r->model->file());
  if (!tok.ok()) return tok.error().with_context(t.model_path);
  r->tokenizer = std::move(tok).value();
  ONDO_ASSIGN_OR_RETURN(r->session, infer::Session::create(*r->model, *o.pool, {o.n_ctx, 512}));
  if (!t.raw) {
    auto s = infer::select_chat_template(r->model->file(), t.chat_template);
    if (!s.ok()) return s.error().with_context(t.model_path);
    if (!s->warning.empty()) res.warnings.push_back(s->warning);
    r->tmpl = std::move(s).value();
  }
  if (!t.params.response_schema.is_null()) {
    auto g = infer::grammar::compile_json_schema(t.params.response_schema);
    if (!g.ok()) return g.error().with_context("response schema");
    r->grammar = std::move(g).value();
  } else if (t.params.json_object) {
    r->grammar = infer::grammar::json_object_grammar();
  }
  return r;
}

// Rows the target cannot run at all (checked before any model work).
Status check_rows(const Dataset& d, const EvalTarget& t, const std::string& label) {
  for (const Row& row : d.rows) {
    const std::string at = d.name + ": line " + std::to_string(row.line) + ": ";
    if (!row.input.is_null() && !t.prompt) {
      return make_error(ErrorCode::InvalidArgument,
                        at + "the row gives `input` variables, but target '" + label + "' has no registry prompt to render them");
    }
    if (t.raw && (!row.prompt || t.prompt)) {
      return make_error(ErrorCode::InvalidArgument, at + "a raw target takes rows with `prompt` only, and no registry prompt");
    }
  }
  return ok_status();
}

// The row's prompt tokens for this target.
Result<std::vector<int32_t>> row_tokens(Runner& r, const Row& row) {
  const EvalTarget& t = r.target;
  if (t.raw) return r.tokenizer->encode(*row.prompt);
  ojson messages = ojson::array();
  if (t.prompt) {
    ONDO_ASSIGN_OR_RETURN(messages, t.prompt(row.input.is_null() ? ojson::object() : row.input));
  }
  if (row.prompt) messages.push_back({{"role", "user"}, {"content", *row.prompt}});
  for (const auto& m : row.messages.is_array() ? row.messages : ojson::array()) messages.push_back(m);
  ONDO_ASSIGN_OR_RETURN(auto p, infer::build_chat_prompt(r.tmpl->tmpl, *r.tokenizer, messages, nullptr, true));
  return p.tokens;
}

RowResult run_row(Runner& r, const Row& row, size_t index, const EvalOptions& o) {
  RowResult res;
  res.line = row.line;
  res.id = row.id;
  const auto t0 = std::chrono::steady_clock::now();
  auto ids = row_tokens(r, row);
  if (ids.ok()) {
    r.session->reset();
    infer::GenerateOptions g;
    g.n_predict = r.target.params.max_tokens;
    g.sampling = r.target.params.sampling;
    g.sampling.seed += index;
    g.grammar = r.grammar;
    auto stats = infer::generate(*r.session, *r.tokenizer, *ids, g, [&](int32_t, std::string_view piece) {
      res.output.append(piece);
      return !(o.cancel && o.cancel->load(std::memory_order_relaxed));
    });
    if (stats.ok()) {
      res.n_prompt = stats->n_prompt;
      res.n_generated = stats->n_generated;
      res.tokens_per_s = stats->generate_seconds > 0 ? stats->n_generated / stats->generate_seconds : 0.0;
      res.stop = stop_name(stats->stop);
    } else {
      res.error = stats.error().message;
    }
  } else {
    res.error = ids.error().message;
  }
  res.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!res.error.empty()) {
    res.output.clear();
    res.stop = "error";
  }
  RowScore s = score_output(row, res.output);
  res.metrics = std::move(s.metrics);
  res.notes = std::move(s.notes);
  return res;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

void summarize(TargetResult& t) {
  t.metrics.clear();
  t.n_errors = 0;
  t.n_generated = 0;
  double gen_seconds = 0, lat_sum = 0;
  std::vector<double> lat;
  for (const RowResult& r : t.rows) {
    t.n_errors += !r.error.empty();
    t.n_generated += r.n_generated;
    if (r.tokens_per_s > 0) gen_seconds += r.n_generated / r.tokens_per_s;
    lat.push_back(r.latency_ms);
    lat_sum += r.latency_ms;
    for (const Metric& m : r.metrics) {
      auto it = std::find_if(t.metrics.begin(), t.metrics.end(), [&](const MetricSummary& s) { return s.name == m.name; });
      if (it == t.metrics.end()) it = t.metrics.insert(t.metrics.end(), MetricSummary{m.name, 0.0, 0});
      it->mean += m.value;
      ++it->n;
    }
  }
  for (MetricSummary& s : t.metrics) s.mean /= double(s.n);
  t.latency_ms_mean = lat.empty() ? 0.0 : lat_sum / double(lat.size());
  t.latency_ms_p50 = percentile(lat, 0.5);
  t.latency_ms_p95 = percentile(lat, 0.95);
  t.tokens_per_s = gen_seconds > 0 ? double(t.n_generated) / gen_seconds : 0.0;
}

Result<EvalSummary> run_eval(const EvalOptions& o, const ProgressFn& progress) {
  if (!o.pool) return make_error(ErrorCode::InvalidArgument, "eval: no compute pool given");
  if (o.targets.empty()) return make_error(ErrorCode::InvalidArgument, "eval: no target (give at least one model)");
  std::shared_ptr<const Dataset> data = o.dataset;
  if (!data) {
    ONDO_ASSIGN_OR_RETURN(Dataset d, load_dataset(o.dataset_path));
    data = std::make_shared<const Dataset>(std::move(d));
  }
  EvalSummary sum;
  sum.dataset = data->name;
  sum.n_rows = data->rows.size();
  for (size_t ti = 0; ti < o.targets.size(); ++ti) {
    const EvalTarget& t = o.targets[ti];
    if (t.params.max_tokens < 0) return make_error(ErrorCode::InvalidArgument, "eval: max_tokens must be 0 or more");
    ONDO_TRY(infer::validate(t.params.sampling));
    TargetResult res;
    res.label = t.label.empty() ? default_label(t) : t.label;
    res.model = t.model_path;
    res.adapter = t.adapter_path;
    res.prompt = t.prompt_ref;
    res.params = params_json(t);
    ONDO_TRY(check_rows(*data, t, res.label));
    ONDO_ASSIGN_OR_RETURN(auto runner, open_target(t, o, res));
    EvalProgress p{ti, o.targets.size(), 0, data->rows.size(), nullptr};
    if (progress && !progress(p)) return make_error(ErrorCode::Cancelled, "eval: cancelled");
    for (size_t i = 0; i < data->rows.size(); ++i) {
      res.rows.push_back(run_row(*runner, data->rows[i], i, o));
      if (o.cancel && o.cancel->load()) return make_error(ErrorCode::Cancelled, "eval: cancelled");
      p.rows_done = i + 1;
      p.last = &res.rows.back();
      if (progress && !progress(p)) return make_error(ErrorCode::Cancelled, "eval: cancelled");
    }
    summarize(res);
    sum.targets.push_back(std::move(res));
  }
  return sum;
}

}  // namespace ondo::eval
