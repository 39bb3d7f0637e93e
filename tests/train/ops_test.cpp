// Gradient checks of every hand-written backward pass against central finite differences,
// and the AVX2 product against the scalar one. Layer: tests/train.
#include "ondo/train/ops.h"

#include <gtest/gtest.h>

#include "ondo/train/gemm.h"
#include "gradcheck.h"

namespace ondo::train {
namespace {

using testing::expect_grad;
using testing::randn;
using testing::weighted_sum;

TEST(TrainGemm, SimdMatchesScalarOnOddShapes) {
  core::ThreadPool pool(2);
  for (auto [M, N, L] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {3, 5, 7}, {67, 9, 33}, {130, 70, 64}}) {
    auto A = randn(size_t(M * L), 1), B = randn(size_t(N * L), 2);
    std::vector<float> c1(size_t(M * N), 0.5f), c2 = c1;
    gemm_nt(A.data(), B.data(), c1.data(), M, N, L, true, pool);
    gemm_nt_scalar(A.data(), B.data(), c2.data(), M, N, L, true, pool);
    for (size_t i = 0; i < c1.size(); ++i) {
      double ref = 0.5;
      for (int64_t l = 0; l < L; ++l) ref += double(A[i / N * L + l]) * B[i % N * L + l];
      EXPECT_NEAR(c1[i], ref, 1e-4 * (1 + std::fabs(ref)));
      EXPECT_NEAR(c2[i], ref, 1e-4 * (1 + std::fabs(ref)));
    }
  }
}

TEST(TrainGemm, SameBitsForAnyThreadCount) {
  const int64_t M = 150, N = 90, L = 77;
  auto A = randn(size_t(M * L), 3), B = randn(size_t(N * L), 4);
  std::vector<float> c1(size_t(M * N)), c3(size_t(M * N));
  core::ThreadPool p1(1), p3(3);
  gemm_nt(A.data(), B.data(), c1.data(), M, N, L, false, p1);
  gemm_nt(A.data(), B.data(), c3.data(), M, N, L, false, p3);
  EXPECT_EQ(c1, c3);
}

// 45 blocks of 64 x 64 at L = 256 run as several run()s (one per few blocks per participant,
// each a preemption point for serving work): every block is computed, and the bits equal one
// participant's.
TEST(TrainGemm, SlicedRunsCoverEveryBlockWithTheSameBits) {
  const int64_t M = 520, N = 300, L = 256;
  auto A = randn(size_t(M * L), 5), B = randn(size_t(N * L), 6);
  std::vector<float> c1(size_t(M * N), 0.25f), c3 = c1;
  core::ThreadPool p1(1), p3(3);
  gemm_nt(A.data(), B.data(), c1.data(), M, N, L, true, p1);
  gemm_nt(A.data(), B.data(), c3.data(), M, N, L, true, p3);
  EXPECT_EQ(c1, c3);
  for (size_t i = 0; i < c3.size(); i += 37) {
    double ref = 0.25;
    for (int64_t l = 0; l < L; ++l) ref += double(A[i / N * L + l]) * B[i % N * L + l];
    ASSERT_NEAR(c3[i], ref, 1e-4 * (1 + std::fabs(ref))) << "element " << i;
  }
}

TEST(TrainOps, LinearGradients) {
  core::ThreadPool pool(2);
  const int64_t T = 5, K = 11, N = 7;
  auto x = randn(size_t(T * K), 5), w = randn(size_t(N * K), 6), r = randn(size_t(T * N), 7);
  std::vector<float> y(size_t(T * N)), dx(size_t(T * K)), dw(size_t(N * K), 0.0f);
  auto f = [&] {
    linear_forward(x.data(), w.data(), T, K, N, y.data(), pool);
    return weighted_sum(y.data(), r);
  };
  LinearScratch s;
  linear_backward(x.data(), w.data(), r.data(), T, K, N, dx.data(), false, dw.data(), s, pool);
  expect_grad("linear dx", x, dx, f);
  expect_grad("linear dW", w, dw, f);
}

TEST(TrainOps, RmsNormGradients) {
  const int64_t T = 3, C = 16;
  auto x = randn(size_t(T * C), 8), w = randn(size_t(C), 9), r = randn(size_t(T * C), 10);
  std::vector<float> y(size_t(T * C)), rstd(static_cast<size_t>(T)), dx(size_t(T * C)), dw(size_t(C), 0.0f);
  auto f = [&] {
    rms_norm_forward(x.data(), w.data(), 1e-5f, T, C, y.data(), rstd.data());
    return weighted_sum(y.data(), r);
  };
  f();
  rms_norm_backward(x.data(), w.data(), rstd.data(), r.data(), T, C, dx.data(), false, dw.data());
  expect_grad("rmsnorm dx", x, dx, f, 1e-3);
  expect_grad("rmsnorm dw", w, dw, f, 1e-3);
}

TEST(TrainOps, RopeGradients) {
  const int64_t T = 4;
  const int H = 2, D = 8;
  const int32_t pos[T] = {0, 3, 7, 100};
  auto x = randn(size_t(T * H * D), 11), r = randn(size_t(T * H * D), 12);
  auto f = [&] {
    std::vector<float> y = x;
    rope_forward(y.data(), T, H, D, pos, 10000.0f);
    return weighted_sum(y.data(), r);
  };
  std::vector<float> dx = r;
  rope_backward(dx.data(), T, H, D, pos, 10000.0f);
  expect_grad("rope dx", x, dx, f);
}

void check_attention(int H, int Hkv) {
  core::ThreadPool pool(2);
  const AttnShape a{2, 5, H, Hkv, 4};
  const int64_t T = a.B * a.S, QD = H * a.D, KVD = Hkv * a.D;
  auto q = randn(size_t(T * QD), 13), k = randn(size_t(T * KVD), 14), v = randn(size_t(T * KVD), 15);
  auto r = randn(size_t(T * QD), 16);
  std::vector<float> probs(size_t(a.B * H * a.S * a.S)), out(size_t(T * QD));
  auto f = [&] {
    attention_forward(q.data(), k.data(), v.data(), a, probs.data(), out.data(), pool);
    return weighted_sum(out.data(), r);
  };
  f();
  // The causal mask: row i of every head has zeros after i and sums to 1.
  for (int64_t row = 0; row < a.B * H * a.S; ++row) {
    const int64_t i = row % a.S;
    double s = 0;
    for (int64_t j = 0; j < a.S; ++j) {
      if (j > i) {
        EXPECT_EQ(probs[size_t(row * a.S + j)], 0.0f);
      }
      s += probs[size_t(row * a.S + j)];
    }
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
  std::vector<float> dq(q.size()), dk(k.size()), dv(v.size()), dp;
  attention_backward(q.data(), k.data(), v.data(), probs.data(), r.data(), a, dq.data(), dk.data(), dv.data(), dp,
                     pool);
  expect_grad("attention dq", q, dq, f);
  expect_grad("attention dk", k, dk, f);
  expect_grad("attention dv", v, dv, f);
}

TEST(TrainOps, AttentionGradients) { check_attention(2, 2); }
TEST(TrainOps, GroupedQueryAttentionGradients) { check_attention(4, 2); }

TEST(TrainOps, SwigluGradients) {
  const int64_t n = 40;
  auto g = randn(size_t(n), 17, 2.0f), u = randn(size_t(n), 18), r = randn(size_t(n), 19);
  std::vector<float> h(static_cast<size_t>(n)), dg(static_cast<size_t>(n)), du(static_cast<size_t>(n));
  auto f = [&] {
    swiglu_forward(g.data(), u.data(), n, h.data());
    return weighted_sum(h.data(), r);
  };
  swiglu_backward(g.data(), u.data(), r.data(), n, dg.data(), du.data());
  expect_grad("swiglu dg", g, dg, f, 1e-3);
  expect_grad("swiglu du", u, du, f, 1e-3);
}

TEST(TrainOps, EmbeddingGradients) {
  const int64_t V = 6, C = 5, T = 4;
  const int32_t tok[T] = {2, 5, 2, 0};  // a repeated id accumulates
  auto E = randn(size_t(V * C), 20), r = randn(size_t(T * C), 21);
  std::vector<float> x(size_t(T * C)), dE(E.size(), 0.0f);
  auto f = [&] {
    embedding_forward(E.data(), tok, T, C, x.data());
    return weighted_sum(x.data(), r);
  };
  embedding_backward(r.data(), tok, T, C, dE.data());
  expect_grad("embedding dE", E, dE, f);
}

TEST(TrainOps, CrossEntropyGradientsRespectTheMask) {
  core::ThreadPool pool(2);
  const int64_t T = 4, V = 9;
  const int32_t target[T] = {1, 8, 0, 3};
  const uint8_t mask[T] = {1, 0, 1, 1};
  auto logits = randn(size_t(T * V), 22, 3.0f);
  int64_t n = 0;
  auto f = [&] { return cross_entropy_loss(logits.data(), target, mask, T, V, &n); };
  std::vector<float> grad = logits;
  const double loss = cross_entropy(grad.data(), target, mask, T, V, &n, pool);
  EXPECT_EQ(n, 3);
  EXPECT_NEAR(loss, f(), 1e-9);
  for (int64_t i = 0; i < V; ++i) EXPECT_EQ(grad[size_t(V + i)], 0.0f);  // masked row
  expect_grad("cross-entropy dlogits", logits, grad, f, 1e-3, 1e-5, 1e-2);
}

}  // namespace
}  // namespace ondo::train
