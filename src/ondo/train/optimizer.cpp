// AdamW, learning-rate schedule and gradient clipping. Layer: train.
#include "ondo/train/optimizer.h"

#include <algorithm>
#include <cmath>

namespace ondo::train {

float lr_at(const OptimizerOptions& o, int64_t step) {
  if (o.warmup > 0 && step < o.warmup) return o.lr * float(step + 1) / float(o.warmup);
  const int64_t decay_steps = std::max<int64_t>(1, o.total_steps - o.warmup);
  const double progress = std::min(1.0, double(step - o.warmup) / double(decay_steps));
  const double cosine = 0.5 * (1.0 + std::cos(3.141592653589793 * progress));
  return float(o.lr * (o.min_lr_ratio + (1.0 - o.min_lr_ratio) * cosine));
}

double grad_norm(const float* g, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += double(g[i]) * double(g[i]);
  return std::sqrt(s);
}

double adamw_step(const OptimizerOptions& o, int64_t step, const ParamLayout& layout, float* params, float* grads,
                  AdamState& st, core::ThreadPool& pool) {
  const double norm = grad_norm(grads, layout.n_params);
  const float scale = (o.clip > 0 && norm > o.clip) ? float(o.clip / norm) : 1.0f;
  st.t += 1;
  const float lr = lr_at(o, step);
  const float bc1 = 1.0f - float(std::pow(double(o.beta1), double(st.t)));
  const float bc2 = 1.0f - float(std::pow(double(o.beta2), double(st.t)));
  pool.run([&](int ith, int nth) {
    for (const ParamTensor& t : layout.tensors) {
      int64_t i0, i1;
      core::split_range(t.size(), ith, nth, &i0, &i1);
      const float wd = t.decay ? o.weight_decay : 0.0f;
      float* p = params + t.offset;
      const float* g = grads + t.offset;
      float* m = st.m.data() + t.offset;
      float* v = st.v.data() + t.offset;
      for (int64_t i = i0; i < i1; ++i) {
        // m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m^/(sqrt(v^)+eps) + wd p)
        const float gi = g[i] * scale;
        m[i] = o.beta1 * m[i] + (1.0f - o.beta1) * gi;
        v[i] = o.beta2 * v[i] + (1.0f - o.beta2) * gi * gi;
        const float mh = m[i] / bc1, vh = v[i] / bc2;
        p[i] -= lr * (mh / (std::sqrt(vh) + o.eps) + wd * p[i]);
      }
    }
  });
  return norm;
}

}  // namespace ondo::train
