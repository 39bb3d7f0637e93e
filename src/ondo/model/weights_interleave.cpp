// Interleaving the matmul weights at load (weights.h: interleave_weights). Layer: model.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <sys/mman.h>

#include "ondo/core/check.h"
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/quant/interleave.h"
#include "ondo/model/weights.h"

namespace ondo::model {

void WeightCopies::Free::operator()(uint8_t* p) const { std::free(p); }

void interleave_weights(const gguf::GgufFile& file, Weights& w, WeightCopies& copies) {
  if (const char* env = std::getenv("ONDO_INTERLEAVE"); env && std::strcmp(env, "0") == 0) return;
  // the distinct matmul weights (a tied output is the embedding: one copy serves both)
  std::vector<core::Tensor*> todo;
  auto want = [&](core::Tensor& t) {
    if (t.valid() && !t.interleaved && core::interleave_defined(t.type, t.rows()) &&
        core::kernels::gemm_kernel_interleaved(t.type) != nullptr) {
      todo.push_back(&t);
    }
  };
  for (LayerWeights& l : w.layers) {
    for (core::Tensor* t : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) want(*t);
  }
  want(w.output);
  if (todo.empty()) return;
  std::vector<std::unique_ptr<uint8_t, WeightCopies::Free>> bufs(todo.size());
  // 2 MiB aligned and advised as huge pages: the kernels stream every byte each step, and
  // with 4 KiB pages that is a TLB miss every 4 KiB
  constexpr size_t kHuge = size_t(2) << 20;
  for (size_t i = 0; i < todo.size(); ++i) {
    const size_t n = (todo[i]->nbytes() + kHuge - 1) / kHuge * kHuge;
    bufs[i].reset(static_cast<uint8_t*>(std::aligned_alloc(kHuge, n)));
    ONDO_CHECK(bufs[i] != nullptr);
    madvise(bufs[i].get(), n, MADV_HUGEPAGE);
  }
  // slices of 64 row groups spread over the cores; each slice is read once from the mapping,
  // then its pages are released, so at most a few slices are resident twice
  constexpr int64_t kSliceRows = 64 * core::kInterleaveRows;
  std::vector<std::pair<size_t, int64_t>> slices;  // (tensor, first row)
  for (size_t i = 0; i < todo.size(); ++i) {
    for (int64_t r = 0; r < todo[i]->rows(); r += kSliceRows) slices.emplace_back(i, r);
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < slices.size();) {
      const auto [i, r0] = slices[k];
      const core::Tensor& t = *todo[i];
      const int64_t rows = std::min(kSliceRows, t.rows() - r0);
      const size_t off = size_t(r0) * t.row_bytes, n = size_t(rows) * t.row_bytes;
      core::interleave_rows(t.type, static_cast<const uint8_t*>(t.data) + off, bufs[i].get() + off, rows, t.cols());
      file.release_pages(static_cast<const uint8_t*>(t.data) + off, n);
    }
  };
  const unsigned nth = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned k = 1; k < nth; ++k) threads.emplace_back(work);
  work();
  for (std::thread& th : threads) th.join();
  for (size_t i = 0; i < todo.size(); ++i) {
    core::Tensor& t = *todo[i];
    if (w.tied_output && t.data == w.token_embd.data) w.token_embd.data = bufs[i].get(), w.token_embd.interleaved = true;
    t.data = bufs[i].get();
    t.interleaved = true;
    copies.buffers.push_back(std::move(bufs[i]));
  }
}

}  // namespace ondo::model
