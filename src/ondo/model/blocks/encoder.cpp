// Encoder steps (encoder.h). Layer: model.
#include "ondo/model/blocks/encoder.h"

#include <algorithm>
#include <cmath>

#include "ondo/core/check.h"
#include "ondo/core/kernels/attention.h"

namespace ondo::model::blocks {

namespace {

// Attention within each sequence of s.seq_starts: token t over its sequence's first token up
// to the sequence's end (both ways) or up to t itself (causal).
void sequence_attention(core::ThreadPool& pool, const HParams& hp, ForwardScratch& s, bool causal) {
  const int64_t T = s.seq_starts.empty() ? 0 : s.seq_starts.back();
  const int H = hp.n_head, D = hp.head_dim, group = hp.n_head / hp.n_head_kv;
  const int64_t QD = hp.q_dim(), KVD = hp.kv_dim();
  const float scale = 1.0f / std::sqrt(float(D));
  const core::AttendFn attend = core::best_attend();
  pool.run([&](int ith, int nth) {
    float* sc = s.scores.data() + size_t(ith) * size_t(s.n_ctx);
    int64_t i0, i1;
    core::split_range(T * H, ith, nth, &i0, &i1);
    size_t seq = 0;  // the sequence of token t: seq_starts[seq] <= t < seq_starts[seq + 1]
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t t = i / H;
      const int h = int(i % H), hkv = h / group;
      while (int64_t(s.seq_starts[seq + 1]) <= t) ++seq;
      const int64_t first = s.seq_starts[seq], n = (causal ? t + 1 : s.seq_starts[seq + 1]) - first;
      const float* kbase = s.k.data() + first * KVD + int64_t(hkv) * D;
      const float* vbase = s.v.data() + first * KVD + int64_t(hkv) * D;
      attend(s.q.data() + t * QD + int64_t(h) * D, kbase, vbase, KVD, int32_t(n), D, scale, sc,
             s.attn.data() + t * QD + int64_t(h) * D);
    }
  });
}

}  // namespace

void bidirectional_attention(core::ThreadPool& pool, const HParams& hp, ForwardScratch& s) {
  sequence_attention(pool, hp, s, false);
}

void causal_sequence_attention(core::ThreadPool& pool, const HParams& hp, ForwardScratch& s) {
  sequence_attention(pool, hp, s, true);
}

void pool_sequences(Pooling pooling, const ForwardScratch& s, const float* x, int64_t C, float* out) {
  ONDO_CHECK(pooling != Pooling::None);
  for (size_t q = 0; q + 1 < s.seq_starts.size(); ++q) {
    const int64_t first = s.seq_starts[q], end = s.seq_starts[q + 1];
    float* o = out + int64_t(q) * C;
    switch (pooling) {
      case Pooling::Cls:
      case Pooling::Rank: std::copy_n(x + first * C, C, o); break;
      case Pooling::Last: std::copy_n(x + (end - 1) * C, C, o); break;
      default: {
        std::fill_n(o, C, 0.0f);
        for (int64_t t = first; t < end; ++t) {
          for (int64_t c = 0; c < C; ++c) o[c] += x[t * C + c];
        }
        const float inv_n = 1.0f / float(end - first);
        for (int64_t c = 0; c < C; ++c) o[c] *= inv_n;
        break;
      }
    }
  }
}

}  // namespace ondo::model::blocks
