// LoRA fine-tuning as a plain library call: train_lora opens a frozen GGUF base, reads and
// tokenizes the data (lora_data.h), trains the adapter (AdamW, warm-up then cosine or linear
// decay, gradient accumulation, dropout) and writes it in llama.cpp's adapter format
// (adapter_file.h). Deterministic for a seed and a thread count; a run resumed from its
// checkpoint ends with the same adapter, bit for bit, as an uninterrupted one.
// Layer: train. Thread contract: one thread drives a run; the hooks are called on it.
//
// Checkpoint file (GGUF, written atomically): tensors "lora.params", "lora.adam_m",
// "lora.adam_v" (F32) and keys ondo.lora.* (step, optimizer step, data cursor, seed, the
// parameter count and a fingerprint of the targets and ranks).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/core/result.h"
#include "ondo/train/dataset.h"
#include "ondo/train/lora/adapter_file.h"
#include "ondo/train/lora/lora_data.h"
#include "ondo/train/lora/lora_model.h"
#include "ondo/train/optimizer.h"

namespace ondo::train::lora {

enum class LrSchedule { Cosine, Linear };

struct LoraTrainOptions {
  std::filesystem::path base;      // GGUF base model (required)
  std::filesystem::path data;      // training file (required)
  DataFormat format = DataFormat::Chat;
  std::filesystem::path val_data;  // optional validation file, same format
  std::filesystem::path out;       // adapter GGUF to write (empty: not written)
  std::string chat_template;       // template source; empty: the base's own, else chatml
  LoraConfig lora;
  float lr = 3e-4f;
  LrSchedule schedule = LrSchedule::Cosine;
  int64_t warmup = 100;            // steps of linear warm-up (capped at the total)
  float min_lr_ratio = 0.0f;       // where the decay ends, as a share of lr
  float weight_decay = 0.0f;
  float clip = 1.0f;               // gradient-norm bound; <= 0: off
  int64_t epochs = 3;
  int64_t batch = 4;               // examples per micro-batch
  int64_t grad_accum = 1;          // micro-batches per optimizer step
  int64_t max_steps = 0;           // > 0: stop there (and size the schedule by it)
  int32_t n_ctx = 256;             // longest example, in tokens (longer ones are cut)
  int64_t eval_every = 0;          // steps between validation losses (0: at the end only)
  uint64_t seed = 42;
  std::filesystem::path checkpoint;  // empty: no checkpoints
  int64_t checkpoint_every = 10;     // steps; also written on cancel
  bool resume = false;               // continue from `checkpoint` when it exists
  int threads = 1;                   // used when `pool` is null
  core::ComputePool* pool = nullptr; // borrowed; steps run under Background leases
};

struct LoraTrainProgress {
  int64_t step = 0, total = 0;  // optimizer steps done, planned
  double loss = 0;              // this step's training loss
  double eval_loss = -1;        // when evaluated at this step, else -1
  double tokens_per_s = 0;      // tokens through forward + backward per second (this run)
  double eta_s = 0;
  float lr = 0;
};

struct LoraTrainHooks {
  // After every step; return false to cancel (a checkpoint is written first when configured).
  std::function<bool(const LoraTrainProgress&)> on_step;
};

struct LoraTrainResult {
  int64_t steps = 0;            // steps done in total (including resumed ones)
  double first_loss = -1;       // loss of the first step this run made
  double final_loss = -1;       // loss of the last step
  double eval_loss = -1;
  double tokens_per_s = 0;
  int64_t train_examples = 0;
  bool resumed = false;
};

// InvalidArgument naming the option (sizes, rates, the LoRA config).
Status validate_train_options(const LoraTrainOptions& o);

// Errors: bad options, unreadable base or data (named, with the data line), Cancelled when a
// hook returned false.
Result<LoraTrainResult> train_lora(const LoraTrainOptions& opts, const LoraTrainHooks& hooks);

// The in-memory trainer train_lora drives (tests use it directly).
class LoraTrainer {
 public:
  // Borrows base (outlives the trainer). Requires: validate_train_options(o) ok, train non-empty.
  LoraTrainer(const FrozenBase& base, const LoraTrainOptions& o, std::vector<Example> train, std::vector<Example> val,
              int32_t pad);

  int64_t total_steps() const { return total_; }
  int64_t step() const { return step_; }
  float current_lr() const { return lr_now(); }  // the rate the next step uses
  // One optimizer step (grad_accum micro-batches); returns the mean loss.
  double train_step(core::ThreadPool& pool, int64_t* tokens);
  // Mean loss over the validation set (-1 without one).
  double evaluate(core::ThreadPool& pool);

  Status save_checkpoint(const std::filesystem::path& path) const;
  Status load_checkpoint(const std::filesystem::path& path);

  // The adapter in llama.cpp's format (alpha folding as adapter_file.h says).
  AdapterFile adapter() const;
  const std::vector<float>& params() const { return params_; }
  const LoraModel& model() const { return model_; }

 private:
  // The next micro-batch's rows, one example per row, S = the longest input (<= n_ctx).
  void next_batch();
  float lr_now() const;
  uint64_t fingerprint() const;

  const FrozenBase& base_;
  LoraTrainOptions o_;
  std::vector<Example> train_, val_;
  int32_t pad_;
  LoraModel model_;
  int64_t total_ = 0;
  std::vector<float> params_, grads_;
  AdamState adam_;
  int64_t step_ = 0;
  DataCursor cursor_;
  std::vector<uint32_t> order_;
  uint64_t order_epoch_ = UINT64_MAX;
  Batch batch_;
};

}  // namespace ondo::train::lora
