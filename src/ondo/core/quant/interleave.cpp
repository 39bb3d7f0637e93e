// Row-interleaved weight layout (interleave.h): one unit list per type drives both
// directions. Layer: core.
#include "ondo/core/quant/interleave.h"

#include <cstddef>
#include <cstring>

#include "ondo/core/check.h"
#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core {

// One unit of a block: `bytes` bytes at `src` in the block struct. A type's tile is its
// units in kernel order, each as 16 rows side by side (16 * bytes).
struct RepackUnit {
  uint16_t src;
  uint8_t bytes;
};

// A type's repacked layout (dtype.h: DTypeKernels::repack): its units in tile order.
struct RepackLayout {
  RepackUnit units[72] = {};
  int count = 0;
  constexpr void add(size_t src, int bytes) { units[count++] = RepackUnit{uint16_t(src), uint8_t(bytes)}; }
};

namespace {

using Unit = RepackUnit;
using Layout = RepackLayout;

// Q4_K: d, dmin, the 12 scale bytes, then the 32 quant dwords in order.
constexpr Layout q4_K_layout() {
  Layout l;
  l.add(offsetof(BlockQ4_K, d), 2);
  l.add(offsetof(BlockQ4_K, dmin), 2);
  for (int u = 0; u < kKScaleSize; ++u) l.add(offsetof(BlockQ4_K, scales) + size_t(u), 1);
  for (int u = 0; u < kQK_K / 8; ++u) l.add(offsetof(BlockQ4_K, qs) + size_t(4 * u), 4);
  return l;
}

// Q6_K, in the kernel's reading order: for each quarter (h, jg) = (q / 2, q % 2) the scales
// of sub-blocks 8h + jg + 2i (i < 4), then for j = 4 jg + 0..3 the dwords ql[16h + j],
// ql[16h + 8 + j], qh[8h + j]; d last.
constexpr Layout q6_K_layout() {
  Layout l;
  for (int q = 0; q < 4; ++q) {
    const int h = q / 2, jg = q % 2;
    for (int i = 0; i < 4; ++i) l.add(offsetof(BlockQ6_K, scales) + size_t(8 * h + jg + 2 * i), 1);
    for (int jj = 0; jj < 4; ++jj) {
      const int j = 4 * jg + jj;
      l.add(offsetof(BlockQ6_K, ql) + size_t(4 * (16 * h + j)), 4);
      l.add(offsetof(BlockQ6_K, ql) + size_t(4 * (16 * h + 8 + j)), 4);
      l.add(offsetof(BlockQ6_K, qh) + size_t(4 * (8 * h + j)), 4);
    }
  }
  l.add(offsetof(BlockQ6_K, d), 2);
  return l;
}

constexpr Layout kQ4K = q4_K_layout();
constexpr Layout kQ6K = q6_K_layout();

// Every byte of the block exactly once.
template <class Block>
constexpr bool covers(const Layout& l) {
  bool seen[sizeof(Block)] = {};
  for (int k = 0; k < l.count; ++k) {
    for (int i = 0; i < l.units[k].bytes; ++i) {
      if (l.units[k].src + i >= int(sizeof(Block)) || seen[l.units[k].src + i]) return false;
      seen[l.units[k].src + i] = true;
    }
  }
  for (bool b : seen) if (!b) return false;
  return true;
}
static_assert(covers<BlockQ4_K>(kQ4K));
static_assert(covers<BlockQ6_K>(kQ6K));

// The type's repacked layout, from its traits row; nullptr for types without one.
const Layout* layout_of(DType t) { return dtype_info(t).kernels.repack; }

// Calls f(tile offset of the unit's 16 rows, unit) for every unit of a block, in tile order.
template <class F>
void for_each_unit(const Layout& l, F f) {
  size_t at = 0;
  for (int k = 0; k < l.count; ++k) {
    f(at, l.units[k]);
    at += size_t(l.units[k].bytes) * kInterleaveRows;
  }
}

// Copies one unit (1, 2 or 4 bytes: fixed-size copies the compiler inlines).
inline void copy_unit(uint8_t* dst, const uint8_t* src, int bytes) {
  switch (bytes) {
    case 4: std::memcpy(dst, src, 4); break;
    case 2: std::memcpy(dst, src, 2); break;
    default: *dst = *src; break;
  }
}

}  // namespace

// The layouts the traits rows of Q4_K and Q6_K name (dtype.cpp).
const RepackLayout kRepackLayout_q4_K = kQ4K;
const RepackLayout kRepackLayout_q6_K = kQ6K;

bool interleave_defined(DType t, int64_t rows) {
  return layout_of(t) != nullptr && rows > 0 && rows % kInterleaveRows == 0;
}

void interleave_rows(DType t, const void* src, void* dst, int64_t rows, int64_t cols) {
  ONDO_CHECK(interleave_defined(t, rows));
  const DTypeInfo& info = dtype_info(t);
  const Layout& layout = *info.kernels.repack;
  const int64_t nb = cols / info.block_size;
  const size_t bb = size_t(info.block_bytes), rb = size_t(nb) * bb;
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  for (int64_t g = 0; g < rows / kInterleaveRows; ++g) {
    for (int64_t b = 0; b < nb; ++b) {
      uint8_t* tile = d + size_t(g) * kInterleaveRows * rb + size_t(b) * kInterleaveRows * bb;
      for (int64_t r = 0; r < kInterleaveRows; ++r) {
        const uint8_t* blk = s + size_t(g * kInterleaveRows + r) * rb + size_t(b) * bb;
        for_each_unit(layout, [&](size_t at, Unit u) {
          copy_unit(tile + at + size_t(r) * u.bytes, blk + u.src, u.bytes);
        });
      }
    }
  }
}

void deinterleave_row(DType t, const void* base, int64_t r, int64_t cols, void* dst_row) {
  const DTypeInfo& info = dtype_info(t);
  ONDO_CHECK(info.kernels.repack != nullptr);
  const Layout& layout = *info.kernels.repack;
  const int64_t nb = cols / info.block_size;
  const size_t bb = size_t(info.block_bytes), rb = size_t(nb) * bb;
  const auto* group = static_cast<const uint8_t*>(base) + size_t(r / kInterleaveRows) * kInterleaveRows * rb;
  const size_t lane = size_t(r % kInterleaveRows);
  auto* out = static_cast<uint8_t*>(dst_row);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* tile = group + size_t(b) * kInterleaveRows * bb;
    for_each_unit(layout, [&](size_t at, Unit u) {
      copy_unit(out + size_t(b) * bb + u.src, tile + at + lane * u.bytes, u.bytes);
    });
  }
}

}  // namespace ondo::core
