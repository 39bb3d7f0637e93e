// Trainer: the training loop (batches, forward/backward, AdamW, evaluation, checkpoints)
// over a TrainModel, deterministic given the seed and the pool's size, resumable bit-exactly
// from a checkpoint. Layer: train. Each step (and each evaluation batch) runs on the
// process's ComputePool under a Background lease, so serving work goes first.
//
// Checkpoint file: a GGUF holding the tensors "train.params", "train.adam_m", "train.adam_v"
// (F32) and metadata ondo.train.* (model shape, step, optimizer step, data cursor, seed).
// Thread contract: one thread drives a Trainer; `stop` may be set from a signal handler.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/core/env.h"
#include "ondo/train/dataset.h"
#include "ondo/train/optimizer.h"
#include "ondo/train/train_model.h"

namespace ondo::train {

struct TrainOptions {
  ModelConfig model;
  OptimizerOptions opt;  // opt.total_steps is the run's step count
  int64_t batch = 8;
  int64_t eval_every = 0;     // 0: evaluate at the end only
  int64_t eval_rows = 64;     // validation rows per evaluation (at most)
  int64_t ckpt_every = 0;     // 0: no periodic checkpoints
  std::filesystem::path ckpt_dir;  // where periodic and SIGINT checkpoints go
  uint64_t seed = 1;
  // File system for checkpoints (optional borrow; nullptr: core::Env::posix()). Must
  // outlive the Trainer.
  core::Env* env = nullptr;
};

struct StepReport {
  int64_t step = 0;          // steps done
  double loss = 0;           // training loss of this step
  double val_loss = -1;      // when evaluated at this step, else -1
  double grad_norm = 0;
  float lr = 0;
  double tokens_per_s = 0;   // counted (masked-in) tokens per second, running average
  double eta_s = 0;
  std::string checkpoint;    // path written at this step, if any
};

class Trainer {
 public:
  // Fresh parameters from opts.seed. Requires: validate_config(opts.model) ok, train non-empty.
  // `pool` is borrowed and must outlive the trainer.
  Trainer(const TrainOptions& opts, core::ComputePool& pool, std::vector<Example> train, std::vector<Example> val,
          int32_t pad_token);

  // Restores weights, optimizer state, step and data cursor. Errors: unreadable file or a
  // model shape that differs from opts.model (InvalidArgument).
  Status load_checkpoint(const std::filesystem::path& path);
  // Writes durably and atomically through opts.env, or `env` (see gguf::Writer::write):
  // after a failure or a crash at any point, `path` holds its old complete file or the new one.
  Status save_checkpoint(const std::filesystem::path& path) const;
  Status save_checkpoint(const std::filesystem::path& path, core::Env& env) const;

  // Trains until opts.opt.total_steps or until *stop is set (checked between steps; a
  // checkpoint is then written to ckpt_dir, Cancelled returned). `report` is called after
  // every step.
  Status run(const std::function<void(const StepReport&)>& report, const std::atomic<bool>* stop);

  // Mean loss over up to opts.eval_rows rows of the validation set (-1 when there is none).
  double evaluate();

  int64_t step() const { return step_; }
  const std::vector<float>& params() const { return params_; }
  const TrainModel& model() const { return model_; }

 private:
  std::filesystem::path checkpoint_path(const std::string& tag) const;

  TrainOptions o_;
  std::vector<Example> train_, val_;
  core::ComputePool& pool_;
  TrainModel model_;
  Batcher batcher_, val_batcher_;
  std::vector<float> params_, grads_;
  AdamState adam_;
  int64_t step_ = 0;
  DataCursor cursor_;
  Batch batch_;
};

}  // namespace ondo::train
