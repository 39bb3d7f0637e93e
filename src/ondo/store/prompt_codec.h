// How the prompt registry's lists (messages, variables, label targets) are kept in text
// columns (JSON), shared by both engines. Layer: store (internal to it). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/store/prompts.h"

namespace ondo::store {

std::string encode_messages(const std::vector<PromptMessage>& messages);     // [{"role","content"}]
std::string encode_variables(const std::vector<PromptVariable>& variables);  // [{"name","type"[,"default"]}]
std::string encode_targets(const std::vector<LabelTarget>& targets);         // [{"version","weight"}]

// Errors: Internal naming `what` when the column does not hold what encode_* wrote.
Result<std::vector<PromptMessage>> decode_messages(const std::string& text, const std::string& what);
Result<std::vector<PromptVariable>> decode_variables(const std::string& text, const std::string& what);
Result<std::vector<LabelTarget>> decode_targets(const std::string& text, const std::string& what);

// InvalidArgument for a label's targets that cannot be stored: none, a weight under 1, a
// version under 1 or given twice. `what` names the label.
Status check_targets(const std::vector<LabelTarget>& targets, const std::string& what);

}  // namespace ondo::store
