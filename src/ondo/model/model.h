// Model: an immutable loaded model (weights mapped from GGUF, hyperparameters, the
// architecture unit that runs it) and its passes: forward() for generators, encode() for
// encoders. Layer: model.
//
// Thread contract: const after load and shared by every session; forward()/encode() are
// called by one thread at a time per (KvStore, ForwardScratch) pair and split work over the
// pool. Ownership: Model owns the GgufFile; tensors are views into its mapping or into the
// model's prepared copies of them (LoadOptions::prepare_weights).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <span>

#include "ondo/core/kernels/prepare.h"
#include "ondo/core/thread_pool.h"
#include "ondo/gguf/reader.h"
#include "ondo/model/batch.h"
#include "ondo/model/forward_scratch.h"
#include "ondo/model/hparams.h"
#include "ondo/model/unit.h"

namespace ondo::model {

struct MemoryEstimate {
  uint64_t weight_bytes = 0;  // tensor bytes of the file (mapped, not copied)
  MemoryNeeds per_token;      // from the architecture unit
};

// Typed load options (cli/ fills them; model/ reads no environment).
struct LoadOptions {
  // Copy matmul weights into a kernel-private layout where this CPU has faster kernels for
  // it (same results bit for bit). false: the file's layout everywhere (for comparisons).
  bool prepare_weights = true;
  // Threads for weight preparation; nullptr: the loading thread alone. Borrowed for the
  // duration of load only.
  core::ThreadPool* pool = nullptr;
  // Debug: called at every named activation of every pass (unit.h); empty: off.
  ActivationTap tap;
  // Embedding pooling (Mean, Last or Cls; llama.cpp's --pooling). A decoder (llama, qwen2)
  // given one loads as an embedding model: kind() is Encode, encode() pools the final norm's
  // output, forward() is refused. An encoder's own pooling from the file is replaced (not a
  // reranker's). nullopt: the file decides (decoders generate).
  std::optional<Pooling> pooling;
};

// The pooling of a decoder loaded for embeddings without an explicit one: the file's
// "<arch>.pooling_type" when it names mean, cls or last, else Last.
Pooling default_decoder_pooling(const gguf::GgufFile& file);

// "mean", "cls", "last" -> the Pooling; anything else: InvalidArgument naming the value.
Result<Pooling> parse_pooling(std::string_view name);
std::string_view pooling_name(Pooling p);

class Model {
 public:
  // Loads and validates: architecture known, hyperparameters present and consistent, every
  // tensor present with the right shape and a runnable type.
  static Result<std::unique_ptr<Model>> load(const std::filesystem::path& path, const LoadOptions& options = {});
  // Takes ownership of an already-open file (tests build models in memory); the unit is
  // found in the registry by general.architecture.
  static Result<std::unique_ptr<Model>> from_file(std::unique_ptr<gguf::GgufFile> file,
                                                  const LoadOptions& options = {});
  // As above with a given unit, which need not be in the registry (tests define their own).
  // Requires: `unit` outlives the model.
  static Result<std::unique_ptr<Model>> from_file(std::unique_ptr<gguf::GgufFile> file, const ArchUnit& unit,
                                                  const LoadOptions& options = {});

  const HParams& hparams() const { return hp_; }
  const ArchUnit& unit() const { return *unit_; }
  // Encode for encoders and for decoders loaded with an embedding pooling (LoadOptions).
  ModelKind kind() const { return kind_; }
  // Floats per sequence of encode(): n_embd, or the classifier's scores for rank pooling.
  int32_t n_embd_out() const { return hp_.n_out(); }
  const gguf::GgufFile& file() const { return *file_; }
  MemoryEstimate memory() const;
  // The unit's weights as its concrete type W, or nullptr when they are another type.
  template <class W>
  const W* weights_as() const { return dynamic_cast<const W*>(w_.get()); }

  // Generators: one batch step. Writes K/V of every token into `kv`, and for each token with
  // `logits` set, one row of n_vocab floats into `logits` (rows in batch order).
  // Requires: positions < kv.n_ctx, seq < kv.n_seq, token ids < n_vocab (checked: error).
  // Errors: InvalidArgument for an encoder model (or a decoder loaded for embeddings).
  Status forward(std::span<const BatchToken> batch, KvStore& kv, ForwardScratch& scratch,
                 core::ThreadPool& pool, float* logits) const;

  // Encoders: `batch` holds every token of each sequence it contains, each sequence as one
  // contiguous run in position order 0..n-1 with its own seq id (the `logits` flags are
  // ignored). Attention runs both ways within a sequence and never crosses sequences. `out`
  // receives one pooled vector of n_embd_out() floats per sequence, in batch order (pooling
  // as the unit defines: mean / cls / last; not normalised). Decoders loaded for embeddings
  // run each sequence causally (LoadOptions::pooling). A sequence's vector does not
  // depend on the other sequences of the batch (bitwise).
  // Errors (InvalidArgument): a generator model; empty batch, more tokens than the scratch,
  // a sequence longer than scratch.n_ctx, token ids >= n_vocab, a sequence split or out of
  // order.
  Status encode(std::span<const BatchToken> batch, ForwardScratch& scratch, core::ThreadPool& pool,
                float* out) const;

 private:
  Model() = default;
  StepContext context(ForwardScratch& scratch, core::ThreadPool& pool) const;

  std::unique_ptr<gguf::GgufFile> file_;
  const ArchUnit* unit_ = nullptr;
  ModelKind kind_ = ModelKind::Generate;
  HParams hp_;
  std::unique_ptr<UnitWeights> w_;
  core::PreparedStore prepared_;  // prepared weight copies (w_ points into them)
  ActivationTap tap_;
};

}  // namespace ondo::model
