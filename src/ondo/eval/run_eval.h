// run_eval(): one dataset against one or more targets (a model, later an adapter, an optional
// registry prompt, generation params), in-process on the engine, every row scored
// (metrics.h). A plain library call, so `ondo eval` and an `eval` job (issue 17.1) run the
// same code. Layer: eval (uses infer's session and generate, model loading; not the store:
// a registry prompt arrives as a renderer callback made by the caller).
//
// Thread contract: run_eval runs on the calling thread and borrows `pool` for compute; the
// progress callback runs on that thread between rows.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/compute_pool.h"
#include "ondo/core/result.h"
#include "ondo/eval/dataset.h"
#include "ondo/eval/metrics.h"
#include "ondo/infer/sampler/sampler.h"

namespace ondo::eval {

// Renders a registry prompt for a row: its variables (the row's `input`, or {} for rows
// given as messages or prompt) -> messages [{role, content}] that go before the row's own.
using PromptRenderer = std::function<Result<nlohmann::ordered_json>(const nlohmann::ordered_json& variables)>;

struct EvalParams {
  infer::SamplerParams sampling;  // row i (from 0) samples with seed sampling.seed + i
  int32_t max_tokens = 256;       // per row, 0 or more
  nlohmann::ordered_json response_schema;  // null, or a JSON schema the output is constrained to
  bool json_object = false;       // constrain the output to a JSON object (response_format json_object)
};

struct EvalTarget {
  std::string label;         // shown in tables; empty: made from the model, adapter and prompt
  std::string model_path;
  std::string adapter_path;  // a LoRA adapter (issue 17.4); Unsupported until adapters land
  std::string prompt_ref;    // the registry prompt as "name@version", for reports; empty: none
  PromptRenderer prompt;     // set together with prompt_ref
  bool raw = false;          // rows' `prompt` as raw text (no chat template)
  std::string chat_template; // "": the model's own; else a built-in name or a template file
  EvalParams params;
};

struct RowResult {
  size_t line = 0;
  std::string id;
  std::string output;
  std::string error;  // the row could not run (e.g. its prompt does not fit); output is "" then
  std::vector<Metric> metrics;
  std::vector<std::string> notes;
  double latency_ms = 0;   // prompt + generation, wall clock
  int32_t n_prompt = 0;
  int32_t n_generated = 0;
  double tokens_per_s = 0;  // generated tokens per second of generation
  std::string stop;         // length, eos, grammar, context, cancelled, error
};

struct MetricSummary {
  std::string name;
  double mean = 0;
  size_t n = 0;  // rows that have the metric
};

struct TargetResult {
  std::string label, model, adapter, prompt;
  nlohmann::ordered_json params;  // what the target ran with (temperature, seed, max_tokens, ...)
  std::vector<std::string> warnings;
  size_t n_errors = 0;
  std::vector<MetricSummary> metrics;  // in first-seen order
  double latency_ms_mean = 0, latency_ms_p50 = 0, latency_ms_p95 = 0;
  double tokens_per_s = 0;  // all generated tokens / all generation seconds
  int64_t n_generated = 0;
  std::vector<RowResult> rows;
};

struct EvalSummary {
  std::string dataset;
  size_t n_rows = 0;
  std::vector<TargetResult> targets;
};

struct EvalProgress {
  size_t target = 0, n_targets = 0;
  size_t rows_done = 0, n_rows = 0;  // of this target
  const RowResult* last = nullptr;   // the row just finished, null before the first
};
// Called before each target's first row and after every row; false cancels the run.
using ProgressFn = std::function<bool(const EvalProgress&)>;

struct EvalOptions {
  std::shared_ptr<const Dataset> dataset;  // when null, read from dataset_path
  std::string dataset_path;
  std::vector<EvalTarget> targets;         // at least one
  core::ComputePool* pool = nullptr;       // Requires: non-null, outlives the call
  int32_t n_ctx = 0;                       // 0: the model's training context, capped at 4096
  const std::atomic<bool>* cancel = nullptr;  // polled every token; true cancels
};

// Errors: the dataset's (line named), a target's model that does not load, InvalidArgument
// naming the line of a row the target cannot run (`input` variables and no prompt; a raw
// target and a row without `prompt`), Unsupported for an adapter, a
// schema the compiler refuses, Cancelled when the progress callback or `cancel` says so.
// A row that fails on its own (prompt too long) is kept with its error and scores as an
// empty output.
Result<EvalSummary> run_eval(const EvalOptions& options, const ProgressFn& progress = {});

// The summary of `rows` (metric means, latency percentiles, tokens/s) into `t`.
void summarize(TargetResult& t);

}  // namespace ondo::eval
