// ArchUnit: everything one architecture family provides, as one registry row of functions:
// reading its hyperparameters, binding its weights, its forward pass (a generator) or its
// encoder pass (an encoder). Layer: model.
// A unit lives in model/<arch>/ and shares blocks from model/blocks/; the registry
// (registry.cpp) lists the units. Units never read the environment (options come typed).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "ondo/core/prepared_tensor.h"
#include "ondo/core/thread_pool.h"
#include "ondo/gguf/reader.h"
#include "ondo/model/batch.h"
#include "ondo/model/forward_scratch.h"
#include "ondo/model/hparams.h"

namespace ondo::model {

// Whether a model continues text (forward: logits) or embeds it (encode: pooled vectors).
enum class ModelKind { Generate, Encode };

// A unit's bound weights: views into the mapped file or into prepared copies. The concrete
// type is the unit's own (e.g. blocks::DecoderWeights); Model owns it and never looks inside
// except through this interface.
class UnitWeights {
 public:
  virtual ~UnitWeights() = default;
  // Every weight matrix the unit multiplies with (the candidates for a kernel-private layout,
  // core/kernels/prepare.h). Entries that share their bytes (a tied output and the embedding)
  // are listed together and are prepared once.
  virtual std::vector<core::PreparedTensor*> matmul_weights() = 0;
};

// Debug tap: receives each named activation of a pass ("token_embd", "blk.3.attn_norm", ...,
// "output"), its shape outermost first (e.g. {T, C}) and its row-major floats. Called on the
// thread that runs the pass; `data` is valid only during the call. Empty: off (no cost
// beyond a test per named point).
using ActivationTap = std::function<void(std::string_view name, std::span<const int64_t> shape, const float* data)>;

// What a unit's pass receives besides the batch.
struct StepContext {
  const HParams& hp;
  const UnitWeights& weights;
  ForwardScratch& scratch;
  core::ThreadPool& pool;
  const ActivationTap* tap;  // nullptr: off
};

// Generators: writes K/V of every token into kv, and for each token with `logits` set one row
// of n_vocab floats into `logits`, rows in batch order. The batch is already validated.
using ForwardFn = Status (*)(const StepContext& ctx, std::span<const BatchToken> batch, KvStore& kv,
                             float* logits);
// Encoders: one pooled vector of hp.n_out() floats per sequence of the batch, in order of the
// sequences' first tokens. The batch is already validated (Model::encode's contract).
using EncodeFn = Status (*)(const StepContext& ctx, std::span<const BatchToken> batch, float* out);

// What a model needs beside its mapped weights, per token, so callers size or refuse work
// before running it (STYLE 7).
struct MemoryNeeds {
  uint64_t kv_bytes_per_token = 0;       // K+V of one position of one sequence, all layers (0: no KV cache)
  uint64_t scratch_bytes_per_token = 0;  // activations per token of one batch step (ForwardScratch)
};

struct ArchUnit {
  std::string_view name;               // general.architecture
  std::string_view description;        // for `ondo info` and error messages
  ModelKind kind;
  std::string_view default_tokenizer;  // tokenizer.ggml.model most files of this arch use
  // Reads and validates the hyperparameters (n_vocab is filled in by Model).
  Result<HParams> (*read_hparams)(const gguf::GgufFile& file);
  // Binds every tensor, checking its shape against hp; errors name the file and tensor.
  Result<std::unique_ptr<UnitWeights>> (*bind_weights)(const gguf::GgufFile& file, const HParams& hp);
  ForwardFn forward;  // Generate units; nullptr for encoders
  EncodeFn encode;    // Encode units; nullptr for generators
  MemoryNeeds (*memory)(const HParams& hp);  // nullptr: nothing beyond the weights is known
};

}  // namespace ondo::model
