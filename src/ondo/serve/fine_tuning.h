// OpenAI's fine-tuning request and job shapes (issue 17.3), translated to and from a job of
// kind fine_tune in the store. Layer: serve. Pure functions of their input.
//
// Request: model, training_file (a /v1/files id), validation_file, hyperparameters {n_epochs,
// batch_size, learning_rate_multiplier} (each an integer/number or "auto"), suffix, seed,
// method {type: "supervised", supervised: {hyperparameters}}, metadata, and ondo's `lora`:
// {attention: {enabled, rank, alpha, modules ⊆ [q,k,v,o]}, mlp: {enabled, rank, alpha,
// modules ⊆ [gate,up,down]}, dropout, lr_schedule {type: cosine|linear|constant,
// warmup_steps}, gradient_accumulation, max_steps}. The job's params hold the request with
// every default filled in ("auto" kept as "auto": the trainer decides).
#pragma once

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/store/jobs.h"

namespace ondo::serve {

// The normalized params of a fine_tune job. Errors: InvalidArgument with the field path
// ("hyperparameters.n_epochs", "lora.attention.rank", ...). File ids and the model are
// checked by the caller (they need the store and the model table).
Result<nlohmann::json> fine_tuning_params(const nlohmann::ordered_json& body);

// The job as OpenAI's fine_tuning.job object (status from the job's state; fine_tuned_model,
// trained_tokens from its result; error {code, message, param}).
nlohmann::json fine_tuning_job_json(const store::JobRecord& job);
nlohmann::json fine_tuning_event_json(const store::JobEvent& event);
nlohmann::json fine_tuning_checkpoint_json(const store::JobCheckpoint& checkpoint);

}  // namespace ondo::serve
