// Properties of the tokenizers on real vocabularies from ../shared/testdata/tokenizer:
// detokenize(tokenize(text)) == text for seeded random Unicode (SPM with byte fallback:
// plus the dummy-prefix space; byte-level BPE: exactly), the same ids from 8 threads at
// once as from one, and StreamDecoder chunks that are valid UTF-8 and add up. Layer: text.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "ondo/gguf/reader.h"
#include "ondo/text/tokenizer.h"
#include "ondo/text/unicode.h"
#include "support/testdata.h"

namespace ondo::text {
namespace {

std::unique_ptr<Tokenizer> load(const std::filesystem::path& dir, const std::string& vocab) {
  auto file = gguf::GgufFile::open(dir / "tokenizer" / ("ggml-vocab-" + vocab + ".gguf"));
  EXPECT_TRUE(file.ok()) << file.error().message;
  if (!file.ok()) return nullptr;
  auto tok = Tokenizer::from_gguf(**file);
  EXPECT_TRUE(tok.ok()) << tok.error().message;
  return tok.ok() ? std::move(*tok) : nullptr;
}

// Random text from ranges a tokenizer must cope with: ASCII, whitespace runs, Latin-1,
// Hangul, CJK, emoji, combining marks, and rare code points from the whole range.
std::string random_text(std::mt19937& rng) {
  static const std::pair<uint32_t, uint32_t> kRanges[] = {
      {0x20, 0x7E}, {0x20, 0x20}, {'\n', '\n'}, {0xA0, 0xFF}, {0xAC00, 0xD7A3},
      {0x4E00, 0x9FFF}, {0x1F600, 0x1F64F}, {0x0300, 0x036F}, {0x80, 0x10FFFF},
  };
  std::uniform_int_distribution<int> len(0, 40), pick(0, std::size(kRanges) - 1);
  std::string s;
  for (int i = len(rng); i > 0; --i) {
    auto [lo, hi] = kRanges[pick(rng)];
    uint32_t c = std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
    if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;  // surrogates are not valid UTF-8
    if (c == '<') c = '(';                          // keep clear of special-token text
    unicode::append_utf8(c, &s);
  }
  return s;
}

// Bytes a byte-level BPE vocabulary can spell on their own (some vocabularies lack the
// bytes that never occur in UTF-8 text, and llama.cpp drops such bytes silently).
std::vector<bool> spellable_bytes(const Tokenizer& tok) {
  std::vector<bool> ok(256, tok.model_name() != "gpt2");
  for (int32_t id = 0; id < tok.n_vocab() && tok.model_name() == "gpt2"; ++id) {
    auto cpts = unicode::decode_utf8(tok.token_text(id));
    if (cpts.size() == 1 && unicode::byte_from_cpt(cpts[0]) >= 0) ok[unicode::byte_from_cpt(cpts[0])] = true;
  }
  return ok;
}

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, DetokenizeInvertsTokenize) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto tok = load(dir, GetParam());
  ASSERT_TRUE(tok);
  const bool spm = tok->model_name() == "llama";
  const std::vector<bool> spellable = spellable_bytes(*tok);
  std::mt19937 rng(1234);
  int checked = 0;
  for (int i = 0; i < 300; ++i) {
    const std::string text = random_text(rng);
    bool representable = true;
    for (unsigned char b : text) representable = representable && spellable[b];
    if (!representable) continue;
    ++checked;
    auto ids = tok->encode(text, {.add_special = false});
    ASSERT_TRUE(ids.ok());
    const std::string expected = (spm && !text.empty()) ? " " + text : text;
    ASSERT_EQ(tok->decode(*ids), expected) << "case " << i;
  }
  EXPECT_GT(checked, 100);
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, RoundTrip,
                         ::testing::Values("llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2", "starcoder"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });

TEST(TokenizerThreads, EightThreadsAgreeWithOne) {
  ONDO_TESTDATA_OR_SKIP(dir);
  for (const char* vocab : {"llama-bpe", "llama-spm", "bert-bge"}) {
    auto tok = load(dir, vocab);
    ASSERT_TRUE(tok);
    std::mt19937 rng(99);
    std::vector<std::string> texts;
    for (int i = 0; i < 200; ++i) texts.push_back(random_text(rng));
    std::vector<std::vector<int32_t>> serial;
    for (const auto& t : texts) serial.push_back(*tok->encode(t));
    std::vector<int> mismatches(8, 0);
    std::vector<std::thread> pool;
    for (int th = 0; th < 8; ++th) {
      pool.emplace_back([&, th] {
        for (int rep = 0; rep < 3; ++rep) {
          for (size_t i = 0; i < texts.size(); ++i) {
            const size_t k = (i * 7 + size_t(th) * 13 + size_t(rep)) % texts.size();
            auto ids = tok->encode(texts[k]);
            if (!ids.ok() || *ids != serial[k]) ++mismatches[th];
          }
        }
      });
    }
    for (auto& t : pool) t.join();
    for (int th = 0; th < 8; ++th) EXPECT_EQ(mismatches[th], 0) << vocab << " thread " << th;
  }
}

// Well-formed as far as these tests need: every byte decodes as part of a character
// (a bad byte would decode to U+FFFD and re-encode differently).
bool valid_utf8(const std::string& s) {
  const auto cpts = unicode::decode_utf8(s);
  return unicode::to_utf8(cpts, 0, cpts.size()) == s;
}

TEST(StreamDecoderProps, ChunksAreCompleteAndAddUp) {
  ONDO_TESTDATA_OR_SKIP(dir);
  for (const char* vocab : {"llama-spm", "llama-bpe"}) {
    auto tok = load(dir, vocab);
    ASSERT_TRUE(tok);
    std::mt19937 rng(7);
    int split_chars = 0;
    for (int i = 0; i < 200; ++i) {
      const std::string text = random_text(rng);
      auto ids = tok->encode(text, {.add_special = false});
      ASSERT_TRUE(ids.ok());
      StreamDecoder d(*tok);
      std::string joined;
      for (int32_t id : *ids) {
        std::string chunk = d.push(id);
        if (tok->piece(id).size() != chunk.size()) ++split_chars;
        EXPECT_TRUE(valid_utf8(chunk)) << vocab << " case " << i;
        joined += chunk;
      }
      joined += d.flush();
      EXPECT_EQ(joined, tok->decode(*ids));
    }
    EXPECT_GT(split_chars, 0) << vocab << ": no character was split across tokens";
  }
}

}  // namespace
}  // namespace ondo::text
