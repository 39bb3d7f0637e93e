// libFuzzer target for the tokenizers: encodes arbitrary bytes with small hand-built SPM,
// byte-level BPE (every pre-tokenizer regex set) and WordPiece vocabularies, with and
// without special-token parsing, then decodes and stream-decodes the ids. Layer: fuzz
// (links every ondo layer). A crash, sanitizer report or check failure is a bug in text/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/text/pretok/pretok.h"
#include "ondo/text/tokenizer.h"
#include "ondo/text/vocab.h"

namespace {

using namespace ondo::text;

void add(Vocab* v, std::string text, uint32_t attr = kAttrNormal, float score = 0.0f) {
  v->tokens.push_back({std::move(text), score, attr});
}

std::unique_ptr<Tokenizer> spm() {
  Vocab v;
  v.kind = VocabKind::Spm;
  add(&v, "<unk>", kAttrUnknown);
  add(&v, "<s>", kAttrControl);
  add(&v, "</s>", kAttrControl);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    add(&v, buf, kAttrByte);
  }
  for (const char* s : {"\xE2\x96\x81", "a", "b", "ab", "\xE2\x96\x81" "a", "\xED\x95\x9C"}) add(&v, s, kAttrNormal, 1.0f);
  add(&v, "<|u|>", kAttrUserDefined | kAttrRstrip | kAttrLstrip);
  v.bos = 1; v.eos = 2; v.unk = 0; v.add_bos = true; v.add_eos = true; v.add_space_prefix = true;
  auto t = Tokenizer::from_vocab(std::move(v));
  if (!t.ok()) __builtin_trap();  // every registry row must build
  return std::move(*t);
}

std::unique_ptr<Tokenizer> bpe(std::string_view pre) {
  Vocab v;
  v.kind = VocabKind::Bpe;
  v.pre_name = std::string(pre);
  for (const char* s : {"a", "b", "\xC4\xA0", "ab", "\xC4\xA0" "a", "<|endoftext|>"}) add(&v, s);
  v.tokens.back().attr = kAttrControl;
  v.merges = {"a b", "\xC4\xA0 a", "bad"};
  v.bos = v.eos = 5;
  auto t = Tokenizer::from_vocab(std::move(v));
  if (!t.ok()) __builtin_trap();  // every registry row must build
  return std::move(*t);
}

std::unique_ptr<Tokenizer> wordpiece() {
  Vocab v;
  v.kind = VocabKind::WordPiece;
  for (const char* s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "\xE2\x96\x81" "a", "b", "\xE2\x96\x81" "."}) add(&v, s);
  for (int i = 0; i < 4; ++i) v.tokens[i].attr = kAttrControl;
  v.unk = 1; v.bos = 2; v.sep = 3;
  auto t = Tokenizer::from_vocab(std::move(v));
  if (!t.ok()) __builtin_trap();  // every registry row must build
  return std::move(*t);
}

std::vector<std::unique_ptr<Tokenizer>> all() {
  std::vector<std::unique_ptr<Tokenizer>> out;
  out.push_back(spm());
  out.push_back(wordpiece());
  for (int p = 0; p < int(PreTok::Count); ++p) {
    out.push_back(bpe(pre_tokenizer_spec(PreTok(p)).label));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto tokenizers = all();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& tok : tokenizers) {
    if (!tok) continue;
    for (bool parse : {false, true}) {
      auto ids = tok->encode(text, {.add_special = parse, .parse_special = parse});
      if (!ids.ok()) continue;
      std::string joined;
      StreamDecoder stream(*tok, parse);
      for (int32_t id : *ids) {
        if (id < 0 || id >= tok->n_vocab()) __builtin_trap();
        joined += stream.push(id);
      }
      joined += stream.flush();
      if (joined != tok->decode(*ids, parse)) __builtin_trap();
    }
  }
  return 0;
}
