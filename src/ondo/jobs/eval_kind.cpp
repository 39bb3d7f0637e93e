// The eval job kind: params into eval::run_eval, progress per row, reports as artifacts.
// Layer: jobs.
#include "ondo/jobs/eval_kind.h"

#include <fstream>

#include "ondo/eval/report.h"
#include "ondo/jobs/params.h"

namespace ondo::jobs {
namespace {

constexpr size_t kMaxTargets = 16;

struct TargetSpec {
  eval::EvalTarget target;
  std::string prompt;              // the registry prompt spec, "" for none
  nlohmann::json given = nlohmann::json::object();  // the target's own params, to tell set from unset
};

struct EvalJobParams {
  std::string dataset;
  std::vector<TargetSpec> targets;
  int64_t limit = 0, ctx = 0;
};

Result<eval::EvalParams> target_params(const nlohmann::json& p, const std::string& at) {
  eval::EvalParams e;
  e.sampling.seed = 1;  // eval's default: repeatable runs
  ONDO_ASSIGN_OR_RETURN(double temp, get_double(p, "temperature", e.sampling.temperature, 0, 100));
  ONDO_ASSIGN_OR_RETURN(int64_t top_k, get_int(p, "top_k", false, e.sampling.top_k, -1, 1 << 20));
  ONDO_ASSIGN_OR_RETURN(double top_p, get_double(p, "top_p", e.sampling.top_p, 0, 1));
  ONDO_ASSIGN_OR_RETURN(double min_p, get_double(p, "min_p", e.sampling.min_p, 0, 1));
  ONDO_ASSIGN_OR_RETURN(int64_t seed, get_int(p, "seed", false, 1, 0, INT64_MAX));
  ONDO_ASSIGN_OR_RETURN(int64_t max_tokens, get_int(p, "max_tokens", false, 256, 0, 1 << 20));
  ONDO_ASSIGN_OR_RETURN(e.json_object, get_bool(p, "json_object", false));
  e.sampling.temperature = float(temp);
  e.sampling.top_k = int32_t(top_k);
  e.sampling.top_p = float(top_p);
  e.sampling.min_p = float(min_p);
  e.sampling.seed = uint64_t(seed);
  e.max_tokens = int32_t(max_tokens);
  if (auto s = p.find("response_schema"); s != p.end() && !s->is_null()) {
    if (!s->is_object()) return param_error(at + ".response_schema", "expected a JSON schema object");
    if (e.json_object) return param_error(at + ".response_schema", "give response_schema or json_object, not both");
    e.response_schema = nlohmann::ordered_json::parse(s->dump());
  }
  return e;
}

Result<EvalJobParams> eval_params(const nlohmann::json& p) {
  EvalJobParams ep;
  ONDO_ASSIGN_OR_RETURN(ep.dataset, get_string(p, "dataset", true));
  ONDO_ASSIGN_OR_RETURN(ep.limit, get_int(p, "limit", false, 0, 0, 1 << 30));
  ONDO_ASSIGN_OR_RETURN(ep.ctx, get_int(p, "ctx", false, 0, 0, 1 << 20));
  auto ts = p.find("targets");
  if (ts == p.end() || !ts->is_array() || ts->empty() || ts->size() > kMaxTargets) {
    return param_error("targets", "expected an array of 1 to " + std::to_string(kMaxTargets) + " targets {model, ...}");
  }
  for (size_t i = 0; i < ts->size(); ++i) {
    const nlohmann::json& t = (*ts)[i];
    const std::string at = "targets[" + std::to_string(i) + "]";
    if (!t.is_object()) return param_error(at, "expected an object {model, adapter?, prompt?, label?, params?}");
    TargetSpec spec;
    auto field = [&](const char* key) { return get_string(t, key, false); };
    auto named = [&](const Result<std::string>& r, const char* key) -> Result<std::string> {
      if (r.ok()) return r;
      return param_error(at + "." + key, "expected a non-empty string");
    };
    ONDO_ASSIGN_OR_RETURN(spec.target.model_path, named(field("model"), "model"));
    if (spec.target.model_path.empty()) return param_error(at + ".model", "required (a GGUF path)");
    ONDO_ASSIGN_OR_RETURN(spec.target.adapter_path, named(field("adapter"), "adapter"));
    ONDO_ASSIGN_OR_RETURN(spec.prompt, named(field("prompt"), "prompt"));
    ONDO_ASSIGN_OR_RETURN(spec.target.label, named(field("label"), "label"));
    ONDO_ASSIGN_OR_RETURN(spec.target.chat_template, named(field("chat_template"), "chat_template"));
    auto raw = get_bool(t, "raw", false);
    if (!raw.ok()) return param_error(at + ".raw", "expected true or false");
    spec.target.raw = *raw;
    if (auto tp = t.find("params"); tp != t.end() && !tp->is_null()) {
      if (!tp->is_object()) return param_error(at + ".params", "expected an object");
      spec.given = *tp;
    }
    auto e = target_params(spec.given, at + ".params");
    if (!e.ok()) {
      std::string msg = e.error().message;
      if (msg.rfind("params.", 0) == 0) msg = "params." + at + ".params." + msg.substr(7);
      return make_error(ErrorCode::InvalidArgument, msg);
    }
    spec.target.params = std::move(e).value();
    ep.targets.push_back(std::move(spec));
  }
  return ep;
}

// A registry prompt's stored params fill what the target left unset.
void apply_prompt_params(const ResolvedPrompt& r, const nlohmann::json& given, eval::EvalParams& p) {
  if (r.params.is_object()) {
    auto set = [&](const char* key, auto& field) {
      if (!given.contains(key) && r.params.contains(key) && r.params[key].is_number()) {
        field = r.params[key].get<std::decay_t<decltype(field)>>();
      }
    };
    set("temperature", p.sampling.temperature);
    set("top_k", p.sampling.top_k);
    set("top_p", p.sampling.top_p);
    set("min_p", p.sampling.min_p);
    set("seed", p.sampling.seed);
    set("max_tokens", p.max_tokens);
  }
  if (r.response_schema.is_object() && !given.contains("response_schema") && !p.json_object) {
    p.response_schema = nlohmann::ordered_json::parse(r.response_schema.dump());
  }
}

Status write_reports(const eval::EvalSummary& s, const std::filesystem::path& dir, nlohmann::json& result) {
  result["rows_files"] = nlohmann::json::array();
  for (size_t i = 0; i < s.targets.size(); ++i) {
    const std::filesystem::path path = dir / ("rows-" + std::to_string(i + 1) + ".jsonl");
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    for (const auto& r : s.targets[i].rows) f << dump_json(eval::row_json(r)) << '\n';
    f.close();
    if (!f) return make_error(ErrorCode::Internal, path.string() + ": write failed");
    result["rows_files"].push_back(path.string());
  }
  const std::filesystem::path summary = dir / "summary.json";
  std::ofstream f(summary, std::ios::binary | std::ios::trunc);
  f << eval::summary_json(s).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  f.close();
  if (!f) return make_error(ErrorCode::Internal, summary.string() + ": write failed");
  result["summary_file"] = summary.string();
  return ok_status();
}

Result<nlohmann::json> run_eval_job(JobContext& ctx, const PromptResolver& prompts) {
  ONDO_ASSIGN_OR_RETURN(EvalJobParams ep, eval_params(ctx.params()));
  for (size_t i = 0; i < ep.targets.size(); ++i) {
    ONDO_TRY(check_model_file("targets[" + std::to_string(i) + "].model", ep.targets[i].target.model_path));
  }
  ONDO_ASSIGN_OR_RETURN(std::filesystem::path data_path,
                        store_file_or_path(ctx.store(), "dataset", ep.dataset, ctx.work_dir() / "dataset.jsonl"));
  ONDO_ASSIGN_OR_RETURN(eval::Dataset data, eval::load_dataset(data_path.string()));
  if (data_path != std::filesystem::path(ep.dataset)) data.name = ep.dataset;
  if (ep.limit > 0 && size_t(ep.limit) < data.rows.size()) data.rows.resize(size_t(ep.limit));
  eval::EvalOptions o;
  for (size_t i = 0; i < ep.targets.size(); ++i) {
    TargetSpec& spec = ep.targets[i];
    if (!spec.prompt.empty()) {
      const std::string at = "targets[" + std::to_string(i) + "].prompt";
      if (!prompts) return param_error(at, "registry prompts need a worker started by `ondo serve` or `ondo worker`");
      auto r = prompts(ctx.store(), spec.prompt);
      if (!r.ok()) return param_error(at, r.error().message);
      spec.target.prompt_ref = r->ref;
      spec.target.prompt = r->render;
      apply_prompt_params(*r, spec.given, spec.target.params);
    }
    o.targets.push_back(spec.target);
  }
  const size_t n_rows = data.rows.size();
  o.dataset = std::make_shared<const eval::Dataset>(std::move(data));
  o.pool = &ctx.pool();
  o.n_ctx = int32_t(ep.ctx);
  o.cancel = &ctx.stop_flag();
  const int64_t total = int64_t(n_rows * o.targets.size());
  auto summary = eval::run_eval(o, [&](const eval::EvalProgress& pr) {
    Progress p;
    p.step = int64_t(pr.target * pr.n_rows + pr.rows_done);
    p.total = total;
    if (pr.last != nullptr && pr.last->tokens_per_s > 0) p.tokens_per_s = pr.last->tokens_per_s;
    return ctx.progress(p).ok();
  });
  if (!summary.ok()) {
    if (summary.error().code == ErrorCode::Cancelled || ctx.cancelled()) {
      return make_error(ErrorCode::Cancelled, "eval job '" + ctx.job().id + "' was cancelled");
    }
    return summary.error();
  }
  nlohmann::json result = nlohmann::json::parse(dump_json(eval::summary_json(*summary)));
  for (auto& t : result["targets"]) t.erase("rows");
  result["table"] = eval::summary_table(*summary);
  ONDO_TRY(write_reports(*summary, ctx.work_dir(), result));
  return result;
}

}  // namespace

Runner make_eval_runner(PromptResolver prompts) {
  return [prompts = std::move(prompts)](JobContext& ctx) { return run_eval_job(ctx, prompts); };
}

Status validate_eval_params(const nlohmann::json& params, store::Store* store) {
  ONDO_ASSIGN_OR_RETURN(EvalJobParams ep, eval_params(params));
  for (size_t i = 0; i < ep.targets.size(); ++i) {
    ONDO_TRY(check_model_file("targets[" + std::to_string(i) + "].model", ep.targets[i].target.model_path));
    if (!ep.targets[i].target.adapter_path.empty()) {
      ONDO_TRY(check_file("targets[" + std::to_string(i) + "].adapter", ep.targets[i].target.adapter_path));
    }
  }
  bool in_store = false;
  if (store != nullptr) {
    ONDO_ASSIGN_OR_RETURN(auto rec, store->find_file(ep.dataset));
    in_store = rec.has_value();
  }
  if (!in_store) ONDO_TRY(check_file("dataset", ep.dataset));
  return ok_status();
}

}  // namespace ondo::jobs
