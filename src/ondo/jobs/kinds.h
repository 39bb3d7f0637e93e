// The job kinds ondo has today (issue 17.2): `fine_tune` (jobs/fine_tune.h), `train` (the `ondo train` trainer, resuming
// from its checkpoint) and `quantize` (model/quantize). Layer: jobs.
//
// train params: data, tokenizer (paths, required), layers, dim, heads, ffn, ctx, batch, steps
// (required integers), kv_heads, warmup, eval_every, ckpt_every (default: steps/10, at least
// 1), seed, val_split, lr, weight_decay, clip, val_data, chat_template (a built-in name), out
// (default <work dir>/model.gguf). Result: {"model": out, "steps", "loss", "eval_loss"}.
// quantize params: input, output (paths), type (a preset name such as "Q8_0").
// Result: {"model": output, "tensors", "bytes_in", "bytes_out"}. A quantize job sees a cancel
// only when it ends (the quantizer has no stop point between tensors yet).
// Errors name the bad param ("params.steps: expected an integer in 1..1000000000").
#pragma once

#include "ondo/jobs/worker.h"

namespace ondo::jobs {

Result<nlohmann::json> run_train(JobContext& ctx);
Result<nlohmann::json> run_quantize(JobContext& ctx);

// Adds train and quantize. Errors: a kind already registered.
Status register_builtin_kinds(KindRegistry& registry);

// Checks a kind's params before a job is queued (the same checks the runner makes first), so
// a bad request fails at submission. Unknown kinds pass (their runner checks).
Status validate_params(const std::string& kind, const nlohmann::json& params);

}  // namespace ondo::jobs
