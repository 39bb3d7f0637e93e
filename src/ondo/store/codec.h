// How ApiKey's list and map fields are kept in a text column (JSON), shared by both engines.
// Layer: store (internal to it). Pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/store/collections.h"
#include "ondo/store/jobs.h"
#include "ondo/store/usage.h"

namespace ondo::store {

std::string encode_models(const std::vector<std::string>& models);    // JSON array of strings
std::string encode_metadata(const std::map<std::string, std::string>& metadata);  // JSON object
// Errors: Internal naming `what` when the column does not hold what encode_* wrote.
Result<std::vector<std::string>> decode_models(const std::string& text, const std::string& what);
Result<std::map<std::string, std::string>> decode_metadata(const std::string& text, const std::string& what);

// Vectors as little-endian float32 bytes (BLOB / bytea columns).
std::string encode_vector(const std::vector<float>& v);
// Errors: Internal naming `what` when the byte count is not a multiple of 4.
Result<std::vector<float>> decode_vector(std::string_view bytes, const std::string& what);
// PostgreSQL's hex text form of bytea ("\\x0a1b...") and back. Errors: Internal naming `what`.
std::string to_bytea_hex(std::string_view bytes);
Result<std::string> from_bytea_hex(std::string_view text, const std::string& what);
// The words of a full-text query, lowercased: runs of ASCII letters and digits or of bytes
// >= 0x80 (UTF-8 letters), at most 64 words of at most 64 bytes; anything else separates.
// Both engines OR them, so no query syntax of the engine is ever seen by it.
std::vector<std::string> query_words(std::string_view query);

// Adds `n` files in `status` (with `bytes` of usage) to the counts.
void add_count(FileCounts& counts, const std::string& status, int64_t n, int64_t bytes);
// The common width of the chunks' vectors (0 for no chunks). Errors: InvalidArgument naming
// `what` when a vector is empty, the widths differ, or they differ from `dims` (when > 0).
Result<int32_t> check_chunk_widths(const std::vector<ChunkRecord>& chunks, int32_t dims, const std::string& what);

// The error for a database whose schema (`seen`) is newer than this binary's.
Error newer_schema_error(const std::string& location, int seen);

// Guardrail attachments: scope "global" (target ""), "key" or "prompt" (target not empty).
// Errors: InvalidArgument naming what is wrong.
Status check_attachment(std::string_view scope, std::string_view target);
Error no_attachment_error(const std::string& location, std::string_view scope, std::string_view target,
                          std::string_view policy);

// Jobs: a final state (succeeded, failed, cancelled). Errors: InvalidArgument naming it.
Status check_final_state(std::string_view state);
// A job's columns (kJobColumns order) as statement parameters $1..$19.
std::vector<std::optional<SqlParam>> job_params(const JobRecord& j);
// kJobColumns with each column qualified by `alias` ("j.id, j.kind, ...").
std::string job_columns_of(std::string_view alias);

}  // namespace ondo::store
