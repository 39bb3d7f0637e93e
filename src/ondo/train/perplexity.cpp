// compute_perplexity (perplexity.h). Layer: train.
#include "ondo/train/perplexity.h"

#include <algorithm>
#include <cmath>

namespace ondo::train {

void log_softmax(const float* logits, int64_t n, double* out) {
  double mx = logits[0];
  for (int64_t i = 1; i < n; ++i) mx = std::max(mx, double(logits[i]));
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(double(logits[i]) - mx);
  const double lse = mx + std::log(sum);
  for (int64_t i = 0; i < n; ++i) out[i] = double(logits[i]) - lse;
}

namespace {

struct Loaded {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<ChunkRunner> runner;
};

Result<Loaded> load(const std::filesystem::path& path, core::ComputePool& pool, int32_t chunk) {
  Loaded l;
  ONDO_ASSIGN_OR_RETURN(l.model, model::Model::load(path));
  ONDO_ASSIGN_OR_RETURN(l.runner, ChunkRunner::create(*l.model, pool, chunk));
  return l;
}

int64_t argmax(const double* v, int64_t n) { return int64_t(std::max_element(v, v + n) - v); }

// Running sums of the scored tokens.
struct Sums {
  double nll = 0, nll2 = 0, base_nll = 0, kld = 0, kld2 = 0, kld_max = 0;
  int64_t n = 0, agree = 0;
};

void score_chunk(const std::vector<int32_t>& c, std::span<const float> logits, const float* base, int64_t V, Sums& s) {
  std::vector<double> lq(static_cast<size_t>(V)), lp(static_cast<size_t>(V));
  const size_t first = c.size() / 2;
  for (size_t j = first; j + 1 < c.size(); ++j) {
    log_softmax(logits.data() + j * size_t(V), V, lq.data());
    const double nll = -lq[size_t(c[j + 1])];
    s.nll += nll;
    s.nll2 += nll * nll;
    ++s.n;
    if (base == nullptr) continue;
    log_softmax(base + j * size_t(V), V, lp.data());
    s.base_nll -= lp[size_t(c[j + 1])];
    // KL(p || q) = sum_v p_v (log p_v - log q_v)
    double kld = 0;
    for (int64_t v = 0; v < V; ++v) kld += std::exp(lp[size_t(v)]) * (lp[size_t(v)] - lq[size_t(v)]);
    kld = std::max(kld, 0.0);
    s.kld += kld;
    s.kld2 += kld * kld;
    s.kld_max = std::max(s.kld_max, kld);
    s.agree += argmax(lp.data(), V) == argmax(lq.data(), V);
  }
}

}  // namespace

Result<PerplexityResult> compute_perplexity(const PerplexityOptions& o, core::ComputePool& pool,
                                            const PerplexityProgressFn& progress) {
  if (o.source.chunk < 4) return make_error(ErrorCode::InvalidArgument, "chunk size " + std::to_string(o.source.chunk) + " is too small to score (at least 4)");
  ONDO_ASSIGN_OR_RETURN(Loaded m, load(o.model, pool, o.source.chunk));
  Loaded base;
  if (!o.kl_base.empty()) {
    ONDO_ASSIGN_OR_RETURN(base, load(o.kl_base, pool, o.source.chunk));
    if (base.model->hparams().n_vocab != m.model->hparams().n_vocab) {
      return make_error(ErrorCode::InvalidArgument, o.kl_base.string() + ": vocabulary of " +
                                                        std::to_string(base.model->hparams().n_vocab) + " tokens, but " +
                                                        o.model.string() + " has " +
                                                        std::to_string(m.model->hparams().n_vocab));
    }
  }
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<text::Tokenizer> tok, text::Tokenizer::from_gguf(m.model->file()));
  ONDO_ASSIGN_OR_RETURN(std::vector<std::vector<int32_t>> chunks, make_chunks(o.source, *tok));
  const int64_t V = m.model->hparams().n_vocab;

  Sums s;
  std::vector<float> base_logits;
  PerplexityProgress p;
  p.n_chunks = int32_t(chunks.size());
  for (const std::vector<int32_t>& c : chunks) {
    if (base.runner) {
      ONDO_ASSIGN_OR_RETURN(std::span<const float> bl, base.runner->eval(c, true));
      base_logits.assign(bl.begin(), bl.end());
    }
    ONDO_ASSIGN_OR_RETURN(std::span<const float> logits, m.runner->eval(c, true));
    score_chunk(c, logits, base.runner ? base_logits.data() : nullptr, V, s);
    ++p.chunk;
    p.ppl_so_far = std::exp(s.nll / double(s.n));
    if (progress && !progress(p)) {
      return make_error(ErrorCode::Cancelled, "perplexity cancelled after " + std::to_string(p.chunk) + " of " +
                                                  std::to_string(p.n_chunks) + " chunks");
    }
  }
  PerplexityResult r;
  const double n = double(s.n);
  r.n_chunks = p.n_chunks;
  r.n_scored = s.n;
  r.nll = s.nll / n;
  r.ppl = std::exp(r.nll);
  const double var = std::max(0.0, s.nll2 / n - r.nll * r.nll);
  r.ppl_stderr = r.ppl * std::sqrt(var / std::max(1.0, n - 1));
  if (base.runner) {
    r.has_base = true;
    r.base_ppl = std::exp(s.base_nll / n);
    r.kld_mean = s.kld / n;
    r.kld_stderr = std::sqrt(std::max(0.0, s.kld2 / n - r.kld_mean * r.kld_mean) / std::max(1.0, n - 1));
    r.kld_max = s.kld_max;
    r.top1_agree = double(s.agree) / n;
  }
  return r;
}

}  // namespace ondo::train
