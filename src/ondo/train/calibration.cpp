// Chunks of calibration / evaluation text and the chunk runner (calibration.h). Layer: train.
#include "ondo/train/calibration.h"

#include <fstream>
#include <random>
#include <sstream>

namespace ondo::train {
namespace {

text::EncodeOptions encode_options(const ChunkSource& src) {
  text::EncodeOptions o;
  o.parse_special = src.parse_special;
  return o;
}

}  // namespace

Result<std::vector<std::vector<int32_t>>> make_chunks(const ChunkSource& src, const text::Tokenizer& tok) {
  if (src.chunk < 2) {
    return make_error(ErrorCode::InvalidArgument, "chunk size " + std::to_string(src.chunk) + " is too small (at least 2)");
  }
  if (src.max_chunks < 0) return make_error(ErrorCode::InvalidArgument, "chunk count must be >= 0");
  std::vector<std::vector<int32_t>> chunks;
  const bool bos = tok.add_bos() && tok.bos_id() >= 0;
  if (src.text_file.empty()) {
    if (src.random_chunks < 1) {
      return make_error(ErrorCode::InvalidArgument, "no text file given and no random chunks asked for");
    }
    std::mt19937_64 rng(src.seed);
    std::uniform_int_distribution<int32_t> id(0, tok.n_vocab() - 1);
    for (int32_t c = 0; c < src.random_chunks; ++c) {
      std::vector<int32_t> t(size_t(src.chunk));
      for (int32_t& x : t) x = id(rng);
      if (bos) t[0] = tok.bos_id();
      chunks.push_back(std::move(t));
    }
    return chunks;
  }
  std::ifstream in(src.text_file, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, src.text_file.string() + ": cannot open the text file");
  std::stringstream ss;
  ss << in.rdbuf();
  ONDO_ASSIGN_OR_RETURN(std::vector<int32_t> tokens, tok.encode(ss.str(), encode_options(src)));
  const size_t n = tokens.size() / size_t(src.chunk);
  if (n == 0) {
    return make_error(ErrorCode::InvalidArgument, src.text_file.string() + ": " + std::to_string(tokens.size()) +
                                                      " tokens, fewer than one chunk of " + std::to_string(src.chunk) +
                                                      " (give more text or a smaller chunk)");
  }
  const size_t keep = src.max_chunks > 0 ? std::min(n, size_t(src.max_chunks)) : n;
  for (size_t c = 0; c < keep; ++c) {
    std::vector<int32_t> t(tokens.begin() + long(c * size_t(src.chunk)), tokens.begin() + long((c + 1) * size_t(src.chunk)));
    if (bos) t[0] = tok.bos_id();
    chunks.push_back(std::move(t));
  }
  return chunks;
}

Result<std::unique_ptr<ChunkRunner>> ChunkRunner::create(const model::Model& model, core::ComputePool& pool, int32_t chunk) {
  if (model.kind() != model::ModelKind::Generate) {
    return make_error(ErrorCode::InvalidArgument, model.file().name() + ": an embedding model has no next-token logits");
  }
  ONDO_ASSIGN_OR_RETURN(infer::KvCache kv, infer::KvCache::create(model.hparams(), 1, chunk));
  return std::unique_ptr<ChunkRunner>(new ChunkRunner(model, pool, std::move(kv), chunk));
}

ChunkRunner::ChunkRunner(const model::Model& model, core::ComputePool& pool, infer::KvCache kv, int32_t chunk)
    : model_(model), pool_(pool), kv_(std::move(kv)), chunk_(chunk), scratch_(model.hparams(), chunk, chunk, pool.size()) {}

Result<std::span<const float>> ChunkRunner::eval(std::span<const int32_t> tokens, bool all_logits) {
  if (tokens.empty() || int64_t(tokens.size()) > chunk_) {
    return make_error(ErrorCode::InvalidArgument, "chunk of " + std::to_string(tokens.size()) + " tokens (expected 1.." +
                                                      std::to_string(chunk_) + ")");
  }
  const int32_t V = model_.hparams().n_vocab;
  for (int32_t t : tokens) {
    if (t < 0 || t >= V) return make_error(ErrorCode::InvalidArgument, "token id " + std::to_string(t) + " out of range");
  }
  batch_.clear();
  for (size_t i = 0; i < tokens.size(); ++i) {
    batch_.push_back({tokens[i], int32_t(i), 0, all_logits || i + 1 == tokens.size()});
  }
  logits_.resize(size_t(all_logits ? tokens.size() : 1) * size_t(V));
  const core::ComputePool::Lease lease = pool_.acquire(core::Priority::Background);
  ONDO_TRY(model_.forward(batch_, kv_.store(), scratch_, lease.pool(), logits_.data()));
  return std::span<const float>(logits_);
}

}  // namespace ondo::train
