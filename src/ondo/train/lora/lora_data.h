// Fine-tuning data: OpenAI chat JSONL ({"messages": [{"role", "content"}, ...]}, loss on the
// assistant turns only, rendered through the model's chat template), Alpaca JSONL
// ({"instruction", "input" (optional), "output"}, loss on the output; rendered as a user
// turn and an assistant turn of the chat template) and plain text (one token stream cut into
// pieces, every token counted). Layer: train.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/text/chat_template/chat_template.h"
#include "ondo/text/tokenizer.h"
#include "ondo/train/dataset.h"

namespace ondo::train::lora {

enum class DataFormat { Chat, Alpaca, Text };

// "chat", "alpaca" or "text" (InvalidArgument otherwise).
Result<DataFormat> parse_data_format(std::string_view name);
const char* data_format_name(DataFormat f);

// Checks a whole training file without a model (what an upload route calls): every
// non-blank line of a JSONL format must be an object of the format's shape. The first bad
// line is an InvalidFile error "line N: <what is wrong>". Text must be non-empty UTF-8-agnostic
// bytes. Returns the number of examples.
Result<int64_t> validate_training_file(std::string_view bytes, DataFormat format);

// Tokenized examples (validated first). Chat and Alpaca examples longer than n_ctx + 1
// tokens are cut; text is cut into pieces of n_ctx + 1 tokens overlapping by one.
// Errors name `source` and the line.
Result<std::vector<Example>> tokenize_training_file(std::string_view bytes, DataFormat format,
                                                    const text::Tokenizer& tok, const text::ChatTemplate& tmpl,
                                                    int32_t n_ctx, const std::string& source);

}  // namespace ondo::train::lora
