// Shared fixtures of the train tests: a tokenizer trained on a few sentences and held as an
// in-memory GGUF. Layer: tests/train.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"
#include "ondo/text/tokenizer.h"
#include "ondo/train/bpe_trainer.h"

namespace ondo::train::testing {

struct TokenizerFile {
  std::vector<uint8_t> bytes;
  std::unique_ptr<gguf::GgufFile> file;
  std::unique_ptr<text::Tokenizer> tok;
};

inline std::vector<std::string> sample_texts() {
  return {"the cat sat on the mat", "the dog ate the bone", "양파와 대파를 썰어 볶는다",
          "삼겹살을 굽고 양파를 곁들인다", "{\"ingredients\": [\"onion\", \"pork\"]}", "the cat ate the fish"};
}

inline TokenizerFile make_tokenizer(int32_t vocab, const std::vector<std::string>& texts = sample_texts()) {
  TokenizerFile t;
  BpeTrainOptions o;
  o.vocab_size = vocab;
  o.min_char_count = 1;
  auto v = train_bpe(texts, o);
  EXPECT_TRUE(v.ok());
  gguf::Writer w;
  w.set_string("general.architecture", "tokenizer");
  write_tokenizer_metadata(*v, w);
  t.bytes = w.to_bytes().value();
  t.file = gguf::GgufFile::from_memory(t.bytes, "tok.gguf").value();
  t.tok = text::Tokenizer::from_gguf(*t.file).value();
  return t;
}

}  // namespace ondo::train::testing
