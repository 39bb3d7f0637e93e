// Tokenizer behaviour on small hand-built vocabularies: SPM merge order by score, byte
// fallback, dummy prefix, special-token partition, BOS/EOS, pieces; BPE merge ranks;
// rejected pre-tokenizers; StreamDecoder with multi-byte characters split over tokens.
// Layer: text.
#include "ondo/text/tokenizer.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "ondo/text/vocab.h"

namespace ondo::text {
namespace {

void add(Vocab* v, std::string text, uint32_t attr = kAttrNormal, float score = 0.0f) {
  v->tokens.push_back({std::move(text), score, attr});
}

// <unk> <s> </s> <0x00>..<0xFF> then a few pieces with scores that make the merge order
// observable: "bc" (2) merges before "ab" (1), so "abc" becomes ▁a + bc.
Vocab spm_vocab() {
  Vocab v;
  v.kind = VocabKind::Spm;
  v.model_name = "llama";
  add(&v, "<unk>", kAttrUnknown);
  add(&v, "<s>", kAttrControl);
  add(&v, "</s>", kAttrControl);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    add(&v, buf, kAttrByte);
  }
  add(&v, "\xE2\x96\x81");                           // 259 ▁
  add(&v, "a"); add(&v, "b"); add(&v, "c");          // 260 261 262
  add(&v, "ab", kAttrNormal, 1.0f);                  // 263
  add(&v, "bc", kAttrNormal, 2.0f);                  // 264
  add(&v, "\xE2\x96\x81" "a", kAttrNormal, 0.5f);    // 265 ▁a
  add(&v, "\xE2\x96\x81" "ab", kAttrNormal, 3.0f);   // 266 ▁ab
  add(&v, "<|user|>", kAttrUserDefined);             // 267
  v.bos = 1; v.eos = 2; v.unk = 0;
  v.add_bos = true; v.add_space_prefix = true;
  return v;
}

std::unique_ptr<Tokenizer> make(Vocab v) {
  auto t = Tokenizer::from_vocab(std::move(v));
  EXPECT_TRUE(t.ok()) << t.error().message;
  return std::move(*t);
}

std::vector<int32_t> enc(const Tokenizer& t, std::string_view s, bool add_special = false, bool parse = false) {
  auto r = t.encode(s, {.add_special = add_special, .parse_special = parse});
  EXPECT_TRUE(r.ok());
  return *r;
}

TEST(SpmTokenizer, MergesHighestScoreFirst) {
  auto t = make(spm_vocab());
  EXPECT_EQ(enc(*t, "abc"), (std::vector<int32_t>{265, 264}));  // ▁a bc, not ▁ab c
  EXPECT_EQ(enc(*t, "ab"), (std::vector<int32_t>{266}));
  EXPECT_EQ(enc(*t, "abc", /*add_special=*/true), (std::vector<int32_t>{1, 265, 264}));
}

TEST(SpmTokenizer, FallsBackToByteTokens) {
  auto t = make(spm_vocab());
  // ▁ then é = C3 A9 as <0xC3> <0xA9>; a space inside becomes ▁ too.
  EXPECT_EQ(enc(*t, "\xC3\xA9 a"), (std::vector<int32_t>{259, 3 + 0xC3, 3 + 0xA9, 265}));
  EXPECT_EQ(t->decode(enc(*t, "\xC3\xA9 a")), " \xC3\xA9 a");
}

TEST(SpmTokenizer, PartitionsSpecialTokens) {
  auto t = make(spm_vocab());
  // User-defined tokens split the text always; the next fragment gets a dummy prefix.
  EXPECT_EQ(enc(*t, "a<|user|>b"), (std::vector<int32_t>{265, 267, 259, 261}));
  // Control-token text is plain text unless parse_special.
  EXPECT_EQ(enc(*t, "<s>", false, true), (std::vector<int32_t>{1}));
  EXPECT_NE(enc(*t, "<s>", false, false), (std::vector<int32_t>{1}));
}

TEST(SpmTokenizer, PiecesAndSpecialRendering) {
  auto t = make(spm_vocab());
  EXPECT_EQ(t->piece(265), " a");
  EXPECT_EQ(t->piece(3 + 0x41), "A");
  EXPECT_EQ(t->piece(1), "");
  EXPECT_EQ(t->piece(1, true), "<s>");
  EXPECT_EQ(t->piece(267), "<|user|>");  // user-defined tokens always render
  EXPECT_EQ(t->decode(std::vector<int32_t>{1, 265, 2}, true), "<s> a</s>");
  EXPECT_EQ(t->decode(std::vector<int32_t>{1, 265, 99999}), " a");
  EXPECT_TRUE(t->is_end_of_generation(2));
  EXPECT_TRUE(t->is_control(1));
  EXPECT_FALSE(t->is_control(265));
}

Vocab bpe_vocab(std::string pre) {
  Vocab v;
  v.kind = VocabKind::Bpe;
  v.model_name = "gpt2";
  v.pre_name = std::move(pre);
  for (const char* s : {"a", "b", "\xC4\xA0", "ab", "\xC4\xA0" "a", "\xC4\xA0" "ab", "<|endoftext|>"}) add(&v, s);
  v.tokens.back().attr = kAttrControl;
  v.merges = {"\xC4\xA0 a", "a b", "\xC4\xA0" "a b"};  // Ġa before ab: "Ġab" = Ġa + b
  v.bos = v.eos = 6;
  return v;
}

TEST(BpeTokenizer, MergesByRankWithinWords) {
  auto t = make(bpe_vocab("gpt-2"));
  EXPECT_EQ(enc(*t, "ab ab"), (std::vector<int32_t>{3, 5}));  // "ab", "Ġab"
  EXPECT_EQ(enc(*t, "ba"), (std::vector<int32_t>{1, 0}));
  auto swapped = bpe_vocab("gpt-2");
  std::swap(swapped.merges[0], swapped.merges[1]);  // ab first: "Ġab" = Ġ + ab, no Ġ|ab merge
  EXPECT_EQ(enc(*make(std::move(swapped)), " ab"), (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(t->decode(enc(*t, "ab ab")), "ab ab");
  EXPECT_EQ(enc(*t, "<|endoftext|>", false, true), (std::vector<int32_t>{6}));
}

TEST(BpeTokenizer, RejectsUnknownPreTokenizer) {
  auto t = Tokenizer::from_vocab(bpe_vocab("no-such-pre"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::Unsupported);
  EXPECT_NE(t.error().message.find("no-such-pre"), std::string::npos) << t.error().message;
}

TEST(StreamDecoder, HoldsBackSplitCharacters) {
  auto t = make(spm_vocab());
  StreamDecoder d(*t);
  // 한 = ED 95 9C, one byte token each.
  EXPECT_EQ(d.push(3 + 0xED), "");
  EXPECT_EQ(d.push(3 + 0x95), "");
  EXPECT_EQ(d.push(3 + 0x9C), "\xED\x95\x9C");
  EXPECT_EQ(d.push(265), " a");
  // 🙂 = F0 9F 99 82 split 1 + 3, then flush with nothing pending.
  EXPECT_EQ(d.push(3 + 0xF0), "");
  EXPECT_EQ(d.push(3 + 0x9F), "");
  EXPECT_EQ(d.push(3 + 0x99), "");
  EXPECT_EQ(d.push(3 + 0x82), "\xF0\x9F\x99\x82");
  EXPECT_EQ(d.flush(), "");
}

TEST(StreamDecoder, PassesInvalidBytesAndFlushesTheRest) {
  auto t = make(spm_vocab());
  StreamDecoder d(*t);
  EXPECT_EQ(d.push(3 + 0xFF), "\xFF");     // can never start a sequence
  EXPECT_EQ(d.push(3 + 0x80), "\x80");     // stray continuation byte
  EXPECT_EQ(d.push(3 + 0xED), "");         // held: may still complete
  EXPECT_EQ(d.push(260), "\xED" "a");      // broken by ASCII: released as is
  EXPECT_EQ(d.push(3 + 0xE2), "");
  EXPECT_EQ(d.push(3 + 0x96), "");
  EXPECT_EQ(d.flush(), "\xE2\x96");        // incomplete tail comes out unchanged
  EXPECT_EQ(d.flush(), "");
  StreamDecoder special(*t, /*render_special=*/true);
  EXPECT_EQ(special.push(1), "<s>");
}

}  // namespace
}  // namespace ondo::text
