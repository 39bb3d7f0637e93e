// Reading a job's params (issue 17.1): typed getters whose errors name the param
// ("params.steps: expected an integer in 1..1000000000"), and the checks every kind makes of
// the files it reads before it starts work. Layer: jobs. Pure functions over plain JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/store/store.h"

namespace ondo::jobs {

// InvalidArgument "params.<name>: <what>".
Error param_error(const std::string& name, const std::string& what);

// A non-empty string; `fallback` when absent or null and not required.
Result<std::string> get_string(const nlohmann::json& p, const std::string& name, bool required, std::string fallback = "");
Result<int64_t> get_int(const nlohmann::json& p, const std::string& name, bool required, int64_t fallback, int64_t lo,
                        int64_t hi);
Result<double> get_double(const nlohmann::json& p, const std::string& name, double fallback, double lo, double hi);
Result<bool> get_bool(const nlohmann::json& p, const std::string& name, bool fallback);

// A file the job reads: InvalidArgument "params.<name>: <path>: not a readable file".
Status check_file(const std::string& name, const std::string& path);

// A model a job reads, checked when the worker picks the job up (it may have gone away since
// submission): InvalidArgument "params.<name>: <path>: the model file is missing" (or "is not
// readable", "is a directory", "is not a GGUF file"), so the job fails at once with the reason.
Status check_model_file(const std::string& name, const std::string& path);

// Writes `bytes` to `path` (replacing it); Internal naming the path and `what` when it fails.
Status write_bytes(const std::filesystem::path& path, std::string_view bytes, const std::string& what);

// A text input given as a file id in the store (the `/v1/files` upload, "file-...") or a
// path on the worker's disk: the store's file when it has one with that id, else the path.
// Writes the store file's bytes to `scratch` and returns that path; a path is returned as it
// is after check_file. Errors name the param.
Result<std::filesystem::path> store_file_or_path(store::Store& s, const std::string& name, const std::string& value,
                                                 const std::filesystem::path& scratch);

}  // namespace ondo::jobs
