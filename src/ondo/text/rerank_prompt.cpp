// Reranker pair prompts (rerank_prompt.h). Layer: text.
#include "ondo/text/rerank_prompt.h"

namespace ondo::text {

Result<std::vector<int32_t>> rerank_pair_tokens(const Tokenizer& tok, std::string_view query, std::string_view document) {
  EncodeOptions plain;
  plain.add_special = false;
  plain.parse_special = false;
  ONDO_ASSIGN_OR_RETURN(std::vector<int32_t> q, tok.encode(query, plain));
  ONDO_ASSIGN_OR_RETURN(std::vector<int32_t> d, tok.encode(document, plain));
  std::vector<int32_t> out;
  out.reserve(q.size() + d.size() + 4);
  if (tok.add_bos() && tok.bos_id() >= 0) out.push_back(tok.bos_id());
  out.insert(out.end(), q.begin(), q.end());
  if (tok.add_eos() && tok.eos_id() >= 0) out.push_back(tok.eos_id());
  if (tok.add_sep() && tok.sep_id() >= 0) out.push_back(tok.sep_id());
  out.insert(out.end(), d.begin(), d.end());
  if (tok.add_eos() && tok.eos_id() >= 0) out.push_back(tok.eos_id());
  return out;
}

}  // namespace ondo::text
