// The token ids of one (query, document) pair for a cross-encoder reranker, built as
// llama-server's format_prompt_rerank (upstream 34af94cd) does for a model without a
// "rerank" chat template. Layer: text. Thread contract: stateless.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/text/tokenizer.h"

namespace ondo::text {

// [BOS if add_bos] query [EOS if add_eos] [SEP if add_sep] document [EOS if add_eos];
// query and document are tokenized without special tokens and with special-token text
// read as plain text. For a BERT vocabulary with eos = [SEP] and add_sep false this is
// [CLS] query [SEP] document [SEP]. Errors: as Tokenizer::encode.
Result<std::vector<int32_t>> rerank_pair_tokens(const Tokenizer& tok, std::string_view query, std::string_view document);

}  // namespace ondo::text
