// The fine_tune job kind (issue 17.2-3): OpenAI's fine-tuning job run by the LoRA trainer
// (train/lora/lora_trainer.h) over the base model's GGUF. Layer: jobs.
//
// params (as serve/fine_tuning.h normalises them, plus model_path, which the route fills from
// the served model): model, model_path, training_file, validation_file (file ids in the store),
// hyperparameters {n_epochs, batch_size, learning_rate_multiplier} ("auto": 3, 4, 1), suffix,
// seed, lora {attention, mlp: {enabled, rank, alpha, modules}, dropout, lr_schedule {type,
// warmup_steps}, gradient_accumulation, max_steps}. The training file's format is told from its
// first line: OpenAI chat ("messages"), Alpaca ("instruction"), else plain text.
// Result: {"fine_tuned_model": "ft:<model>:<suffix or ondo>:<job id>", "adapter": <path>,
// "base_model", "base_model_path", "steps", "loss", "eval_loss"?, "first_loss"}.
// Events: "step N/M: training loss=X" with data {step, total_steps, loss, train_loss} at step 1,
// every 10th step and the last (OpenAI's metrics events). A base model file that is gone
// fails the job at once (NotFound naming the model and the file).
// Resume: the trainer's checkpoint lives in the job's work directory; a job taken over after
// its worker died continues from it and ends with the same adapter as an uninterrupted run.
#pragma once

#include <string_view>

#include "ondo/jobs/worker.h"
#include "ondo/train/lora/lora_data.h"

namespace ondo::jobs {

Result<nlohmann::json> run_fine_tune(JobContext& ctx);

// The format of a training file from its first non-blank line (see above).
train::lora::DataFormat guess_training_format(std::string_view bytes);

// The id a finished fine_tune job's adapter is served under.
std::string fine_tuned_model_id(const std::string& base_model, const std::string& suffix, const std::string& job_id);

}  // namespace ondo::jobs
