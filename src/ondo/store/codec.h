// How ApiKey's list and map fields are kept in a text column (JSON), shared by both engines.
// Layer: store (internal to it). Pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::store {

std::string encode_models(const std::vector<std::string>& models);    // JSON array of strings
std::string encode_metadata(const std::map<std::string, std::string>& metadata);  // JSON object
// Errors: Internal naming `what` when the column does not hold what encode_* wrote.
Result<std::vector<std::string>> decode_models(const std::string& text, const std::string& what);
Result<std::map<std::string, std::string>> decode_metadata(const std::string& text, const std::string& what);

// The error for a database whose schema (`seen`) is newer than this binary's.
Error newer_schema_error(const std::string& location, int seen);

// Guardrail attachments: scope "global" (target ""), "key" or "prompt" (target not empty).
// Errors: InvalidArgument naming what is wrong.
Status check_attachment(std::string_view scope, std::string_view target);
Error no_attachment_error(const std::string& location, std::string_view scope, std::string_view target,
                          std::string_view policy);

}  // namespace ondo::store
