// The eval job kind (issue 17.7): eval::run_eval over a JSONL dataset and one or more
// targets, as a queued job. Layer: jobs.
//
// params: dataset (a store file id, "file-...", or a path; required), targets (1 to 16, each
// {model (GGUF path, required), adapter (a LoRA adapter path; eval refuses adapters until
// run_eval supports them), prompt ("name", "name@3" or "name@label", a registry prompt),
// label, raw, chat_template, params {temperature, top_k, top_p, min_p, seed, max_tokens,
// json_object, response_schema}}), limit (the first N rows, 0: all), ctx (context tokens, 0:
// the model's, at most 4096). Sampling defaults: temperature 0.8, seed 1 (row i samples with
// seed + i, so a run repeats); a registry prompt's stored params fill what the target leaves
// unset. Progress: rows done / rows x targets; a cancel stops within the row being generated.
// Result: the summary (eval/report.h summary_json, without rows) plus "table" (the terminal
// summary table), "summary_file" (<work dir>/summary.json, rows included) and "rows_files"
// (<work dir>/rows-N.jsonl, one per target, report.h row_json per line).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "ondo/eval/run_eval.h"
#include "ondo/jobs/worker.h"

namespace ondo::jobs {

// A registry prompt as an eval target needs it. The registry lives above jobs (serve/), so
// whoever starts the worker passes a resolver (serve/job_prompts.h).
struct ResolvedPrompt {
  std::string ref;                  // "name@version"
  eval::PromptRenderer render;
  nlohmann::json params;            // the version's stored params (temperature, ...), or null
  nlohmann::json response_schema;   // the version's schema, or null
};
using PromptResolver = std::function<Result<ResolvedPrompt>(store::Store& store, const std::string& spec)>;

// The eval runner; prompt targets fail with a clear error when `prompts` is empty.
Runner make_eval_runner(PromptResolver prompts);
// The submission checks: params' shapes, models and dataset path readable.
Status validate_eval_params(const nlohmann::json& params, store::Store* store);

}  // namespace ondo::jobs
