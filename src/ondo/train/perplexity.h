// compute_perplexity: perplexity of a model on text, and with a base model the KL divergence
// of its next-token distributions from the base's -- the quality measure of a quantization
// (`ondo perplexity`; llama.cpp's perplexity / --kl-divergence ideas, our code). Layer: train.
//
// Each chunk is one sequence from position 0 (calibration.h); as llama.cpp's perplexity does,
// only the second half of each chunk is scored (positions chunk/2 .. chunk-2 predicting the
// next token), so every scored token has at least chunk/2 tokens of context.
// Thread contract: as compute_imatrix (Background leases, one per chunk and model; cancel
// through the progress callback returning false: Cancelled).
// Errors: load errors of either model, make_chunks' errors, a base with another vocabulary
// size (InvalidArgument).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "ondo/core/compute_pool.h"
#include "ondo/core/result.h"
#include "ondo/train/calibration.h"

namespace ondo::train {

struct PerplexityOptions {
  std::filesystem::path model;
  std::filesystem::path kl_base;  // optional: the reference model (e.g. the F32 file)
  ChunkSource source;
};

struct PerplexityResult {
  int32_t n_chunks = 0;
  int64_t n_scored = 0;    // predictions scored
  double nll = 0;          // mean negative log-likelihood (nats)
  double ppl = 0;          // exp(nll)
  double ppl_stderr = 0;   // standard error of ppl (from the nll's, delta method)
  bool has_base = false;   // the fields below are set with a base model
  double base_ppl = 0;
  double kld_mean = 0;     // mean KL(base || model) per scored token (nats)
  double kld_stderr = 0;
  double kld_max = 0;
  double top1_agree = 0;   // share of scored tokens where both models' argmax agree
};

struct PerplexityProgress {
  int32_t chunk = 0;
  int32_t n_chunks = 0;
  double ppl_so_far = 0;
};
using PerplexityProgressFn = std::function<bool(const PerplexityProgress&)>;

Result<PerplexityResult> compute_perplexity(const PerplexityOptions& options, core::ComputePool& pool,
                                            const PerplexityProgressFn& progress = {});

// Log-softmax of one row of logits, in double. Exposed for tests.
void log_softmax(const float* logits, int64_t n, double* out);

}  // namespace ondo::train
