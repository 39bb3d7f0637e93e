// Causal attention forward/backward written once over a kernel policy K (K::dot(a, b, n),
// K::axpy(y, alpha, x, n): y += alpha x), instantiated scalar (attention.cpp) and AVX2
// (attention_avx2.cpp). Layer: train. Internal to train/.
#pragma once

// Only C library calls inside (no std:: inline templates), so the AVX2 instantiation cannot
// lend AVX2 code to scalar callers through a shared inline function.
#include <math.h>
#include <string.h>

#include <vector>

#include "ondo/train/ops.h"

namespace ondo::train {

void attention_forward_avx2(const float* q, const float* k, const float* v, const AttnShape& a, float* probs,
                            float* out, core::ThreadPool& pool);
void attention_backward_avx2(const float* q, const float* k, const float* v, const float* probs, const float* dout,
                             const AttnShape& a, float* dq, float* dk, float* dv, float* dp,
                             core::ThreadPool& pool);

template <class K>
void attention_forward_impl(const float* q, const float* k, const float* v, const AttnShape& a, float* probs, float* out,
                       core::ThreadPool& pool) {
  const int64_t S = a.S, QD = int64_t(a.H) * a.D, KVD = int64_t(a.Hkv) * a.D;
  const int group = a.H / a.Hkv, D = a.D;
  const float scale = 1.0f / sqrtf(float(D));
  pool.run([&](int ith, int nth) {
    for (int64_t task = ith; task < a.B * a.H; task += nth) {
      const int64_t b = task / a.H;
      const int h = int(task % a.H), hk = h / group;
      for (int64_t i = 0; i < S; ++i) {
        const int64_t ti = b * S + i;
        const float* qi = q + ti * QD + int64_t(h) * D;
        float* p = probs + ((b * a.H + h) * S + i) * S;
        // p[j] = softmax_j(q_i . k_j * scale), j <= i
        float mx = -INFINITY;
        for (int64_t j = 0; j <= i; ++j) {
          p[j] = K::dot(qi, k + (b * S + j) * KVD + int64_t(hk) * D, D) * scale;
          mx = p[j] > mx ? p[j] : mx;
        }
        float sum = 0.0f;
        for (int64_t j = 0; j <= i; ++j) sum += (p[j] = expf(p[j] - mx));
        const float inv = 1.0f / sum;
        for (int64_t j = 0; j <= i; ++j) p[j] *= inv;
        for (int64_t j = i + 1; j < S; ++j) p[j] = 0.0f;
        // out_i = sum_j p[j] v_j
        float* o = out + ti * QD + int64_t(h) * D;
        memset(o, 0, sizeof(float) * size_t(D));
        for (int64_t j = 0; j <= i; ++j) {
          const float* vj = v + (b * S + j) * KVD + int64_t(hk) * D;
          K::axpy(o, p[j], vj, D);
        }
      }
    }
  });
}

template <class K>
void attention_backward_impl(const float* q, const float* k, const float* v, const float* probs, const float* dout,
                        const AttnShape& a, float* dq, float* dk, float* dv, float* dp_all,
                        core::ThreadPool& pool) {
  const int64_t S = a.S, QD = int64_t(a.H) * a.D, KVD = int64_t(a.Hkv) * a.D;
  const int group = a.H / a.Hkv, D = a.D;
  const float scale = 1.0f / sqrtf(float(D));
  // One task per (sequence, kv head) so the dk/dv rows a task adds into are its own.
  pool.run([&](int ith, int nth) {
    float* dp = dp_all + size_t(ith) * size_t(S);
    for (int64_t task = ith; task < a.B * a.Hkv; task += nth) {
      const int64_t b = task / a.Hkv;
      const int hk = int(task % a.Hkv);
      for (int64_t j = 0; j < S; ++j) {
        memset(dk + (b * S + j) * KVD + int64_t(hk) * D, 0, sizeof(float) * size_t(D));
        memset(dv + (b * S + j) * KVD + int64_t(hk) * D, 0, sizeof(float) * size_t(D));
      }
      for (int h = hk * group; h < (hk + 1) * group; ++h) {
        for (int64_t i = 0; i < S; ++i) {
          const int64_t ti = b * S + i;
          const float* p = probs + ((b * a.H + h) * S + i) * S;
          const float* go = dout + ti * QD + int64_t(h) * D;
          const float* qi = q + ti * QD + int64_t(h) * D;
          // dp[j] = dout_i . v_j; dv_j += p[j] dout_i
          float sum = 0.0f;
          for (int64_t j = 0; j <= i; ++j) {
            const int64_t o = (b * S + j) * KVD + int64_t(hk) * D;
            dp[j] = K::dot(go, v + o, D);
            sum += p[j] * dp[j];
            K::axpy(dv + o, p[j], go, D);
          }
          // ds[j] = p[j] (dp[j] - sum_j p dp); dq_i = scale sum_j ds[j] k_j; dk_j += scale ds[j] q_i
          float* gq = dq + ti * QD + int64_t(h) * D;
          memset(gq, 0, sizeof(float) * size_t(D));
          for (int64_t j = 0; j <= i; ++j) {
            const float ds = p[j] * (dp[j] - sum) * scale;
            const int64_t o = (b * S + j) * KVD + int64_t(hk) * D;
            K::axpy(gq, ds, k + o, D);
            K::axpy(dk + o, ds, qi, D);
          }
        }
      }
    }
  });
}

}  // namespace ondo::train
