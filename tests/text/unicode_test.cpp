// Unicode helpers: llama.cpp's UTF-8 error policy, code point classes, lower-casing,
// NFD first code points and the GPT-2 byte mapping. Layer: text.
#include "ondo/text/unicode.h"

#include <gtest/gtest.h>

#include <set>

namespace ondo::text::unicode {
namespace {

TEST(Unicode, DecodesValidUtf8) {
  EXPECT_EQ(decode_utf8("a\xC3\xA9\xED\x95\x9C\xF0\x9F\x99\x82"),
            (std::vector<uint32_t>{'a', 0xE9, 0xD55C, 0x1F642}));
  EXPECT_TRUE(decode_utf8("").empty());
}

TEST(Unicode, EachBadByteBecomesOneReplacementCharacter) {
  // Stray continuation, truncated 3-byte sequence at the end, invalid lead 0xFF.
  EXPECT_EQ(decode_utf8("\x80x"), (std::vector<uint32_t>{0xFFFD, 'x'}));
  EXPECT_EQ(decode_utf8("x\xED\x95"), (std::vector<uint32_t>{'x', 0xFFFD, 0xFFFD}));
  EXPECT_EQ(decode_utf8("\xFF"), (std::vector<uint32_t>{0xFFFD}));
  // A lead broken by ASCII: the lead alone is replaced, the ASCII survives.
  EXPECT_EQ(decode_utf8("\xC3z"), (std::vector<uint32_t>{0xFFFD, 'z'}));
}

TEST(Unicode, ClassesFollowGeneralCategories) {
  EXPECT_TRUE(classes('a') & kLetter);
  EXPECT_TRUE(classes(0xD55C) & kLetter);    // Hangul syllable
  EXPECT_TRUE(classes('7') & kNumber);
  EXPECT_TRUE(classes(0x00B2) & kNumber);    // superscript two (No)
  EXPECT_TRUE(classes('!') & kPunctuation);
  EXPECT_TRUE(classes('$') & kSymbol);
  EXPECT_TRUE(classes(0x0301) & kMark);
  EXPECT_TRUE(classes(0x200B) & kControl);   // zero width space is Cf
  EXPECT_TRUE(classes(0x0378) & kUndefined); // unassigned
  EXPECT_EQ(classes(kOutOfRange), 0);
  for (uint32_t ws : {0x09u, 0x0Au, 0x20u, 0x85u, 0xA0u, 0x3000u, 0x2028u}) {
    EXPECT_TRUE(classes(ws) & kWhitespace) << ws;
  }
  EXPECT_FALSE(classes(0x1C) & kWhitespace);  // Python's isspace says yes; llama.cpp's list no
  EXPECT_FALSE(classes(0x200B) & kWhitespace);
}

TEST(Unicode, LowerCaseAndNfdFirst) {
  EXPECT_EQ(to_lower('A'), uint32_t('a'));
  EXPECT_EQ(to_lower(0xC9), 0xE9u);    // É -> é
  EXPECT_EQ(to_lower(0x0130), 0x69u);  // İ -> i (simple mapping)
  EXPECT_EQ(to_lower('1'), uint32_t('1'));
  EXPECT_EQ(nfd_first(0xE9), uint32_t('e'));
  EXPECT_EQ(nfd_first(0xD55C), 0x1112u);  // 한 -> leading jamo ᄒ
  EXPECT_EQ(nfd_first('x'), uint32_t('x'));
  EXPECT_EQ(nfd_first(0x4E00), 0x4E00u);
}

TEST(Unicode, ByteMappingIsABijectionOntoPrintables) {
  std::set<uint32_t> seen;
  for (int b = 0; b < 256; ++b) {
    const uint32_t c = byte_to_cpt(uint8_t(b));
    EXPECT_TRUE(seen.insert(c).second);
    EXPECT_EQ(byte_from_cpt(c), b);
  }
  EXPECT_EQ(byte_to_cpt(' '), 0x120u);  // 'Ġ'
  EXPECT_EQ(byte_to_cpt('A'), uint32_t('A'));
  EXPECT_EQ(byte_from_cpt(0x4E00), -1);
}

}  // namespace
}  // namespace ondo::text::unicode
