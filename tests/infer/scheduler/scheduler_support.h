// Test support for scheduler tests on tiny in-memory models: a served model (bytes, model,
// tokenizer) and a drain helper. Header-only; tests only.
#pragma once

#include <memory>
#include <vector>

#include "ondo/gguf/reader.h"
#include "ondo/infer/scheduler/scheduler.h"
#include "support/tiny_model.h"

namespace ondo::infer::testing {

struct TinyServed {
  std::vector<uint8_t> bytes;  // the GGUF the model views; outlives it
  std::unique_ptr<model::Model> model;
  std::unique_ptr<text::Tokenizer> tok;
};

inline std::unique_ptr<TinyServed> tiny_served(uint32_t seed) {
  auto t = std::make_unique<TinyServed>();
  ondo::testing::TinyModelSpec spec;
  spec.seed = seed;
  t->bytes = ondo::testing::tiny_model_bytes(spec);
  auto file = gguf::GgufFile::from_memory(t->bytes, "tiny.gguf");
  if (!file.ok()) return nullptr;
  auto tok = text::Tokenizer::from_gguf(**file);
  auto m = model::Model::from_file(std::move(file).value());
  if (!m.ok() || !tok.ok()) return nullptr;
  t->model = std::move(m).value();
  t->tok = std::move(tok).value();
  return t;
}

struct Drained {
  std::vector<int32_t> tokens;
  FinishReason finish = FinishReason::None;
  std::string error;
};

inline Drained drain(RequestHandle& h) {
  Drained d;
  while (auto e = h.next()) {
    if (e->token >= 0) d.tokens.push_back(e->token);
    if (e->finish != FinishReason::None) {
      d.finish = e->finish;
      d.error = e->error;
    }
  }
  return d;
}

// A request that runs to max_tokens (end-of-generation ignored), sampled with `seed`.
inline GenerationRequest sampled(std::vector<int32_t> prompt, int32_t max_tokens, uint64_t seed) {
  GenerationRequest r;
  r.prompt = std::move(prompt);
  r.max_tokens = max_tokens;
  r.ignore_eos = true;
  r.sampling.temperature = 0.9f;
  r.sampling.top_k = 20;
  r.sampling.repeat_penalty = 1.1f;
  r.sampling.seed = seed;
  return r;
}

}  // namespace ondo::infer::testing
