// The sampling chain. Layer: infer.
#include "ondo/infer/sampler/sampler.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ondo::infer {
namespace {

// Orders candidates by logit descending, ties by id ascending (deterministic).
bool better(const Sampler::Candidate& a, const Sampler::Candidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

float max_logit(const std::vector<Sampler::Candidate>& c) {
  float mx = c[0].logit;
  for (const auto& x : c) mx = std::max(mx, x.logit);
  return mx;
}

// p = softmax(logit) over the candidates (in any order).
void softmax_candidates(std::vector<Sampler::Candidate>& c) {
  if (c.empty()) return;
  const float mx = max_logit(c);
  double sum = 0.0;
  for (auto& x : c) {
    x.p = std::exp(x.logit - mx);
    sum += x.p;
  }
  for (auto& x : c) x.p = float(x.p / sum);
}

}  // namespace

Status validate(const SamplerParams& p) {
  auto bad = [](const std::string& what) { return make_error(ErrorCode::InvalidArgument, what); };
  if (!(p.temperature >= 0.0f) || p.temperature > 100.0f) return bad("temperature must be between 0 and 100");
  if (!(p.top_p > 0.0f) || p.top_p > 1.0f) return bad("top_p must be in (0, 1]");
  if (!(p.min_p >= 0.0f) || p.min_p > 1.0f) return bad("min_p must be in [0, 1]");
  if (!(p.repeat_penalty > 0.0f) || p.repeat_penalty > 100.0f) return bad("repeat_penalty must be in (0, 100]");
  if (p.repeat_last_n < 0) return bad("repeat_last_n must not be negative");
  if (!std::isfinite(p.frequency_penalty) || std::fabs(p.frequency_penalty) > 2.0f) return bad("frequency_penalty must be in [-2, 2]");
  if (!std::isfinite(p.presence_penalty) || std::fabs(p.presence_penalty) > 2.0f) return bad("presence_penalty must be in [-2, 2]");
  return ok_status();
}

Sampler::Sampler(SamplerParams params, int32_t n_vocab)
    : p_(std::move(params)), n_vocab_(n_vocab), state_(p_.seed) {
  work_.resize(size_t(n_vocab));
  cand_.reserve(size_t(n_vocab));
  if (p_.repeat_last_n > 0) recent_.reserve(size_t(p_.repeat_last_n));
  if (penalizes()) counts_.assign(size_t(n_vocab), 0);
}

bool Sampler::penalizes() const {
  return p_.repeat_penalty != 1.0f || p_.frequency_penalty != 0.0f || p_.presence_penalty != 0.0f;
}

double Sampler::uniform() {
  // splitmix64: a fixed, portable generator so the same seed gives the same stream anywhere.
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return double(z >> 11) * (1.0 / 9007199254740992.0);
}

void Sampler::accept(int32_t token) {
  if (p_.repeat_last_n <= 0) return;
  if (recent_.size() < size_t(p_.repeat_last_n)) {
    recent_.push_back(token);
  } else {  // full: overwrite the oldest
    recent_[recent_head_] = token;
    recent_head_ = (recent_head_ + 1) % recent_.size();
  }
}

void Sampler::reset() {
  recent_.clear();
  recent_head_ = 0;
  state_ = p_.seed;
}

int32_t Sampler::sample(std::span<const float> logits) {
  std::copy(logits.begin(), logits.end(), work_.begin());
  for (const auto& [id, bias] : p_.logit_bias) {
    if (id >= 0 && id < n_vocab_) work_[size_t(id)] += bias;
  }
  // penalties over the recent window (llama.cpp semantics)
  // (each distinct id once, with its count; counts_ is all zeros between calls)
  if (!counts_.empty() && !recent_.empty()) {
    for (int32_t t : recent_) {
      if (t >= 0 && t < n_vocab_) ++counts_[size_t(t)];
    }
    for (int32_t id : recent_) {
      if (id < 0 || id >= n_vocab_ || counts_[size_t(id)] == 0) continue;
      const int n = counts_[size_t(id)];
      counts_[size_t(id)] = 0;
      float& l = work_[size_t(id)];
      l = l > 0.0f ? l / p_.repeat_penalty : l * p_.repeat_penalty;
      l -= float(n) * p_.frequency_penalty + p_.presence_penalty;
    }
  }
  cand_.clear();
  if (p_.temperature <= 0.0f) {
    int32_t best = 0;
    for (int32_t i = 1; i < n_vocab_; ++i) {
      if (work_[size_t(i)] > work_[size_t(best)]) best = i;
    }
    return best;
  }
  const bool cuts = (p_.top_k > 0 && p_.top_k < n_vocab_) || p_.top_p < 1.0f || p_.min_p > 0.0f;
  if (!cuts) {
    // nothing cut (ondo serve's defaults): the arithmetic of the candidate path below, in
    // place over the logits, without building 128k candidates
    float mx = -INFINITY;
    for (float& l : work_) {
      l /= p_.temperature;
      mx = std::max(mx, l);
    }
    double sum = 0.0;
    for (float& l : work_) {
      l = std::exp(l - mx);
      sum += l;
    }
    const double r = uniform();
    double cum = 0.0;
    for (int32_t i = 0; i < n_vocab_; ++i) {
      cum += float(work_[size_t(i)] / sum);
      if (r < cum) return i;
    }
    return n_vocab_ - 1;
  }
  for (int32_t i = 0; i < n_vocab_; ++i) cand_.push_back({i, work_[size_t(i)], 0.0f});
  // Candidates are sorted (logit descending) only as far as a cut needs: a full sort of a
  // 128k vocabulary costs ~10 ms a token, more than the forward pass of a 1B model.
  bool sorted = false;
  if (p_.top_k > 0 && p_.top_k < n_vocab_) {
    std::partial_sort(cand_.begin(), cand_.begin() + p_.top_k, cand_.end(), better);
    cand_.resize(size_t(p_.top_k));
    sorted = true;
  }
  if (p_.top_p < 1.0f) {
    // the smallest most-likely prefix whose probability reaches top_p: sort a growing prefix
    const float mx = max_logit(cand_);
    double total = 0.0;
    for (const auto& c : cand_) total += std::exp(double(c.logit) - mx);
    size_t k = sorted ? cand_.size() : std::min<size_t>(256, cand_.size());
    while (true) {
      if (!sorted || k < cand_.size()) std::partial_sort(cand_.begin(), cand_.begin() + ptrdiff_t(k), cand_.end(), better);
      double cum = 0.0;
      size_t keep = 0;
      for (size_t i = 0; i < k; ++i) {
        cum += std::exp(double(cand_[i].logit) - mx) / total;
        if (cum >= p_.top_p) { keep = i + 1; break; }
      }
      if (keep > 0 || k == cand_.size()) {
        cand_.resize(keep > 0 ? keep : k);
        break;
      }
      k = std::min(4 * k, cand_.size());
    }
    sorted = true;
  }
  if (p_.min_p > 0.0f && cand_.size() > 1) {
    const float floor = max_logit(cand_) + std::log(p_.min_p);
    std::erase_if(cand_, [floor](const Candidate& c) { return c.logit < floor; });
  }
  for (auto& c : cand_) c.logit /= p_.temperature;
  softmax_candidates(cand_);
  const double r = uniform();
  double cum = 0.0;
  for (const auto& c : cand_) {
    cum += c.p;
    if (r < cum) return c.id;
  }
  return cand_.back().id;
}

}  // namespace ondo::infer
