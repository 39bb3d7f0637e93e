// LoRA deltas of one batch step (apply.h). Layer: model.
#include "ondo/model/lora/apply.h"

#include <algorithm>

namespace ondo::model {

// Groups pass by pass: pass j holds, for each adapter at position j of some token's set (in
// order of first appearance), the tokens that use it there.
LoraStep::LoraStep(std::span<const BatchToken> batch, LoraScratch& scratch, core::MatmulScratch& mm,
                   core::ThreadPool& pool)
    : s_(scratch), mm_(mm), pool_(pool) {
  s_.groups.clear();
  s_.rows.clear();
  s_.scales.clear();
  size_t passes = 0;
  for (const BatchToken& t : batch) {
    if (t.lora) passes = std::max(passes, t.lora->uses.size());
  }
  for (size_t j = 0; j < passes; ++j) {
    const size_t pass_begin = s_.groups.size();
    for (size_t t = 0; t < batch.size(); ++t) {
      const LoraSet* set = batch[t].lora;
      if (!set || set->uses.size() <= j) continue;
      const LoraAdapter* a = set->uses[j].adapter.get();
      bool seen = false;
      for (size_t g = pass_begin; g < s_.groups.size() && !seen; ++g) seen = s_.groups[g].adapter == a;
      if (seen) continue;
      LoraScratch::Group g{a, s_.rows.size(), 0};
      for (size_t u = t; u < batch.size(); ++u) {
        const LoraSet* su = batch[u].lora;
        if (!su || su->uses.size() <= j || su->uses[j].adapter.get() != a) continue;
        s_.rows.push_back(int32_t(u));
        s_.scales.push_back(su->uses[j].scale);
      }
      g.end = s_.rows.size();
      s_.groups.push_back(g);
    }
  }
}

void LoraStep::add(int32_t layer, LoraTarget target, const float* x, int64_t n_in, float* y, int64_t n_out) const {
  for (const LoraScratch::Group& g : s_.groups) {
    const LoraPair* p = g.adapter->pair(layer, target);
    if (!p) continue;
    const int64_t n = int64_t(g.end - g.begin), rank = p->a.rows();
    if (s_.xa.size() < size_t(n * n_in)) s_.xa.resize(size_t(n * n_in));
    if (s_.ta.size() < size_t(n * rank)) s_.ta.resize(size_t(n * rank));
    if (s_.d.size() < size_t(n * n_out)) s_.d.resize(size_t(n * n_out));
    // xa [n][n_in] = the group's rows of x
    for (int64_t i = 0; i < n; ++i) {
      std::copy_n(x + int64_t(s_.rows[g.begin + size_t(i)]) * n_in, n_in, s_.xa.data() + i * n_in);
    }
    // ta [n][rank] = xa A^T; d [n][n_out] = ta B^T (F16 pairs round their inputs to F16).
    // Small products run inline; either way the bits are the same (batch-invariant matmul).
    // (A pool of one participant has no worker threads: it runs on this thread; waking the
    // shared pool's workers hundreds of times a step costs more than these products.)
    constexpr int64_t kInlineMacs = int64_t(1) << 22;
    thread_local core::ThreadPool inline_pool(1);
    core::ThreadPool& pool = n * rank * (n_in + n_out) < kInlineMacs ? inline_pool : pool_;
    core::matmul(p->a, s_.xa.data(), n, s_.ta.data(), rank, mm_, pool);
    core::matmul(p->b, s_.ta.data(), n, s_.d.data(), n_out, mm_, pool);
    // y[row] += effective_scale·d, the scaled delta rounded before the add as llama.cpp does
    for (int64_t i = 0; i < n; ++i) {
      const float s = p->effective_scale(s_.scales[g.begin + size_t(i)]);
      float* yr = y + int64_t(s_.rows[g.begin + size_t(i)]) * n_out;
      const float* dr = s_.d.data() + i * n_out;
      for (int64_t k = 0; k < n_out; ++k) {
        const float v = dr[k] * s;
        yr[k] += v;
      }
    }
  }
}

}  // namespace ondo::model
