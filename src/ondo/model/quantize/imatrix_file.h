// Importance matrices (llama.cpp's imatrix): per matmul weight, the sum over calibration tokens
// of each input column's squared activation, and how many tokens were summed. Reading and
// writing llama.cpp's file formats. Layer: model (uses gguf/ and core/ only).
//
// GGUF format (llama.cpp tools/imatrix, mid-2025 on; facts only): general.type "imatrix",
// imatrix.datasets (array of strings), imatrix.chunk_count and imatrix.chunk_size (u32); per
// weight W two F32 tensors "W.in_sum2" [n_in, n_mat] and "W.counts" [1, n_mat] (n_mat = 1
// except for stacked experts). Other tensors (W.in_sum, W.stats, ...) are ignored on read.
// Legacy .dat format (read only): i32 n_entries, then per entry i32 name length, name bytes,
// i32 ncall, i32 nval, nval f32 (mean square times ncall); then optionally i32 chunk count,
// i32 length and the dataset name.
// Thread contract: plain values; the functions are reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::model::quantize {

struct ImatrixEntry {
  int64_t n_in = 0;             // input columns of the weight (its row length)
  std::vector<double> in_sum2;  // [n_mat][n_in]: sum over tokens of x^2 per column
  std::vector<double> counts;   // [n_mat]: tokens summed
  int64_t n_mat() const { return n_in > 0 ? int64_t(in_sum2.size()) / n_in : 0; }
  // The quantizer's weights, as llama-quantize derives them: in_sum2 / count per matrix, and
  // 1 for a matrix that saw no token.
  std::vector<float> importance() const;
};

struct Imatrix {
  std::vector<std::string> datasets;
  uint32_t chunk_count = 0;
  uint32_t chunk_size = 0;
  std::map<std::string, ImatrixEntry> entries;  // by weight name ("blk.0.attn_q.weight")
  bool legacy = false;                          // read from a .dat file
};

// Reads a GGUF imatrix, or a legacy .dat file when the bytes do not start with "GGUF".
// Errors (InvalidFile, NotFound) name the file and what is wrong: a GGUF whose general.type
// is not "imatrix", no entries, an in_sum2 without its counts (or the reverse), a non-F32
// tensor, mismatched shapes, negative or non-finite values, truncated legacy records.
Result<Imatrix> read_imatrix(const std::filesystem::path& path);
// The same for bytes in memory; `name` is used in messages.
Result<Imatrix> parse_imatrix(std::span<const uint8_t> bytes, const std::string& name);

// Writes the GGUF format (atomically). Errors: InvalidArgument for an entry whose sizes do not
// agree; I/O errors name the path.
Status write_imatrix(const Imatrix& m, const std::filesystem::path& path);
Result<std::vector<uint8_t>> imatrix_to_bytes(const Imatrix& m);

}  // namespace ondo::model::quantize
