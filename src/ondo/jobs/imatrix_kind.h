// The imatrix job kind (issue 17.6): train::compute_imatrix over a model and calibration text,
// written as llama.cpp's GGUF imatrix, which a later quantize job takes as its `imatrix`.
// Layer: jobs.
//
// params: model (a GGUF path, required); calibration_file (a store file id, "file-...", or a
// path) or random_chunks (N chunks of random token ids, a baseline), exactly one; chunk
// (tokens per chunk, default 512), chunks (at most N chunks, 0: all), seed (random_chunks,
// default 1), process_output, parse_special (booleans), output (default
// <work dir>/imatrix.gguf). Progress: chunk / chunks, tokens/s, ETA; a cancel stops after the
// chunk being evaluated. Result: {"imatrix": output, "entries", "chunks", "chunk_size",
// "tokens", "datasets"}.
#pragma once

#include <string>

#include "ondo/jobs/worker.h"

namespace ondo::jobs {

Result<nlohmann::json> run_imatrix(JobContext& ctx);
// The submission checks: params' types and ranges, the model and calibration path readable
// (a file id is looked up in `store` when given).
Status validate_imatrix_params(const nlohmann::json& params, store::Store* store);

// A quantize job's `imatrix` param: a path to an imatrix file, or the id of a succeeded
// imatrix job (its result's file). Errors name params.imatrix: an unreadable file, a job of
// another kind, or an imatrix job that has not succeeded.
Result<std::string> resolve_imatrix_param(store::Store& store, const std::string& value);

}  // namespace ondo::jobs
