// libFuzzer target for request bodies: arbitrary bytes through the parsers and validation of
// every public route that takes a body (POST /v1/chat/completions, POST /v1/completions,
// POST /v1/responses, POST /v1/messages and its count_tokens, POST /api/generate, /api/chat,
// /api/show, /api/embed, /api/embeddings, POST /v1/embeddings, POST /v1/rerank), and for a
// chat (or translated Responses / Anthropic) body that validates, the chat prompt (chatml,
// byte tokenizer) and the grammars of its response_format and tools under small limits.
// Layer: fuzz (links every ondo layer). A crash, hang or sanitizer report here is a bug in
// serve's request handling (or in the compilers it calls); refusals are expected and ignored.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/infer/grammar/json_schema.h"
#include "ondo/serve/anthropic_request.h"
#include "ondo/serve/api_ollama.h"
#include "ondo/serve/api_types.h"
#include "ondo/serve/embeddings_api.h"
#include "ondo/serve/responses_request.h"
#include "ondo/text/chat_template/chat_template.h"
#include "ondo/text/rerank_prompt.h"
#include "ondo/text/vocab.h"

namespace {

using namespace ondo;

// A byte-level SPM vocabulary: ids 3..258 are the bytes.
const text::Tokenizer& tokenizer() {
  static const std::unique_ptr<text::Tokenizer> tok = [] {
    text::Vocab v;
    v.kind = text::VocabKind::Spm;
    v.model_name = "llama";
    v.tokens.push_back({"<unk>", 0.0f, text::kAttrUnknown});
    v.tokens.push_back({"<s>", 0.0f, text::kAttrControl});
    v.tokens.push_back({"</s>", 0.0f, text::kAttrControl});
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      v.tokens.push_back({name, 0.0f, text::kAttrByte});
    }
    v.bos = 1;
    v.eos = 2;
    v.unk = 0;
    (void)v.finish("fuzz");
    return std::move(text::Tokenizer::from_vocab(std::move(v))).value();
  }();
  return *tok;
}

const text::ChatTemplate& chatml() {
  static const text::ChatTemplate t = text::ChatTemplate::parse(*text::builtin_chat_template("chatml"), "chatml").value();
  return t;
}

infer::grammar::SchemaOptions small_schema_limits() {
  infer::grammar::SchemaOptions o;
  o.max_repeat = 200;
  o.max_depth = 16;
  o.max_grammar_bytes = 1 << 16;
  return o;
}

void check_chat(const serve::ChatRequest& r) {
  (void)infer::build_chat_prompt(chatml(), tokenizer(), r.messages, r.tools, true);
  if (r.gen.constraint.kind == serve::OutputConstraint::Kind::JsonSchema) {
    (void)infer::grammar::compile_json_schema(r.gen.constraint.schema, small_schema_limits());
  }
  for (const auto& spec : r.tool_specs) {
    if (!spec.parameters.is_null()) (void)infer::grammar::compile_json_schema(spec.parameters, small_schema_limits());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto chat = serve::parse_chat_request(body); chat.ok()) check_chat(*chat);
  if (auto responses = serve::parse_responses_request(body); responses.ok()) check_chat(responses->chat);
  if (auto messages = serve::parse_anthropic_request(body, serve::AnthropicCall::Messages); messages.ok()) {
    check_chat(messages->chat);
  }
  (void)serve::parse_anthropic_request(body, serve::AnthropicCall::CountTokens);
  if (auto completion = serve::parse_completion_request(body); completion.ok() && !completion->prompt_is_tokens) {
    (void)tokenizer().encode(completion->prompt_text, text::EncodeOptions{});
  }
  for (auto ollama : {serve::parse_ollama_generate(body), serve::parse_ollama_chat(body)}) {
    if (ollama.ok() && !ollama->load_only && !ollama->raw) check_chat(ollama->chat);
  }
  (void)serve::parse_ollama_show(body);
  if (auto emb = serve::parse_embeddings_request(body); emb.ok()) {
    for (const auto& in : emb->inputs) {
      if (!in.is_tokens) (void)tokenizer().encode(in.text, text::EncodeOptions{});
    }
  }
  for (auto oe : {serve::parse_ollama_embed(body), serve::parse_ollama_embeddings(body)}) {
    if (!oe.ok()) continue;
    for (const auto& in : oe->inputs) (void)tokenizer().encode(in.text, text::EncodeOptions{});
  }
  if (auto rr = serve::parse_rerank_request(body); rr.ok()) {
    for (const auto& d : rr->documents) (void)text::rerank_pair_tokens(tokenizer(), rr->query, d);
    std::vector<float> scores(rr->documents.size(), 0.0f);
    (void)serve::rerank_response(*rr, scores, 0);
  }
  return 0;
}
