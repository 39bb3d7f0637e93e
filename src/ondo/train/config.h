// Shapes of a model trained from scratch and the random generator the trainer uses.
// Layer: train. Plain data; must not touch serve/ or cli/.
#pragma once

#include <cstdint>
#include <string>

#include "ondo/core/result.h"

namespace ondo::train {

// A llama-architecture decoder with tied output embeddings, F32 parameters.
struct ModelConfig {
  int32_t n_vocab = 0;    // V
  int32_t n_embd = 0;     // C
  int32_t n_layer = 0;
  int32_t n_head = 0;     // H
  int32_t n_head_kv = 0;  // Hkv (divides H)
  int32_t n_ff = 0;       // F
  int32_t n_ctx = 0;      // T, the training context
  float rms_eps = 1e-5f;
  float rope_base = 10000.0f;

  int32_t head_dim() const { return n_embd / n_head; }         // D
  int32_t q_dim() const { return n_head * head_dim(); }        // H*D = C
  int32_t kv_dim() const { return n_head_kv * head_dim(); }    // Hkv*D
};

// InvalidArgument naming the first inconsistent field (sizes, divisibility, even head size).
Status validate_config(const ModelConfig& c);

// xoshiro256** seeded through splitmix64: the trainer's only source of randomness, so a
// seed fixes initialization and data order; its state goes into checkpoints.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  uint64_t next();
  double uniform();                  // [0, 1)
  float normal(float stddev);        // Box-Muller, one draw per call
  uint64_t below(uint64_t n);        // [0, n); Requires: n > 0
  uint64_t state[4];
};

}  // namespace ondo::train
