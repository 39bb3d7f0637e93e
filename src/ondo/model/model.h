// Model: an immutable loaded model (weights mapped from GGUF, hyperparameters, registry row)
// and its forward pass. Layer: model.
//
// Thread contract: const after load and shared by every session; forward() is called by one
// thread at a time per (KvStore, ForwardScratch) pair and splits work over the pool.
// Ownership: Model owns the GgufFile; tensors are views into its mapping or into the model's
// interleaved copies of them (weights.h: interleave_weights).
#pragma once

#include <filesystem>
#include <memory>
#include <span>

#include "ondo/core/thread_pool.h"
#include "ondo/gguf/reader.h"
#include "ondo/model/batch.h"
#include "ondo/model/forward_scratch.h"
#include "ondo/model/hparams.h"
#include "ondo/model/registry.h"
#include "ondo/model/weights.h"

namespace ondo::model {

struct MemoryEstimate {
  uint64_t weight_bytes = 0;        // tensor bytes (mapped, not copied)
  uint64_t kv_bytes_per_token = 0;  // K+V for one position of one sequence
  uint64_t scratch_bytes_per_token = 0;  // activations per token of a batch step
};

class Model {
 public:
  // Loads and validates: architecture known, hyperparameters present and consistent, every
  // tensor present with the right shape and a runnable type.
  static Result<std::unique_ptr<Model>> load(const std::filesystem::path& path);
  // Takes ownership of an already-open file (tests build models in memory).
  static Result<std::unique_ptr<Model>> from_file(std::unique_ptr<gguf::GgufFile> file);

  const HParams& hparams() const { return hp_; }
  const ArchSpec& spec() const { return *spec_; }
  const Weights& weights() const { return w_; }
  const gguf::GgufFile& file() const { return *file_; }
  MemoryEstimate memory() const;

  // Runs one batch step: writes K/V of every token into `kv`, and for each token with
  // `logits` set, one row of n_vocab floats into `logits` (rows in batch order).
  // Requires: positions < kv.n_ctx, seq < kv.n_seq, token ids < n_vocab (checked: error).
  Status forward(std::span<const BatchToken> batch, KvStore& kv, ForwardScratch& scratch,
                 core::ThreadPool& pool, float* logits) const;

 private:
  Model() = default;
  std::unique_ptr<gguf::GgufFile> file_;
  const ArchSpec* spec_ = nullptr;
  HParams hp_;
  Weights w_;
  WeightCopies copies_;  // interleaved weights (w_ points into them)
};

}  // namespace ondo::model
