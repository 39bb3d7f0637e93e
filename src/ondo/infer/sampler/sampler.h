// Sampler: turns a row of logits into the next token id. Layer: infer.
// Chain (llama.cpp's order): logit bias -> repeat/frequency/presence penalties -> top-k ->
// top-p -> min-p -> temperature -> draw. temperature <= 0 is greedy (argmax, ties to the
// lowest id). Same seed and same inputs give the same tokens.
// Thread contract: one sampler per sequence; not shared. sample() and accept() do not allocate.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::infer {

struct SamplerParams {
  float temperature = 0.8f;
  int32_t top_k = 40;            // <= 0: off
  float top_p = 0.95f;           // >= 1: off
  float min_p = 0.05f;           // <= 0: off
  float repeat_penalty = 1.0f;   // 1: off
  int32_t repeat_last_n = 64;    // window of the penalties
  float frequency_penalty = 0.0f;
  float presence_penalty = 0.0f;
  uint64_t seed = 0;
  std::vector<std::pair<int32_t, float>> logit_bias;  // added to logits before everything
};

// Checks ranges; errors name the parameter.
Status validate(const SamplerParams& p);

class Sampler {
 public:
  Sampler(SamplerParams params, int32_t n_vocab);

  // Picks the next token from `logits` (n_vocab values).
  int32_t sample(std::span<const float> logits);
  // Records a token (prompt or generated) for the penalties.
  void accept(int32_t token);
  void reset();

  // One entry of the cut chain's working list (public for the .cpp's helper functions).
  struct Candidate { int32_t id; float logit; float p; };

 private:
  double uniform();  // [0, 1), 53 random bits
  bool penalizes() const;
  SamplerParams p_;
  int32_t n_vocab_;
  uint64_t state_;
  std::vector<int32_t> recent_;  // the last repeat_last_n tokens, a ring once full
  size_t recent_head_ = 0;       // the oldest entry when full
  std::vector<int32_t> counts_;  // [n_vocab] per-sample scratch for the penalties

  std::vector<float> work_;
  std::vector<Candidate> cand_;  // working list of the cut path, reused across samples
};

}  // namespace ondo::infer
