// The job kinds ondo has today (issue 17.2): `fine_tune` (jobs/fine_tune.h), `train` (the `ondo train` trainer, resuming
// from its checkpoint), `quantize` (model/quantize), `imatrix` (jobs/imatrix_kind.h) and `eval`
// (jobs/eval_kind.h). Every kind checks the files it reads when the worker picks the job up, so
// a model gone missing since submission fails the job at once with the reason. Layer: jobs.
//
// train params: data, tokenizer (paths, required), layers, dim, heads, ffn, ctx, batch, steps
// (required integers), kv_heads, warmup, eval_every, ckpt_every (default: steps/10, at least
// 1), seed, val_split, lr, weight_decay, clip, val_data, chat_template (a built-in name), out
// (default <work dir>/model.gguf). Result: {"model": out, "steps", "loss", "eval_loss"}.
// quantize params: input, output (paths), type (a preset name such as "Q8_0"), imatrix (an
// imatrix file, or the id of a succeeded imatrix job). Result: {"model": output, "tensors",
// "bytes_in", "bytes_out", "imatrix"?, "weighted_tensors"?}. A quantize job sees a cancel
// only when it ends (the quantizer has no stop point between tensors yet).
// Errors name the bad param ("params.steps: expected an integer in 1..1000000000").
#pragma once

#include "ondo/jobs/eval_kind.h"
#include "ondo/jobs/worker.h"

namespace ondo::jobs {

Result<nlohmann::json> run_train(JobContext& ctx);
Result<nlohmann::json> run_quantize(JobContext& ctx);

// What the kinds need from the layers above jobs.
struct KindHooks {
  PromptResolver prompts;  // eval targets' registry prompts; empty: such targets fail
};

// Adds train, fine_tune, quantize, imatrix and eval. Errors: a kind already registered.
Status register_builtin_kinds(KindRegistry& registry, KindHooks hooks = {});

// Checks a kind's params before a job is queued (the same checks the runner makes first), so
// a bad request fails at submission. Unknown kinds pass (their runner checks). `store`, when
// given, resolves file ids and job ids (a quantize job's imatrix).
Status validate_params(const std::string& kind, const nlohmann::json& params, store::Store* store = nullptr);

}  // namespace ondo::jobs
