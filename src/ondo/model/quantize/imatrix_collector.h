// ImatrixCollector: turns a forward pass's activation taps (unit.h: ActivationTap) into
// importance-matrix sums: for each matmul weight, the sum over tokens of each input column's
// squared activation and the number of tokens, as llama.cpp's imatrix collects them (facts
// only: llama-imatrix sums src1 rows of every MUL_MAT whose weight is "blk.*", plus
// output.weight with --process-output). Layer: model.
//
// The decoder names the input of each matmul (decoder_forward.cpp): attn_norm feeds attn_q,
// attn_k and attn_v; attn feeds attn_output; ffn_norm feeds ffn_gate and ffn_up; ffn_swiglu
// feeds ffn_down; output_norm feeds output. A weight absent from the model, or whose row
// length is not the activation's width, is not collected.
// Thread contract: one pass at a time (the tap runs on the pass's thread); not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ondo/gguf/reader.h"
#include "ondo/model/quantize/imatrix_file.h"
#include "ondo/model/unit.h"

namespace ondo::model::quantize {

class ImatrixCollector {
 public:
  // The candidates are the 2-D weights of `file`; `process_output` adds output.weight.
  ImatrixCollector(const gguf::GgufFile& file, bool process_output);

  // Adds one activation [rows][cols] (the tap's arguments).
  void add(std::string_view name, std::span<const int64_t> shape, const float* data);
  // A tap that calls add(); borrows this collector, which must outlive the tap's use.
  ActivationTap tap();

  // The sums so far, one entry per weight that saw at least one token.
  Imatrix result() const;
  // The matmul weights a tap name feeds ("blk.3.attn_norm" -> blk.3.attn_q.weight, ...).
  static std::vector<std::string> weights_fed_by(std::string_view activation, bool process_output);

 private:
  bool process_output_;
  std::unordered_map<std::string, int64_t> n_in_;  // candidate weight -> row length
  std::unordered_map<std::string, ImatrixEntry> sums_;
};

}  // namespace ondo::model::quantize
