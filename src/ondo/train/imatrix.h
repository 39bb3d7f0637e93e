// compute_imatrix: runs a model over calibration text in chunks and collects its importance
// matrix (llama.cpp's imatrix: per matmul weight, the sum over tokens of each input column's
// squared activation) -- the library call behind `ondo imatrix` and the job queue's imatrix
// jobs. Layer: train (uses model/quantize, infer, text).
//
// Thread contract: one call per options value at a time; the work runs on `pool` at
// Background priority, one lease per chunk, so serving requests go first between chunks.
// Cancel: the progress callback returns false; the call then stops after the current chunk
// and returns Cancelled. Errors: the model's load errors, make_chunks' errors, an encoder
// model (InvalidArgument), and no weight collected (Unsupported: an architecture whose
// activations do not name matmul inputs).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "ondo/core/compute_pool.h"
#include "ondo/core/result.h"
#include "ondo/model/quantize/imatrix_file.h"
#include "ondo/train/calibration.h"

namespace ondo::train {

struct ImatrixOptions {
  std::filesystem::path model;
  ChunkSource source;           // text file or random tokens, chunk size, chunk limit
  bool process_output = false;  // also collect output.weight (llama-imatrix --process-output)
  std::string dataset;          // written to imatrix.datasets; empty: the text file's path
};

struct ImatrixProgress {
  int32_t chunk = 0;     // chunks done
  int32_t n_chunks = 0;  // chunks in all
  int64_t tokens = 0;    // tokens evaluated so far
  double seconds = 0;    // since the first chunk started
};

// Called after each chunk; return false to cancel.
using ImatrixProgressFn = std::function<bool(const ImatrixProgress&)>;

Result<model::quantize::Imatrix> compute_imatrix(const ImatrixOptions& options, core::ComputePool& pool,
                                                 const ImatrixProgressFn& progress = {});

}  // namespace ondo::train
