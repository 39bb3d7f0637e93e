// Text cut into evaluation chunks for `ondo imatrix` and `ondo perplexity`, and a runner that
// evaluates one chunk as one sequence on the pool at Background priority (jobs run below
// serving). Layer: train (uses infer's KV cache, model, text).
//
// Chunking follows llama.cpp's imatrix and perplexity tools (facts only): the whole text is
// tokenized once (with the vocabulary's BOS), cut into consecutive chunks of `chunk` tokens
// (the tail that does not fill a chunk is dropped), and the first token of each chunk is
// replaced by BOS when the vocabulary adds one.
// Thread contract: ChunkRunner is used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/core/result.h"
#include "ondo/infer/kv_cache/kv_cache.h"
#include "ondo/model/model.h"
#include "ondo/text/tokenizer.h"

namespace ondo::train {

// Where the calibration or evaluation tokens come from: a text file, or (text_file empty)
// `random_chunks` chunks of uniformly drawn token ids (seeded), e.g. to compare an imatrix
// computed from real text with one computed from noise.
struct ChunkSource {
  std::filesystem::path text_file;
  int32_t random_chunks = 0;
  uint64_t seed = 1;
  int32_t chunk = 512;     // tokens per chunk, >= 2
  int32_t max_chunks = 0;  // 0: every whole chunk of the text
  bool parse_special = false;  // control-token text in the file ("<|im_start|>") becomes those tokens
};

// Errors: InvalidArgument for chunk < 2, neither a file nor random chunks, a text shorter
// than one chunk (naming the file and both counts); NotFound for an unreadable file.
Result<std::vector<std::vector<int32_t>>> make_chunks(const ChunkSource& src, const text::Tokenizer& tok);

// Evaluates chunks one at a time, each from position 0.
class ChunkRunner {
 public:
  // Requires: `model` and `pool` outlive the runner. Error for an encoder model.
  static Result<std::unique_ptr<ChunkRunner>> create(const model::Model& model, core::ComputePool& pool, int32_t chunk);
  // Logits of every token ([n][n_vocab]) when `all_logits`, else only the last token's.
  Result<std::span<const float>> eval(std::span<const int32_t> tokens, bool all_logits);

 private:
  ChunkRunner(const model::Model& model, core::ComputePool& pool, infer::KvCache kv, int32_t chunk);
  const model::Model& model_;
  core::ComputePool& pool_;
  infer::KvCache kv_;
  int32_t chunk_;
  model::ForwardScratch scratch_;
  std::vector<model::BatchToken> batch_;
  std::vector<float> logits_;
};

}  // namespace ondo::train
